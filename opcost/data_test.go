package opcost_test

import (
	"fmt"
	"math"
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

// supportRule chooses n support rows from dev.Train for a seed.
type supportRule func(d *nbTables, dev *latency.Device, seed, n int) []int

func randomSupport(_ *nbTables, dev *latency.Device, seed, n int) []int {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f70636f)) // "opco"
	perm := rng.Perm(len(dev.Train))[:n]
	return pick1(dev.Train, perm)
}

// dOptimalSupport shuffles dev.Train by seed (so ties among rows with
// equal features are broken at random) and runs greedy D-optimal design
// on the op-cost features, starting from the reference rows.
func dOptimalSupport(d *nbTables, dev *latency.Device, seed, n int) []int {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f70636f))
	pool := pick1(dev.Train, rng.Perm(len(dev.Train)))
	chosen, err := draw.DOptimal(pick(d.feat, pool), pick(d.feat, d.tab.ReferenceRows()), n, draw.DefaultRidge)
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
	return d.taskN(t, device, seed, support, 10)
}

// taskN is task with samples support rows.
func (d *nbTables) taskN(t *testing.T, device string, seed int, support supportRule, samples int) task {
	dev, err := d.tab.Device(device, d.proto.Pools)
	if err != nil {
		t.Fatal(err)
	}
	tk := task{dev: dev}
	tk.labelled = append(append([]int{}, d.tab.ReferenceRows()...), support(d, dev, seed, samples)...)
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

// coverage accumulates how often the blend's interval holds the truth.
type coverage struct{ in, all int }

func blendMethod(mode blend.Mode, chosen map[string]int, cov *coverage) method {
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
		pred := b.PredictTo(nil, cs)
		if cov != nil {
			for i, p := range pred {
				if math.Abs(tk.truth[i]-p) <= b.Interval.HalfWidth(p) {
					cov.in++
				}
			}
			cov.all += len(pred)
		}
		return pred, nil
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
	var cov coverage
	methods := []method{
		opcostMethod("structural", structural, opcost.Relative),
		opcostMethod("structural squared", structural, opcost.Squared),
		opcostMethod("basis", basis, opcost.Relative),
		opcostMethod("basis squared", basis, opcost.Squared),
		opcostMethod("structural+basis", both, opcost.Relative),
		candidateMethod(2, "flops"),
		candidateMethod(3, "nearest"),
		blendMethod(blend.Select, nil, nil),
		blendMethod(blend.Stack, nil, nil),
		blendMethod(blend.Auto, chosen, &cov),
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
	t.Logf("auto chose %v; its %.0f%% interval held %.1f%% of query latencies", chosen, 100*blend.DefaultLevel, 100*float64(cov.in)/float64(cov.all))
	cov = coverage{}
	t.Log("D-optimal support")
	dopt := evaluate(t, d, 10, dOptimalSupport, methods)
	t.Logf("auto's interval held %.1f%% of query latencies", 100*float64(cov.in)/float64(cov.all))
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

// preferMethod is the recommended auto: the op-cost model on Features,
// unless the signed one has a leave-one-out loss 20% lower
// (blend.Prefer, DefaultMargin).
func preferMethod(chosen map[string]int) method {
	return method{"auto (prefer)", func(d *nbTables, tk task) ([]float64, error) {
		f, err := blend.OpCost(pick(d.feat, tk.labelled), tk.ms, nasbench201.FeatureScale())
		if err != nil {
			return nil, err
		}
		chosen[f.Blend.Method]++
		return f.PredictTo(nil, pick(d.feat, tk.dev.Query)), nil
	}}
}

// helpFloor is HELP's Spearman per meta-test device with our weights
// (cmd/helpwasm eval, 10 samples) less 0.01: no device may fall further
// below HELP than that.
var helpFloor = map[string]float64{
	"titan_rtx_256": 0.97, "gold_6226": 0.98, "fpga": 0.97,
	"pixel2": 0.79, "raspi4": 0.86, "eyeriss": 0.89,
}

// TestAuto measures the recommended auto (preferMethod) under HELP's
// protocol with 5, 10 and 20 support samples, random and D-optimal, 30
// seeds (the mean over devices of a 30-seed run has a standard error of
// about 0.0007 with random support; D-optimal support hardly depends on
// the seed). Measured mean Spearman, random / D-optimal: 5 samples
// 0.9499 / 0.9562, 10 samples 0.9509 / 0.9561, 20 samples 0.9524 /
// 0.9584 (blend.OpCost; with FeaturesPruned's explicit dead-edge columns
// instead of a signed fit: 0.9511 / 0.9559, 0.9516 / 0.9561, 0.9525 /
// 0.9584). Floors sit 0.001-0.002 under them, and every device must stay
// within 0.01 of HELP (helpFloor).
func TestAuto(t *testing.T) {
	d := loadNB(t)
	for _, c := range []struct {
		samples      int
		random, dopt float64
	}{{5, 0.949, 0.954}, {10, 0.950, 0.955}, {20, 0.951, 0.956}} {
		for _, sr := range []struct {
			name  string
			rule  supportRule
			floor float64
		}{{"random", randomSupport, c.random}, {"D-optimal", dOptimalSupport, c.dopt}} {
			chosen := map[string]int{}
			m := preferMethod(chosen)
			devices := d.proto.Split.MetaTest
			const seeds = 30
			var ws rank.Workspace
			mean := 0.0
			per := make([]float64, len(devices))
			for di, device := range devices {
				for seed := range seeds {
					tk := d.taskN(t, device, seed, sr.rule, c.samples)
					pred, err := m.fit(d, tk)
					if err != nil {
						t.Fatal(err)
					}
					per[di] += ws.Spearman(pred, tk.truth) / seeds
				}
				mean += per[di] / float64(len(devices))
			}
			t.Logf("%2d samples, %-9s support: mean %.4f per device %.3f (%v) chose %v", c.samples, sr.name, mean, per, devices, chosen)
			if mean < sr.floor {
				t.Errorf("%d samples, %s support: mean Spearman %.4f, want >= %.3f", c.samples, sr.name, mean, sr.floor)
			}
			for di, dev := range devices {
				if f, ok := helpFloor[dev]; ok && per[di] < f {
					t.Errorf("%d samples, %s support, %s: Spearman %.3f, want >= %.2f (HELP - 0.01)", c.samples, sr.name, dev, per[di], f)
				}
			}
		}
	}
}

// TestAutoFLOPsPrior measures Prefer with FLOPs (calibrated to ms) as the
// prior and the op-cost model, non-negative and signed, as the others:
// the page's auto puts the simplest candidate first. On HELP's devices
// FLOPs is never kept and the mean matches TestAuto's (30 seeds,
// random / D-optimal: 5 samples 0.9496 / 0.9561, 10 samples 0.9506 /
// 0.9561, 20 samples 0.9520 / 0.9584).
func TestAutoFLOPsPrior(t *testing.T) {
	d := loadNB(t)
	for _, samples := range []int{5, 10, 20} {
		for si, sr := range []supportRule{randomSupport, dOptimalSupport} {
			var ws rank.Workspace
			mean := 0.0
			devices := d.proto.Split.MetaTest
			per := make([]float64, len(devices))
			chosen := map[string]int{}
			for di, device := range devices {
				for seed := range 30 {
					tk := d.taskN(t, device, seed, sr, samples)
					pred, err := autoFLOPsFirst(d, tk, chosen)
					if err != nil {
						t.Fatal(err)
					}
					per[di] += ws.Spearman(pred, tk.truth) / 30
				}
				mean += per[di] / float64(len(devices))
			}
			t.Logf("%d samples: mean %.4f per %.3f chose %v", samples, mean, per, chosen)
			if floor := []float64{0.948, 0.955}[si]; mean < floor {
				t.Errorf("%d samples, support rule %d: mean %.4f, want >= %.3f", samples, si, mean, floor)
			}
		}
	}
}

func autoFLOPsFirst(d *nbTables, tk task, chosen map[string]int) ([]float64, error) {
	f, err := opcost.Fit(pick(d.flops, tk.labelled), tk.ms, opcost.Options{Lambdas: []float64{0}})
	if err != nil {
		return nil, err
	}
	s, err := opcost.Fit(pick(d.feat, tk.labelled), tk.ms, opcost.Options{Scale: nasbench201.FeatureScale()})
	if err != nil {
		return nil, err
	}
	g, err := opcost.Fit(pick(d.feat, tk.labelled), tk.ms, opcost.Options{Scale: nasbench201.FeatureScale(), Signed: true})
	if err != nil {
		return nil, err
	}
	q := pick(d.feat, tk.dev.Query)
	cs := []blend.Candidate{
		{Name: "flops", LOO: f.LOO, Pred: f.PredictTo(nil, pick(d.flops, tk.dev.Query))},
		{Name: "op-cost", LOO: s.LOO, Pred: s.PredictTo(nil, q)},
		{Name: "signed", LOO: g.LOO, Pred: g.PredictTo(nil, q)},
	}
	b, err := blend.Combine(tk.ms, cs, blend.Options{Mode: blend.Prefer})
	if err != nil {
		return nil, err
	}
	chosen[b.Method]++
	return b.PredictTo(nil, cs), nil
}
