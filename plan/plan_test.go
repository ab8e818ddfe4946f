package plan

import (
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/measure"
)

// Every plan's effort passes Check, the default plans are the measure
// presets' (labelled phase raised to LabelledRounds), and the GPU's
// differ from the CPU's only as the package comment of the GPU's
// constants says.
func TestFor(t *testing.T) {
	q, th := measure.Quick(), measure.Thorough()
	tests := []struct {
		space, engine, mode string
		want                Plan
	}{
		{"nasbench201", measure.EngineCPU, ModeQuick, Plan{10, 40, Effort{LabelledRounds: 10, ValidationRounds: q.Rounds, Warmup: q.Warmup, Instances: 2, MaxRetries: q.MaxRetries}}},
		{"nasbench201", "", ModeQuick, Quick},
		{"nasbench201", measure.EngineCPU, ModeThorough, Plan{20, 50, Effort{LabelledRounds: th.Rounds, ValidationRounds: th.Rounds, Warmup: th.Warmup, Instances: 2, MaxRetries: th.MaxRetries}}},
		{"nasbench201", measure.EngineCPU, "", Quick},
		{"fbnet", measure.EngineCPU, ModeQuick, Plan{10, 12, Quick.Effort}},
		{"fbnet", measure.EngineCPU, ModeThorough, Thorough},
		{"ofa", measure.EngineCPU, ModeQuick, OFAQuick},
		{"ofa", measure.EngineCPU, ModeThorough, OFAThorough},
		{"nasbench201", measure.EngineWebGPU, ModeQuick, Plan{10, 20, Effort{LabelledRounds: 3, ValidationRounds: 3, Warmup: 1, Instances: 1, MaxRetries: 0}}},
		{"nasbench201", measure.EngineWebGPU, ModeThorough, Plan{20, 50, Effort{LabelledRounds: 15, ValidationRounds: 15, Warmup: 2, Instances: 1, MaxRetries: th.MaxRetries}}},
		{"fbnet", measure.EngineWebGPU, ModeQuick, Plan{10, 12, Effort{LabelledRounds: 3, ValidationRounds: 3, Warmup: 1, Instances: 1, MaxRetries: 0}}},
		{"ofa", measure.EngineWebGPU, ModeQuick, Plan{10, 10, Effort{LabelledRounds: 3, ValidationRounds: 3, Warmup: 1, Instances: 1, MaxRetries: 0}}},
		{"ofa", measure.EngineWebGPU, ModeThorough, Plan{20, 20, Effort{LabelledRounds: 15, ValidationRounds: 15, Warmup: 1, Instances: 1, MaxRetries: th.MaxRetries}}},
	}
	for _, tt := range tests {
		got := For(tt.space, tt.engine, tt.mode)
		if got != tt.want {
			t.Errorf("For(%q, %q, %q) = %+v, want %+v", tt.space, tt.engine, tt.mode, got, tt.want)
		}
		if err := got.Effort.Check(); err != nil {
			t.Errorf("For(%q, %q, %q): %v", tt.space, tt.engine, tt.mode, err)
		}
	}
	if err := Short.Effort.Check(); err != nil {
		t.Errorf("Short: %v", err)
	}
	// For returns a copy: changing it changes no plan.
	p := For("ofa", measure.EngineWebGPU, ModeQuick)
	p.Effort.Instances = 9
	if OFAQuick.Effort.Instances != 1 {
		t.Error("For shares its plans' efforts")
	}
}

// Options sets the phase's rounds, warm-up and re-measurements and keeps
// the rest of the preset; Runs counts warm-up, calibration and rounds.
func TestEffortOptions(t *testing.T) {
	e := Effort{LabelledRounds: 8, ValidationRounds: 3, Warmup: 0, Instances: 1, MaxRetries: 0}
	for _, tt := range []struct {
		labelled                 bool
		rounds, minSamples, runs int
	}{{true, 8, 4, 9}, {false, 3, 3, 4}} {
		o := e.Options(measure.Quick(), tt.labelled)
		if o.Rounds != tt.rounds || o.Warmup != 0 || o.MaxRetries != 0 || o.MinSamples != tt.minSamples || o.Quantile != measure.Quick().Quantile {
			t.Errorf("labelled %v: %+v", tt.labelled, o)
		}
		if r := e.Runs(tt.labelled); r != tt.runs {
			t.Errorf("labelled %v: %d runs, want %d", tt.labelled, r, tt.runs)
		}
	}
}

func TestEffortCheck(t *testing.T) {
	ok := Effort{LabelledRounds: 1, ValidationRounds: 1, Warmup: 0, Instances: 1, MaxRetries: 0}
	if err := ok.Check(); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	for _, tt := range []struct {
		change func(*Effort)
		want   string
	}{
		{func(e *Effort) { e.LabelledRounds = 0 }, "rounds"},
		{func(e *Effort) { e.ValidationRounds = 0 }, "rounds"},
		{func(e *Effort) { e.Warmup = -1 }, "warm-up"},
		{func(e *Effort) { e.Instances = 0 }, "instances"},
		{func(e *Effort) { e.MaxRetries = -1 }, "re-measurements"},
	} {
		e := ok
		tt.change(&e)
		if err := e.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an error about %s", e, err, tt.want)
		}
	}
}
