package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/dataset"
	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/measure"
)

// degenerateWeights writes a copy of the authors' checkpoint that cannot
// adapt (inner rates 0) and predicts bias for every architecture (fc5
// weights 0): bias 0.3 gives constant predictions (Spearman undefined),
// 1e307 about 1.6e308 ms, -1e307 0 ms. Every value is finite, so it loads.
func degenerateWeights(t *testing.T, bias float64) string {
	t.Helper()
	src := filepath.Join(shareddata.Dir(t), "nasbench201", "help_reference_checkpoint.json")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	type tensor struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var ck map[string]json.RawMessage
	if err := json.Unmarshal(b, &ck); err != nil {
		t.Fatal(err)
	}
	var model, taskLR map[string]*tensor
	if err := json.Unmarshal(ck["model"], &model); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ck["task_lr"], &taskLR); err != nil {
		t.Fatal(err)
	}
	for _, lr := range taskLR {
		clear(lr.Data)
	}
	clear(model["meta_learner.fc5.weight"].Data)
	model["meta_learner.fc5.bias"].Data[0] = bias
	for key, v := range map[string]any{"model": model, "task_lr": taskLR} {
		if ck[key], err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	if b, err = json.Marshal(ck); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "degenerate.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// atlasProfile is a profile of the atlas's known device dev: its reference
// and anchor latencies and the first 10 pool architectures as support.
func atlasProfile(t *testing.T, at *atlas.Atlas, dev atlas.Device) string {
	t.Helper()
	p := &measure.Profile{
		Format: measure.Format, Version: measure.Version, Space: at.Space, Device: dev.Name,
		Created:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Runtime:  measure.Runtime{GOOS: "linux", GOARCH: "amd64", GoVersion: "go1.26", ClockResolutionNS: 1},
		Protocol: measure.ProtocolOf("quick", measure.Quick()),
		Anchors: measure.Anchors{
			Fastest: measure.Timing{Arch: at.Anchors.Fastest, MS: dev.AnchorMS[0]},
			Slowest: measure.Timing{Arch: at.Anchors.Slowest, MS: dev.AnchorMS[1]},
		},
	}
	for i, a := range at.Reference {
		p.Reference = append(p.Reference, measure.Timing{Arch: a, MS: dev.ReferenceMS[i]})
	}
	for i := range 10 {
		p.Support = append(p.Support, measure.Timing{Arch: at.PoolArchs[i], MS: float64(dev.PoolMS[i])})
	}
	path := filepath.Join(t.TempDir(), "profile.json")
	if err := writeProfileFile(path, p); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDegeneratePredictionsRefused: predict refuses to print 1.6e308 (or
// +Inf) and 0 ms (it printed them and exited 0), profile refuses such weights before it
// times anything (it measured everything and only then failed), and eval
// reports undefined Spearman as undefined and fails when every score is
// (it printed "mean NaN NaN").
func TestDegeneratePredictionsRefused(t *testing.T) {
	data := shareddata.Dir(t)
	at := testAtlas(t)
	dev, ok := at.Device("gold_6226")
	if !ok {
		dev = at.Devices[0]
	}
	prof := atlasProfile(t, at, dev)
	archs := []string{at.PoolArchs[20], at.PoolArchs[21]}
	for _, tt := range []struct {
		bias float64
		want string
	}{{1e307, "predicts 1.617e+308 ms"}, {-1e307, "predicts 0 ms"}} {
		w := degenerateWeights(t, tt.bias)
		var out bytes.Buffer
		err := run([]string{"predict", "-profile", prof, "-weights", w, "-data", data, "-method", "help", "-arch", archs[0], "-arch", archs[1]}, &out, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), archs[0]) {
			t.Errorf("predict with fc5 bias %g: error %v, want one naming %s and %q", tt.bias, err, archs[0], tt.want)
		}
		if out.Len() > 0 {
			t.Errorf("predict with fc5 bias %g printed %q", tt.bias, out.String())
		}
		var progress bytes.Buffer
		start := time.Now()
		err = run([]string{"profile", "-weights", w, "-data", data, "-samples", "2", "-validate", "0", "-rounds", "1"}, &bytes.Buffer{}, &progress)
		if err == nil || !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), "reference architectures") {
			t.Errorf("profile with fc5 bias %g: error %v, want one naming the weights", tt.bias, err)
		}
		if progress.Len() > 0 {
			t.Errorf("profile with fc5 bias %g measured before failing (%s): %q", tt.bias, time.Since(start), progress.String())
		}
	}

	w := degenerateWeights(t, 0.3)
	for _, args := range [][]string{
		{"eval", "-data", data, "-weights", w, "-test", "gold_6226,fpga", "-seeds", "2"},
		{"eval", "-data", data, "-weights", w, "-test", "gold_6226,fpga", "-seeds", "2", "-json"},
	} {
		var out bytes.Buffer
		err := run(args, &out, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "undefined") {
			t.Errorf("%q: error %v, want one saying every score is undefined", args, err)
		}
		if strings.Contains(out.String(), "NaN") {
			t.Errorf("%q printed NaN:\n%s", args, out.String())
		}
		if !strings.Contains(out.String(), "undefined") && !strings.Contains(out.String(), "null") {
			t.Errorf("%q does not report the undefined scores:\n%s", args, out.String())
		}
	}
}

// TestEvalReportUndefined: a device with some undefined seeds shows the
// mean of the others and says how many; one with none defined says
// "undefined" and the mean skips it; no NaN is printed either way.
func TestEvalReportUndefined(t *testing.T) {
	nan := math.NaN()
	r := &evalReport{Space: "nasbench201", Method: "help", Samples: 10, Seeds: 2, Devices: []string{"a", "b", "c"},
		Scores: map[string]dataset.Scores{
			"a": {Spearman: []float64{0.5, 0.7}, Kendall: []float64{0.4, 0.6}},
			"b": {Spearman: []float64{nan, 0.9}, Kendall: []float64{nan, 0.8}},
			"c": {Spearman: []float64{nan, nan}, Kendall: []float64{nan, nan}},
		}}
	var out bytes.Buffer
	if err := r.writeText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0.900 ± 0.000 (1 of 2 undefined)", "c       undefined", "mean    0.750", "means over the 2 of 3 devices"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "NaN") {
		t.Errorf("text report has NaN:\n%s", out.String())
	}
	out.Reset()
	if err := r.writeJSON(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"c":{"spearman":null,"spearman_std":null,"kendall":null}`) || !strings.Contains(out.String(), `"mean_spearman":0.75`) {
		t.Errorf("JSON %s", out.String())
	}
	var back evalJSON
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Errorf("JSON does not read back: %v", err)
	}
}
