//go:build js && wasm

// Command webgputest is the test-only WebAssembly program behind
// engine/webgpu's browser tests (not part of the product page). It opens
// the GPU, then per ?mode=:
//
//	check  runs every kernel check and 20 random NAS-Bench-201 networks on
//	       the GPU beside the CPU engine, reporting each one's error;
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
	Which      string    `json:"which"`
	Arch       string    `json:"arch"`
	MFLOPs     float64   `json:"mflops"`
	Dispatches int       `json:"dispatches"`
	Reps       int       `json:"reps"`       // forwards per sample
	ForwardMs  []float64 `json:"forward_ms"` // per forward, one per sample
	EmptyMs    []float64 `json:"empty_ms"`   // the noop plan, interleaved
	BuildMs    float64   `json:"build_ms"`   // NewNASBench201 (pipelines cached after the first)
	ReadMs     float64   `json:"read_ms"`    // one ReadOutput
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
		if q.Get("mode") == "bench" {
			res.Bench = bench(dev)
		} else {
			res.Kernels, res.Nets = check(dev, seed)
		}
	}
	res.Millis = now() - t0
	b, _ := json.Marshal(res)
	doc := js.Global().Get("document")
	doc.Call("getElementById", "out").Set("textContent", string(b))
	doc.Get("body").Get("dataset").Set("state", state)
}

func check(dev *webgpu.Device, seed uint64) ([]kernelResult, []netResult) {
	var ks []kernelResult
	for _, c := range webgpu.KernelChecks(seed) {
		r := kernelResult{Name: c.Name, N: len(c.Want)}
		if got, err := dev.RunCheck(c); err != nil {
			r.Error = err.Error()
		} else {
			r.MaxErr = approx.MaxRelErr(got, c.Want)
		}
		ks = append(ks, r)
	}
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

// bench times the smallest, median and largest cells by FLOPs (ties by
// index, as engine's BenchmarkForward): after 5 warm-up forwards, 7 rounds,
// each one sample of the network then one of a noop plan with its
// dispatch count, each sample enough forwards to last about 30 ms.
func bench(dev *webgpu.Device) []benchResult {
	all := nasbench201.Enumerate()
	sort.SliceStable(all, func(i, j int) bool { return nasbench201.FLOPs(all[i]) < nasbench201.FLOPs(all[j]) })
	picks := []struct {
		which string
		a     nasbench201.Arch
	}{{"smallest", all[0]}, {"median", all[len(all)/2]}, {"largest", all[len(all)-1]}}
	var out []benchResult
	for _, p := range picks {
		r := benchResult{Which: p.which, Arch: p.a.String(), MFLOPs: float64(nasbench201.FLOPs(p.a)) / 1e6}
		t0 := now()
		n, err := dev.NewNASBench201(p.a, 1)
		if err != nil {
			r.Which += " error: " + err.Error()
			out = append(out, r)
			continue
		}
		r.BuildMs = now() - t0
		e, err := dev.NewPlan(webgpu.EmptyLike(n.Plan()))
		if err != nil {
			r.Which += " error: " + err.Error()
			out = append(out, r)
			continue
		}
		r.Dispatches = len(n.Plan().Dispatches)
		for range 5 {
			n.Forward()
			e.Forward()
		}
		t0 = now()
		n.Forward()
		one := now() - t0
		r.Reps = max(1, int(math.Ceil(30/max(one, 0.01))))
		sample := func(net *webgpu.Net) float64 {
			t0 := now()
			for range r.Reps {
				net.Forward()
			}
			return (now() - t0) / float64(r.Reps)
		}
		for range 7 {
			r.ForwardMs = append(r.ForwardMs, sample(n))
			r.EmptyMs = append(r.EmptyMs, sample(e))
		}
		t0 = now()
		if _, err := n.ReadOutput(); err != nil {
			r.Which += " read error: " + err.Error()
		}
		r.ReadMs = now() - t0
		if err := n.Err(); err != nil {
			r.Which += " forward error: " + err.Error()
		}
		slices.Sort(r.ForwardMs)
		slices.Sort(r.EmptyMs)
		n.Close()
		e.Close()
		out = append(out, r)
	}
	return out
}
