package state

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/internal/orderstat"
	"github.com/helpwasm/helpwasm/rank"
)

// Engine is what the page times networks on now: protocol.EngineCPU or
// EngineGPU.
func (a *App) Engine() string {
	if a.Ready == nil || a.Ready.Engine == "" {
		return protocol.EngineCPU
	}
	return a.Ready.Engine
}

// GPUOffered says whether the device choice offers the GPU: the worker
// found a WebGPU adapter and its engine runs the page's space.
func (a *App) GPUOffered() bool {
	return a.Ready != nil && a.Ready.GPU != nil && slices.Contains(a.Ready.GPU.Spaces, a.Space.Name())
}

// NoGPU is the one line saying why the GPU is not offered ("" when it
// is, or before the worker is ready).
func (a *App) NoGPU() string {
	switch {
	case a.Ready == nil || a.GPUOffered():
		return ""
	case a.Ready.GPU != nil:
		titles := make([]string, len(a.Ready.GPU.Spaces))
		for i, name := range a.Ready.GPU.Spaces {
			titles[i] = a.title(name)
		}
		return fmt.Sprintf("The GPU (%s) is offered for %s only: its WebGPU engine does not run %s yet.", a.Ready.GPU.Adapter, strings.Join(titles, ", "), a.title(a.Space.Name()))
	case a.Ready.NoGPU != "":
		return "No GPU profile here: " + strings.TrimSuffix(a.Ready.NoGPU, ".") + ". The CPU works as before."
	}
	return "No GPU profile here: this browser offers no WebGPU adapter. The CPU works as before."
}

// SwitchEngine asks the worker to time networks on engine from now on;
// the page then shows that engine's profile in this space, if it has
// one, and keeps the other's for the comparison.
func (a *App) SwitchEngine(engine string) {
	if engine == a.Engine() || !a.CanStart() {
		return
	}
	if engine == protocol.EngineGPU && !a.GPUOffered() {
		a.Error = a.NoGPU()
		return
	}
	a.start(Switching, a.post(protocol.KindEngine, func(r *protocol.Request) { r.Engine = engine }))
	a.switchTo, a.engineTo = "", engine
}

// SwitchingEngine names the engine being switched to, "" when not
// switching engine.
func (a *App) SwitchingEngine() string {
	if a.Busy == Switching && a.switchTo == "" {
		return a.engineTo
	}
	return ""
}

// EngineLabel names an engine for the visitor.
func EngineLabel(engine string) string {
	if engine == protocol.EngineGPU {
		return "GPU (WebGPU)"
	}
	return "CPU (WebAssembly)"
}

// hold remembers r as its engine's profile in the page's space, for the
// CPU-GPU comparison.
func (a *App) hold(r *protocol.Result) {
	if r == nil {
		return
	}
	if a.held == nil {
		a.held = map[string]*protocol.Result{}
	}
	e := r.Engine
	if e == "" {
		e = protocol.EngineCPU
	}
	a.held[e] = r
}

// Held is the page's profile on engine in this space (nil if none).
func (a *App) Held(engine string) *protocol.Result { return a.held[engine] }

// Following is the other engine's profile whose networks the next
// profile times (its seed and sizes), so that both engines time the same
// networks and the comparison has every one of them: one held in this
// space, measured in the same mode, whose networks this engine has not
// timed yet. nil: the next profile draws new networks.
func (a *App) Following() *protocol.Result {
	mine := a.held[a.Engine()]
	for e, r := range a.held {
		if e != a.Engine() && r.Mode == a.Mode && r.Seed != 0 && !r.Imported && (mine == nil || mine.Seed != r.Seed) {
			return r
		}
	}
	return nil
}

// plan is the next profile's seed and sizes, and whether it follows the
// other engine's profile (Following).
func (a *App) plan() (seed uint64, support, validation int, follows bool) {
	if r := a.Following(); r != nil {
		val := 0
		if len(r.Validation) > 0 {
			val = len(r.Validation[0].Points)
		}
		return r.Seed, len(r.Support), val, true
	}
	support, validation = a.Sizes()
	return a.Seed, support, validation, false
}

// EnginePair is the same networks timed on the CPU and on the GPU.
type EnginePair struct {
	Points []protocol.XYPair // Predicted: CPU ms, Measured: GPU ms
	// Spearman ranks the networks' GPU latencies against their CPU ones.
	Spearman float64
	// Ratio is GPU/CPU latency: its median and the networks where it is
	// smallest and largest (the GPU's relative best and worst).
	MedianRatio           float64
	Best, Worst           protocol.XYPair
	BestRatio, WorstRatio float64
}

// EnginePair compares the CPU and GPU profiles held in this space on
// every network both timed (the reference and anchor networks always,
// the support and validation networks too when both used one seed); nil
// without both, or with fewer than 3 networks in common.
func (a *App) EnginePair() *EnginePair {
	cpu, gpu := a.held[protocol.EngineCPU], a.held[protocol.EngineGPU]
	if cpu == nil || gpu == nil || cpu.Space != gpu.Space {
		return nil
	}
	onGPU := timedMS(gpu)
	var pts []protocol.XYPair
	for arch, ms := range timedMS(cpu) {
		if g, ok := onGPU[arch]; ok {
			pts = append(pts, protocol.XYPair{Arch: arch, Predicted: ms, Measured: g})
		}
	}
	if len(pts) < 3 {
		return nil
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].Predicted < pts[j].Predicted })
	xs, ys, ratio := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i], ratio[i] = p.Predicted, p.Measured, p.Measured/p.Predicted
	}
	ep := &EnginePair{Points: pts, Spearman: rank.Spearman(xs, ys)}
	lo, hi := 0, 0
	for i, r := range ratio {
		if r < ratio[lo] {
			lo = i
		}
		if r > ratio[hi] {
			hi = i
		}
	}
	ep.Best, ep.BestRatio, ep.Worst, ep.WorstRatio = pts[lo], ratio[lo], pts[hi], ratio[hi]
	ep.MedianRatio = orderstat.Median(ratio)
	return ep
}

// timedMS is every network r measured, by architecture.
func timedMS(r *protocol.Result) map[string]float64 {
	out := map[string]float64{}
	for _, am := range slices.Concat(r.Reference, r.Anchors, r.Support) {
		out[am.Arch] = am.MS
	}
	// Validation networks' measured ms are the same in every comparison.
	if len(r.Validation) > 0 {
		for _, p := range r.Validation[0].Points {
			out[p.Arch] = p.Measured
		}
	}
	return out
}

// enterEngine shows the page on another engine in the same space: no
// profile until the worker sends that engine's, and nothing derived from
// the other engine's (predictions, explore, measured networks), which
// stays held for the comparison.
func (a *App) enterEngine() {
	a.Result, a.Step, a.Exported = nil, 0, ""
	a.Prediction, a.Measured, a.Explored, a.BudgetMS = nil, nil, nil, 0
	a.Progress, a.Timed = map[string]protocol.Progress{}, nil
}

// title is the visitor's name for a space (SpaceTitle, else its Name).
func (a *App) title(name string) string {
	if a.SpaceTitle == nil {
		return name
	}
	return a.SpaceTitle(name)
}
