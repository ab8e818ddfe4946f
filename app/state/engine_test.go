package state

import (
	"math"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func gpuReady(engine string) *protocol.Ready {
	return &protocol.Ready{Space: "nasbench201", Engine: engine,
		GPU: &protocol.GPU{Adapter: "google swiftshader", Spaces: []string{"nasbench201"}}}
}

// result is a profile on engine whose reference network i takes ms(i).
func result(engine string, seed uint64, ms func(i int) float64) *protocol.Result {
	r := &protocol.Result{Space: "nasbench201", Mode: protocol.ModeQuick, Engine: engine, Seed: seed}
	for i := range 10 {
		r.Reference = append(r.Reference, protocol.ArchMS{Arch: nasbench201.FromIndex(100 + i).String(), MS: ms(i)})
	}
	r.Validation = []protocol.Comparison{{Method: "auto", Points: []protocol.XYPair{{Arch: nasbench201.FromIndex(7).String(), Measured: ms(10)}}}}
	r.Support = []protocol.ArchMS{{Arch: nasbench201.FromIndex(9).String(), MS: ms(11)}}
	return r
}

func TestNoGPU(t *testing.T) {
	tests := []struct {
		name  string
		ready *protocol.Ready
		space string
		want  string
		title func(string) string // App.SpaceTitle
	}{
		{"no adapter", &protocol.Ready{Space: "nasbench201", NoGPU: "navigator.gpu is undefined (WebGPU is off in this browser)"}, "nasbench201",
			"No GPU profile here: navigator.gpu is undefined (WebGPU is off in this browser). The CPU works as before.", nil},
		{"silent", &protocol.Ready{Space: "nasbench201"}, "nasbench201", "this browser offers no WebGPU adapter", nil},
		{"other space", gpuReady(protocol.EngineCPU), "fbnet", "offered for nasbench201 only: its WebGPU engine does not run fbnet yet.", nil},
		{"other space, titled", gpuReady(protocol.EngineCPU), "fbnet", "offered for NAS-Bench-201 only: its WebGPU engine does not run FBNet yet.",
			func(name string) string {
				return map[string]string{"nasbench201": "NAS-Bench-201", "fbnet": "FBNet"}[name]
			}},
		{"offered", gpuReady(protocol.EngineCPU), "nasbench201", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(&fakePlatform{}, nasbench201.Space{}, fbnet.Space{})
			a.SpaceTitle = tt.title
			a.Apply(protocol.Event{Kind: protocol.KindReady, Ready: tt.ready})
			if tt.space != "nasbench201" {
				a.enter(fbnet.Space{})
			}
			got := a.NoGPU()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) || a.GPUOffered() != (tt.want == "") {
				t.Errorf("NoGPU() = %q (offered %v), want %q", got, a.GPUOffered(), tt.want)
			}
		})
	}
}

// TestEngineSwitch: the page switches engine through the worker, shows
// each engine's profile, profiles the GPU with the CPU profile's seed,
// and compares the two on the networks both timed.
func TestEngineSwitch(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	a.Apply(protocol.Event{Kind: protocol.KindReady, Ready: gpuReady(protocol.EngineCPU)})
	if a.Engine() != protocol.EngineCPU || !a.GPUOffered() {
		t.Fatalf("engine %q, offered %v", a.Engine(), a.GPUOffered())
	}
	a.StartProfile()
	seed := p.Posted[len(p.Posted)-1].Profile.Seed
	cpu := result(protocol.EngineCPU, seed, func(i int) float64 { return float64(1 + i) })
	a.Apply(protocol.Event{ID: a.busyID, Kind: protocol.KindResult, Result: cpu})
	if a.EnginePair() != nil {
		t.Error("a comparison with only the CPU profile")
	}

	a.SwitchEngine(protocol.EngineGPU)
	req := p.Posted[len(p.Posted)-1]
	if req.Kind != protocol.KindEngine || req.Engine != protocol.EngineGPU || a.Busy != Switching {
		t.Fatalf("switch posted %+v, busy %q", req, a.Busy)
	}
	a.Apply(protocol.Event{ID: req.ID, Kind: protocol.KindReady, Ready: gpuReady(protocol.EngineGPU)})
	if a.Engine() != protocol.EngineGPU || a.Result != nil || a.Busy != Idle {
		t.Fatalf("on the GPU: engine %q, result %v, busy %q", a.Engine(), a.Result != nil, a.Busy)
	}
	if a.Following() != cpu {
		t.Error("the GPU profile does not follow the CPU's")
	}
	a.StartProfile()
	if got := p.Posted[len(p.Posted)-1].Profile; got.Seed != seed || got.Support != 1 || got.Validation != 1 {
		t.Errorf("GPU profile %+v, want the CPU profile's seed %d, 1 support and 1 validation network (same networks)", got, seed)
	}
	// The GPU: 5 ms per reference network, but network 3 takes 1 ms
	// and network 8 takes 100 ms.
	gpu := result(protocol.EngineGPU, seed, func(i int) float64 {
		switch i {
		case 3:
			return 1
		case 8:
			return 100
		}
		return 5 + 0.1*float64(i)
	})
	a.Apply(protocol.Event{ID: a.busyID, Kind: protocol.KindResult, Result: gpu})
	if a.Result != gpu {
		t.Fatal("the GPU profile is not shown")
	}
	ep := a.EnginePair()
	if ep == nil || len(ep.Points) != 12 {
		t.Fatalf("comparison %+v, want 12 networks", ep)
	}
	if ep.Points[0].Predicted != 1 || ep.Points[0].Measured != 5 {
		t.Errorf("first point %+v, want the CPU's fastest (1 ms) at 5 ms on the GPU", ep.Points[0])
	}
	if ep.Best.Arch != cpu.Reference[3].Arch || math.Abs(ep.BestRatio-0.25) > 1e-12 {
		t.Errorf("best %s at %v, want reference 3 at 1/4", ep.Best.Arch, ep.BestRatio)
	}
	if ep.Worst.Arch != cpu.Reference[8].Arch || math.Abs(ep.WorstRatio-100.0/9) > 1e-12 {
		t.Errorf("worst %s at %v, want reference 8 at 100/9", ep.Worst.Arch, ep.WorstRatio)
	}
	if !(ep.Spearman > 0 && ep.Spearman < 1) {
		t.Errorf("Spearman %v, want in (0, 1)", ep.Spearman)
	}

	// Back to the CPU: the worker sends the CPU profile; both stay held.
	a.SwitchEngine(protocol.EngineCPU)
	req = p.Posted[len(p.Posted)-1]
	a.Apply(protocol.Event{ID: req.ID, Kind: protocol.KindReady, Ready: gpuReady(protocol.EngineCPU), Result: cpu})
	if a.Result != cpu || a.EnginePair() == nil {
		t.Errorf("back on the CPU: result %v, comparison %v", a.Result == cpu, a.EnginePair() != nil)
	}
	// Both engines timed seed's networks: the next profile draws new ones.
	a.StartProfile()
	next := p.Posted[len(p.Posted)-1].Profile
	if next.Seed == seed || next.Validation != plan.Quick.Validation {
		t.Errorf("second CPU profile %+v, want a new seed and %d validation networks", next, plan.Quick.Validation)
	}
	a.Apply(protocol.Event{ID: a.busyID, Kind: protocol.KindResult, Result: result(protocol.EngineCPU, next.Seed, func(i int) float64 { return float64(2 + i) })})
	// And the GPU follows the CPU's new networks.
	a.SwitchEngine(protocol.EngineGPU)
	req = p.Posted[len(p.Posted)-1]
	a.Apply(protocol.Event{ID: req.ID, Kind: protocol.KindReady, Ready: gpuReady(protocol.EngineGPU), Result: gpu})
	a.StartProfile()
	if got := p.Posted[len(p.Posted)-1].Profile.Seed; got != next.Seed {
		t.Errorf("second GPU profile seed %d, want the new CPU profile's %d", got, next.Seed)
	}
}

func TestSwitchEngineWithoutGPU(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	a.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201", NoGPU: "no adapter"}})
	a.SwitchEngine(protocol.EngineGPU)
	if len(p.Posted) != 0 || !strings.Contains(a.Error, "no adapter") {
		t.Errorf("posted %+v, error %q; want nothing posted and the reason", p.Posted, a.Error)
	}
}
