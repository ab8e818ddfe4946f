//go:build js && wasm

// Command webgputest is the test-only WebAssembly program behind
// engine/webgpu's browser tests (not part of the product page). It opens
// the GPU, then per ?mode=:
//
//	check  runs the kernel checks (convolutions of the default algorithm;
//	       &algos=all for every algorithm) and 20 random NAS-Bench-201
//	       networks on the GPU beside the CPU engine, reporting each one's
//	       error;
//	kernels runs the kernel checks whose names contain &filter=, every
//	       algorithm;
//	bench  times forwards of the smallest, median and largest networks by
//	       FLOPs and of noop plans of the same dispatch count.
//
// It writes one JSON document into #out and sets body's data-state to
// "done" (or "error" when it could not run at all).
package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall/js"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/engine/webgpu"
	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

type kernelResult struct {
	Name   string  `json:"name"`
	N      int     `json:"n"`
	MaxErr float64 `json:"max_err"` // max |gpu-want|/max(1,|want|)
	Ms     float64 `json:"ms"`      // building, running and reading the check
	Error  string  `json:"error,omitempty"`
}

type netResult struct {
	Arch      string    `json:"arch"`
	Seed      uint64    `json:"seed"`
	ScaledErr float64   `json:"scaled_err"` // max |gpu-cpu| / max(1, max|cpu|)
	GPU       []float32 `json:"gpu"`
	CPU       []float32 `json:"cpu"`
	Error     string    `json:"error,omitempty"`
}

type benchResult struct {
	Which      string               `json:"which"`
	Arch       string               `json:"arch"`
	MFLOPs     float64              `json:"mflops"`
	Dispatches int                  `json:"dispatches"`
	Reps       map[string]int       `json:"reps"`     // forwards per sample
	Ms         map[string][]float64 `json:"ms"`       // per forward, one per sample, sorted; by convolution algorithm, and "noop"
	BuildMs    float64              `json:"build_ms"` // NewNASBench201 (pipelines cached after the first network)
	ReadMs     float64              `json:"read_ms"`  // one ReadOutput
	Error      string               `json:"error,omitempty"`
}

type result struct {
	Adapter webgpu.AdapterInfo `json:"adapter"`
	Kernels []kernelResult     `json:"kernels,omitempty"`
	Nets    []netResult        `json:"nets,omitempty"`
	Bench   []benchResult      `json:"bench,omitempty"`
	Millis  float64            `json:"ms"`
	Error   string             `json:"error,omitempty"`
}

func now() float64 { return js.Global().Get("performance").Call("now").Float() }

func main() {
	search := js.Global().Get("location").Get("search").String() // "?mode=..." or ""
	q, _ := url.ParseQuery(strings.TrimPrefix(search, "?"))
	seed, err := strconv.ParseUint(q.Get("seed"), 10, 64)
	if err != nil {
		seed = 1
	}
	t0 := now()
	var res result
	state := "done"
	dev, err := webgpu.Open()
	if err != nil {
		res.Error, state = err.Error(), "error"
	} else {
		res.Adapter = dev.Info()
		switch q.Get("mode") {
		case "bench":
			res.Bench = bench(dev, q.Get("algos"))
		case "kernels":
			res.Kernels = checkKernels(dev, seed, q.Get("filter"), false)
		default:
			res.Kernels, res.Nets = check(dev, seed, q.Get("algos") != "all")
		}
	}
	res.Millis = now() - t0
	b, _ := json.Marshal(res)
	doc := js.Global().Get("document")
	doc.Call("getElementById", "out").Set("textContent", string(b))
	doc.Get("body").Get("dataset").Set("state", state)
}

// checkKernels runs the kernel checks whose names contain filter; with
// defaultOnly, convolution checks only of the default algorithm (the one
// the networks use; compiling every algorithm's pipelines takes a while on
// SwiftShader).
func checkKernels(dev *webgpu.Device, seed uint64, filter string, defaultOnly bool) []kernelResult {
	var ks []kernelResult
	for _, c := range webgpu.KernelChecks(seed) {
		k := c.Plan.Kernels[0]
		if !strings.Contains(c.Name, filter) || defaultOnly && k.Kind == webgpu.KindConv && k.Algo != webgpu.ConvAlgos()[0] {
			continue
		}
		t0 := now()
		r := kernelResult{Name: c.Name, N: len(c.Want)}
		if got, err := dev.RunCheck(c); err != nil {
			r.Error = err.Error()
		} else {
			r.MaxErr = approx.MaxRelErr(got, c.Want)
		}
		r.Ms = now() - t0
		ks = append(ks, r)
	}
	return ks
}

func check(dev *webgpu.Device, seed uint64, defaultOnly bool) ([]kernelResult, []netResult) {
	ks := checkKernels(dev, seed, "", defaultOnly)
	rng := rand.New(rand.NewPCG(seed, 20))
	var ns []netResult
	for i := range 20 {
		a := nasbench201.FromIndex(rng.IntN(nasbench201.NumArchs))
		s := seed*1000 + uint64(i)
		r := netResult{Arch: a.String(), Seed: s}
		cpu := engine.New(a, s)
		cpu.Forward()
		r.CPU = append([]float32(nil), cpu.Output()...)
		n, err := dev.NewNASBench201(a, s)
		if err == nil {
			n.Forward()
			var out []float32
			if out, err = n.ReadOutput(); err == nil {
				err = n.Err()
			}
			r.GPU = append([]float32(nil), out...)
			n.Close()
		}
		if err != nil {
			r.Error = err.Error()
		} else {
			scale := 1.0
			for _, v := range r.CPU {
				scale = math.Max(scale, math.Abs(float64(v)))
			}
			for j := range r.CPU {
				r.ScaledErr = math.Max(r.ScaledErr, math.Abs(float64(r.GPU[j])-float64(r.CPU[j]))/scale)
			}
		}
		ns = append(ns, r)
	}
	return ks, ns
}

// rounds is the number of interleaved samples per network.
const rounds = 5

// bench times the smallest, median and largest cells by FLOPs (ties by
// index, as engine's BenchmarkForward) with each convolution algorithm
// and a noop plan of the same dispatch count: after 3 warm-up forwards of
// each, rounds rounds of one sample of each, a sample being enough
// forwards to last about 30 ms (at least one). Then the CPU engine
// (engine.New, this WebAssembly program's thread) on the same network.
//
// algos is a comma-separated list of convolution algorithms (ConvAlgo
// names); empty means all.
func bench(dev *webgpu.Device, algoList string) []benchResult {
	all := nasbench201.Enumerate()
	sort.SliceStable(all, func(i, j int) bool { return nasbench201.FLOPs(all[i]) < nasbench201.FLOPs(all[j]) })
	picks := []struct {
		which string
		a     nasbench201.Arch
	}{{"smallest", all[0]}, {"median", all[len(all)/2]}, {"largest", all[len(all)-1]}}
	var algos []webgpu.ConvAlgo
	for _, a := range webgpu.ConvAlgos() {
		if algoList == "" || slices.Contains(strings.Split(algoList, ","), a.String()) {
			algos = append(algos, a)
		}
	}
	var out []benchResult
	for _, p := range picks {
		r := benchResult{Which: p.which, Arch: p.a.String(), MFLOPs: float64(nasbench201.FLOPs(p.a)) / 1e6,
			Reps: map[string]int{}, Ms: map[string][]float64{}}
		out = append(out, r)
		res := &out[len(out)-1]
		names := []string{}
		nets := []*webgpu.Net{}
		for i, algo := range algos {
			t0 := now()
			pl, err := webgpu.BuildNASBench201With(p.a, 1, webgpu.Options{Conv: algo})
			if err != nil {
				res.Error = err.Error()
				break
			}
			n, err := dev.NewPlan(pl)
			if err != nil {
				res.Error = err.Error()
				break
			}
			if i == 0 {
				res.BuildMs = now() - t0
				e, err := dev.NewPlan(webgpu.EmptyLike(pl))
				if err != nil {
					res.Error = err.Error()
					break
				}
				names, nets = append(names, "noop"), append(nets, e)
				res.Dispatches = len(pl.Dispatches)
			}
			names, nets = append(names, algo.String()), append(nets, n)
		}
		if res.Error != "" {
			continue
		}
		for i, n := range nets {
			for range 3 {
				n.Forward()
			}
			t0 := now()
			n.Forward()
			res.Reps[names[i]] = max(1, int(math.Ceil(30/max(now()-t0, 0.01))))
		}
		for range rounds {
			for i, n := range nets {
				reps := res.Reps[names[i]]
				t0 := now()
				for range reps {
					n.Forward()
				}
				res.Ms[names[i]] = append(res.Ms[names[i]], (now()-t0)/float64(reps))
			}
		}
		// The CPU engine on the same network in the same page, for scale.
		cpu := engine.New(p.a, 1)
		cpu.Forward()
		t0 := now()
		cpu.Forward()
		cpuReps := max(1, int(math.Ceil(30/max(now()-t0, 0.01))))
		res.Reps["cpu"] = cpuReps
		for range rounds {
			t0 := now()
			for range cpuReps {
				cpu.Forward()
			}
			res.Ms["cpu"] = append(res.Ms["cpu"], (now()-t0)/float64(cpuReps))
		}
		slices.Sort(res.Ms["cpu"])
		t0 = now()
		if _, err := nets[1].ReadOutput(); err != nil {
			res.Error = "read: " + err.Error()
		}
		res.ReadMs = now() - t0
		for i, n := range nets {
			if err := n.Err(); err != nil {
				res.Error = names[i] + ": " + err.Error()
			}
			slices.Sort(res.Ms[names[i]])
			n.Close()
		}
	}
	return out
}
