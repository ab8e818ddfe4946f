package worker

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space"
)

// withGPU gives f's service a simulated GPU: it runs NAS-Bench-201 with
// the latencies of the table's device gpuDevice. It returns how many
// networks it built.
func withGPU(t *testing.T, f *fixture, gpuDevice string) (built *int) {
	t.Helper()
	lat := f.table.Latency(gpuDevice)
	if lat == nil {
		t.Fatalf("no device %s", gpuDevice)
	}
	built = new(int)
	f.svc.cfg.GPU = &GPU{
		Adapter: measure.Adapter{Vendor: "google", Architecture: "swiftshader"},
		Spaces:  []string{"nasbench201"},
		Build: func(name string, a space.Arch) measure.Item {
			if name != "nasbench201" {
				t.Errorf("GPU asked to build a %s network", name)
			}
			*built++
			row, _ := f.table.RowOfArch(a.String())
			d := time.Duration(lat[row] * float64(time.Millisecond))
			return measure.ItemFunc(func() { f.clock.advance(d) })
		},
	}
	return built
}

func (f *fixture) result(t *testing.T, req protocol.Request) *protocol.Result {
	t.Helper()
	f.svc.Handle(req)
	ev, _ := f.await(t, req.ID)
	if ev.Kind != protocol.KindResult {
		t.Fatalf("request %d: %s %q, want a result", req.ID, ev.Kind, ev.Message)
	}
	return ev.Result
}

func (f *fixture) engine(t *testing.T, id int, engine string) protocol.Event {
	t.Helper()
	f.svc.Handle(protocol.Request{ID: id, Kind: protocol.KindEngine, Engine: engine})
	ev, _ := f.await(t, id)
	return ev
}

// TestGPUEngine: with a GPU, the worker profiles it through the same
// session and protocol as the CPU (its networks, its options), records
// the engine and adapter, keeps the CPU profile beside the GPU one, and
// a GPU device (here 1080ti_1's latencies) looks like a GPU to the atlas.
func TestGPUEngine(t *testing.T) {
	if protocol.EngineCPU != measure.EngineCPU || protocol.EngineGPU != measure.EngineWebGPU {
		t.Fatal("protocol's engine names are not measure's")
	}
	f := newFixture(t, "gold_6226")
	built := withGPU(t, f, "1080ti_1")
	if r := f.svc.Ready(0); r.GPU == nil || r.GPU.Adapter != "google swiftshader" || r.Engine != protocol.EngineCPU || r.NoGPU != "" {
		t.Fatalf("Ready = engine %q, GPU %+v, no-GPU %q; want the CPU, a google swiftshader GPU", r.Engine, r.GPU, r.NoGPU)
	}
	cpu := f.result(t, quick(1, 4))
	if cpu.Engine != protocol.EngineCPU || *built != 0 {
		t.Fatalf("CPU profile: engine %q, %d GPU networks built", cpu.Engine, *built)
	}

	ev := f.engine(t, 2, protocol.EngineGPU)
	if ev.Kind != protocol.KindReady || ev.Ready.Engine != protocol.EngineGPU || ev.Result != nil {
		t.Fatalf("switch to the GPU: %s %q, engine %v, result %v", ev.Kind, ev.Message, ev.Ready, ev.Result != nil)
	}
	gpu := f.result(t, quick(3, 4))
	if gpu.Engine != protocol.EngineGPU || gpu.Adapter != "google swiftshader" || !strings.Contains(gpu.Meta.Runtime, "gpu-webgpu on google swiftshader") {
		t.Errorf("GPU profile: engine %q, adapter %q, runtime %q", gpu.Engine, gpu.Adapter, gpu.Meta.Runtime)
	}
	if *built == 0 {
		t.Errorf("GPU profile built no GPU networks")
	}
	if !strings.Contains(gpu.ProfileJSON, `"engine": "gpu-webgpu"`) || !strings.Contains(gpu.ProfileJSON, `"architecture": "swiftshader"`) {
		t.Errorf("GPU profile JSON lacks its engine or adapter:\n%s", gpu.ProfileJSON)
	}
	// The request sent no effort: the GPU's quick plan's.
	e := plan.For("nasbench201", protocol.EngineGPU, protocol.ModeQuick).Effort
	for _, want := range []string{fmt.Sprintf(`"warmup": %d`, e.Warmup), fmt.Sprintf(`"rounds": %d`, e.LabelledRounds), fmt.Sprintf(`"instances": %d`, e.Instances), `"max_retries": 0`} {
		if !strings.Contains(gpu.ProfileJSON, want) {
			t.Errorf("GPU profile does not record the GPU's plan: no %s", want)
		}
	}
	if !strings.Contains(cpu.ProfileJSON, `"rounds": 10`) || !strings.Contains(cpu.ProfileJSON, `"instances": 2`) {
		t.Errorf("the GPU's plan leaked into the CPU profile:\n%s", cpu.ProfileJSON)
	}
	// The simulated GPU's timings are 1080ti_1's, and the atlas sees a GPU.
	lat := f.table.Latency("1080ti_1")
	for _, am := range gpu.Reference {
		row, _ := f.table.RowOfArch(am.Arch)
		if rel := math.Abs(am.MS-lat[row]) / lat[row]; rel > 0.01 {
			t.Errorf("GPU reference %s: %v ms, simulated %v", am.Arch, am.MS, lat[row])
		}
	}
	gpus := 0
	for _, n := range gpu.Nearest[:3] {
		if strings.Contains(n.Device, "1080ti") || strings.Contains(n.Device, "titan") {
			gpus++
		}
	}
	if gpus < 2 {
		t.Errorf("nearest to a GPU: %+v, want GPUs first", gpu.Nearest)
	}
	if len(gpu.Validation) != 5 || gpu.Summary == "" {
		t.Errorf("GPU validation: %d comparisons, summary %q", len(gpu.Validation), gpu.Summary)
	}
	// The same seed draws the same networks on both engines.
	if gpu.Validation[0].Points[0].Arch != cpu.Validation[0].Points[0].Arch {
		t.Errorf("seed 4 validated on %s on the GPU, %s on the CPU", gpu.Validation[0].Points[0].Arch, cpu.Validation[0].Points[0].Arch)
	}

	// Back on the CPU: its profile is still there.
	ev = f.engine(t, 4, protocol.EngineCPU)
	if ev.Kind != protocol.KindReady || ev.Result == nil || ev.Result.Engine != protocol.EngineCPU || ev.Result.Reference[0] != cpu.Reference[0] {
		t.Fatalf("back to the CPU: %s %q, result %+v", ev.Kind, ev.Message, ev.Result)
	}
	// And the GPU's, switching again.
	if ev = f.engine(t, 5, protocol.EngineGPU); ev.Result == nil || ev.Result.Engine != protocol.EngineGPU {
		t.Fatalf("back to the GPU: %s %q", ev.Kind, ev.Message)
	}

	// A GPU profile imported where there is no GPU predicts but does
	// not time.
	g := newFixture(t, "gold_6226")
	g.svc.cfg.NoGPU = "this browser has no navigator.gpu"
	if r := g.svc.Ready(0); r.GPU != nil || r.NoGPU != "this browser has no navigator.gpu" {
		t.Errorf("Ready without a GPU: %+v, %q", r.GPU, r.NoGPU)
	}
	if ev := g.engine(t, 1, protocol.EngineGPU); ev.Kind != protocol.KindError || !strings.Contains(ev.Message, "no navigator.gpu") {
		t.Errorf("switch to a GPU that is not there: %s %q", ev.Kind, ev.Message)
	}
	g.svc.Handle(protocol.Request{ID: 2, Kind: protocol.KindImport, ProfileJSON: gpu.ProfileJSON})
	ev, _ = g.await(t, 2)
	if ev.Kind != protocol.KindResult || ev.Result.Engine != protocol.EngineGPU || ev.Ready == nil || ev.Ready.Engine != protocol.EngineGPU {
		t.Fatalf("import of a GPU profile: %s %q", ev.Kind, ev.Message)
	}
	arch := gpu.Support[0].Arch
	g.svc.Handle(protocol.Request{ID: 3, Kind: protocol.KindPredict, Arch: arch})
	if ev, _ := g.await(t, 3); ev.Kind != protocol.KindPrediction {
		t.Errorf("predict from an imported GPU profile: %s %q", ev.Kind, ev.Message)
	}
	g.svc.Handle(protocol.Request{ID: 4, Kind: protocol.KindMeasure, Arch: arch})
	if ev, _ := g.await(t, 4); ev.Kind != protocol.KindError || !strings.Contains(ev.Message, "cannot time networks on the GPU: this browser has no navigator.gpu") {
		t.Errorf("measure on an absent GPU: %s %q", ev.Kind, ev.Message)
	}
	g.svc.Handle(quick(5, 1))
	if ev, _ := g.await(t, 5); ev.Kind != protocol.KindError {
		t.Errorf("profile on an absent GPU: %s %q", ev.Kind, ev.Message)
	}
}
