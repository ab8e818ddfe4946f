package opcost_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// nbTables is HELP's NAS-Bench-201 table with every row's op-cost
// features, FLOPs and known-device basis features, loaded once.
type nbTables struct {
	tab   *latency.Table
	proto latency.Protocol
	// feat[row] are the op-cost features, basis[row] the meta-train
	// devices' latencies (ms), flops[row] FLOPs in millions.
	feat, basis, flops [][]float64
	basisScale         []float64
}

var (
	nbOnce sync.Once
	nbVal  *nbTables
	nbErr  error
)

func loadNB(t *testing.T) *nbTables {
	t.Helper()
	dir := shareddata.Space(t, latency.NASBench201)
	nbOnce.Do(func() { nbVal, nbErr = readNB(dir) })
	if nbErr != nil {
		t.Fatal(nbErr)
	}
	return nbVal
}

func readNB(dir string) (*nbTables, error) {
	tab, err := latency.Load(dir)
	if err != nil {
		return nil, err
	}
	proto, err := latency.Standard(latency.NASBench201)
	if err != nil {
		return nil, err
	}
	d := &nbTables{tab: tab, proto: proto}
	n := tab.Len()
	d.feat = make([][]float64, n)
	d.flops = make([][]float64, n)
	d.basis = make([][]float64, n)
	cols := make([][]float64, len(proto.Split.MetaTrain))
	for j, dev := range proto.Split.MetaTrain {
		cols[j] = tab.Latency(dev)
	}
	d.basisScale = make([]float64, len(cols))
	for r := range n {
		a, err := nasbench201.Parse(tab.Arch(r))
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", r, err)
		}
		d.feat[r] = nasbench201.Features(nil, a)
		d.flops[r] = []float64{float64(nasbench201.FLOPs(a)) / 1e6}
		d.basis[r] = make([]float64, len(cols))
		for j, c := range cols {
			d.basis[r][j] = c[r]
			d.basisScale[j] = max(d.basisScale[j], c[r])
		}
	}
	return d, nil
}

func pick(rows [][]float64, idx []int) [][]float64 {
	out := make([][]float64, len(idx))
	for i, r := range idx {
		out[i] = rows[r]
	}
	return out
}

// task is one meta-test episode: the labelled rows (10 reference + 10
// support) and the query rows of one device.
type task struct {
	dev      *latency.Device
	labelled []int
	ms       []float64 // dev.Latency of labelled
	truth    []float64 // dev.Latency of dev.Query
}

// supportRule chooses 10 support rows from dev.Train for a seed.
type supportRule func(d *nbTables, dev *latency.Device, seed int) []int

func randomSupport(_ *nbTables, dev *latency.Device, seed int) []int {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f70636f)) // "opco"
	perm := rng.Perm(len(dev.Train))[:10]
	return pick1(dev.Train, perm)
}

// dOptimalSupport shuffles dev.Train by seed (so ties among rows with
// equal features are broken at random) and runs greedy D-optimal design
// on the op-cost features, starting from the reference rows.
func dOptimalSupport(d *nbTables, dev *latency.Device, seed int) []int {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f70636f))
	pool := pick1(dev.Train, rng.Perm(len(dev.Train)))
	chosen, err := draw.DOptimal(pick(d.feat, pool), pick(d.feat, d.tab.ReferenceRows()), 10, draw.DefaultRidge)
	if err != nil {
		panic(err)
	}
	return pick1(pool, chosen)
}

func pick1(rows, idx []int) []int {
	out := make([]int, len(idx))
	for i, r := range idx {
		out[i] = rows[r]
	}
	return out
}

func (d *nbTables) task(t *testing.T, device string, seed int, support supportRule) task {
	dev, err := d.tab.Device(device, d.proto.Pools)
	if err != nil {
		t.Fatal(err)
	}
	tk := task{dev: dev}
	tk.labelled = append(append([]int{}, d.tab.ReferenceRows()...), support(d, dev, seed)...)
	for _, r := range tk.labelled {
		tk.ms = append(tk.ms, dev.Latency[r])
	}
	for _, r := range dev.Query {
		tk.truth = append(tk.truth, dev.Latency[r])
	}
	return tk
}

// method fits on a task and predicts dev.Query (ms).
type method struct {
	name string
	fit  func(d *nbTables, tk task) ([]float64, error)
}

func opcostMethod(name string, rows func(d *nbTables) ([][]float64, []float64), loss opcost.Loss) method {
	return method{name, func(d *nbTables, tk task) ([]float64, error) {
		xs, scale := rows(d)
		m, err := opcost.Fit(pick(xs, tk.labelled), tk.ms, opcost.Options{Scale: scale, Loss: loss})
		if err != nil {
			return nil, err
		}
		return m.PredictTo(nil, pick(xs, tk.dev.Query)), nil
	}}
}

func structural(d *nbTables) ([][]float64, []float64) {
	return d.feat, nasbench201.FeatureScale()
}

func both(d *nbTables) ([][]float64, []float64) {
	xs := make([][]float64, len(d.feat))
	for r := range xs {
		xs[r] = append(append([]float64{}, d.feat[r]...), d.basis[r]...)
	}
	return xs, append(append([]float64{}, nasbench201.FeatureScale()...), d.basisScale...)
}

func basis(d *nbTables) ([][]float64, []float64) { return d.basis, d.basisScale }

// evaluate runs every method on every meta-test device and seed and logs
// a table; it returns the mean Spearman per method.
func evaluate(t *testing.T, d *nbTables, seeds int, support supportRule, methods []method) []float64 {
	devices := d.proto.Split.MetaTest
	sp := make([][]float64, len(methods)) // [method][device]
	for k := range sp {
		sp[k] = make([]float64, len(devices))
	}
	var ws rank.Workspace
	for di, device := range devices {
		for seed := range seeds {
			tk := d.task(t, device, seed, support)
			for k, m := range methods {
				pred, err := m.fit(d, tk)
				if err != nil {
					t.Fatalf("%s on %s seed %d: %v", m.name, device, seed, err)
				}
				sp[k][di] += ws.Spearman(pred, tk.truth) / float64(seeds)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s", "method")
	for _, dev := range devices {
		fmt.Fprintf(&b, " %13s", dev)
	}
	fmt.Fprintf(&b, " %6s\n", "mean")
	means := make([]float64, len(methods))
	for k, m := range methods {
		fmt.Fprintf(&b, "%-22s", m.name)
		for di := range devices {
			fmt.Fprintf(&b, " %13.3f", sp[k][di])
			means[k] += sp[k][di] / float64(len(devices))
		}
		fmt.Fprintf(&b, " %6.3f\n", means[k])
	}
	t.Logf("Spearman on the query pool, mean over %d seeds:\n%s", seeds, b.String())
	return means
}

// candidate fits the op-cost model on one feature set and returns it as a
// blend candidate predicting dev.Query.
func candidate(name string, xs [][]float64, scale []float64, tk task) (blend.Candidate, error) {
	m, err := opcost.Fit(pick(xs, tk.labelled), tk.ms, opcost.Options{Scale: scale})
	if err != nil {
		return blend.Candidate{}, fmt.Errorf("%s: %w", name, err)
	}
	return blend.Candidate{Name: name, LOO: m.LOO, Pred: m.PredictTo(nil, pick(xs, tk.dev.Query))}, nil
}

// nearest is the meta-train device whose latencies, calibrated linearly
// to the labelled points, have the smallest leave-one-out loss.
func nearest(d *nbTables, tk task) (blend.Candidate, error) {
	var best blend.Candidate
	bestLoss := 0.0
	for j := range d.proto.Split.MetaTrain {
		col := make([][]float64, len(d.basis))
		for r := range col {
			col[r] = d.basis[r][j : j+1]
		}
		m, err := opcost.Fit(pick(col, tk.labelled), tk.ms, opcost.Options{Scale: d.basisScale[j : j+1], Lambdas: []float64{0}})
		if err != nil {
			return best, err
		}
		if j == 0 || m.LOOLoss < bestLoss {
			bestLoss = m.LOOLoss
			best = blend.Candidate{Name: "nearest", LOO: m.LOO, Pred: m.PredictTo(nil, pick(col, tk.dev.Query))}
		}
	}
	return best, nil
}

func candidates(d *nbTables, tk task) ([]blend.Candidate, error) {
	var cs []blend.Candidate
	for _, c := range []struct {
		name  string
		xs    [][]float64
		scale []float64
	}{
		{"structural", d.feat, nasbench201.FeatureScale()},
		{"basis", d.basis, d.basisScale},
		{"flops", d.flops, []float64{220.12}},
	} {
		cand, err := candidate(c.name, c.xs, c.scale, tk)
		if err != nil {
			return nil, err
		}
		cs = append(cs, cand)
	}
	cand, err := nearest(d, tk)
	if err != nil {
		return nil, err
	}
	return append(cs, cand), nil
}

func blendMethod(mode blend.Mode, chosen map[string]int) method {
	return method{"blend " + mode.String(), func(d *nbTables, tk task) ([]float64, error) {
		cs, err := candidates(d, tk)
		if err != nil {
			return nil, err
		}
		b, err := blend.Combine(tk.ms, cs, blend.Options{Mode: mode})
		if err != nil {
			return nil, err
		}
		if chosen != nil {
			chosen[b.Method]++
		}
		return b.PredictTo(nil, cs), nil
	}}
}

func candidateMethod(i int, name string) method {
	return method{name, func(d *nbTables, tk task) ([]float64, error) {
		cs, err := candidates(d, tk)
		if err != nil {
			return nil, err
		}
		return cs[i].Pred, nil
	}}
}

// TestMetaTestDevices runs HELP's meta-test protocol (10 reference + 10
// support architectures labelled, Spearman on the trimmed query pool,
// 10 seeds) with the op-cost model, the known-device basis, the
// single-feature baselines and their blends on the six NAS-Bench-201
// meta-test devices, for uniformly drawn and D-optimal support.
//
// Measured (mean over devices): structural 0.950 random / 0.954
// D-optimal (HELP's authors' checkpoint: 0.921 in the numpy check);
// basis 0.908 / 0.914 (eyeriss, an ASIC, resembles no meta-train
// device: 0.79); FLOPs 0.783; nearest device 0.865 / 0.881; blend auto
// 0.947 / 0.947. The blend does not beat the op-cost model alone on these
// devices: leave-one-out on 20 points picks the best candidate only most
// of the time (it helps raspi4, 0.924 against 0.903, and costs gold_6226
// and pixel2). The relative and squared LOO losses rank alike (0.950 and
// 0.950 structural, 0.908 and 0.906 basis).
//
// The floors sit about 0.005 under the measured means so the test fails
// if a change loses ranking quality.
func TestMetaTestDevices(t *testing.T) {
	d := loadNB(t)
	chosen := map[string]int{}
	methods := []method{
		opcostMethod("structural", structural, opcost.Relative),
		opcostMethod("structural squared", structural, opcost.Squared),
		opcostMethod("basis", basis, opcost.Relative),
		opcostMethod("basis squared", basis, opcost.Squared),
		opcostMethod("structural+basis", both, opcost.Relative),
		candidateMethod(2, "flops"),
		candidateMethod(3, "nearest"),
		blendMethod(blend.Select, nil),
		blendMethod(blend.Stack, nil),
		blendMethod(blend.Auto, chosen),
	}
	floors := []struct {
		method       int
		random, dopt float64
	}{
		{0, 0.945, 0.950}, // structural
		{2, 0.900, 0.905}, // basis
		{9, 0.940, 0.940}, // blend auto
	}
	t.Log("random support")
	random := evaluate(t, d, 10, randomSupport, methods)
	t.Logf("auto chose %v", chosen)
	t.Log("D-optimal support")
	dopt := evaluate(t, d, 10, dOptimalSupport, methods)
	for _, f := range floors {
		name := methods[f.method].name
		if got := random[f.method]; got < f.random {
			t.Errorf("%s, random support: mean Spearman %.3f, want >= %.3f", name, got, f.random)
		}
		if got := dopt[f.method]; got < f.dopt {
			t.Errorf("%s, D-optimal support: mean Spearman %.3f, want >= %.3f", name, got, f.dopt)
		}
	}
}
