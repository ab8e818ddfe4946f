package session_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/weights"
)

// newSession is a session of the shipped weights and atlas whose networks
// cost nothing to run.
func newSession(tb testing.TB) *session.Session {
	tb.Helper()
	m, err := weights.Model("nasbench201")
	if err != nil {
		tb.Fatal(err)
	}
	at, err := weights.Atlas("nasbench201")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := session.New(session.Config{Space: nasbench201.Space{}, Model: m, Atlas: at,
		Build: func(space.Arch) measure.Item { return measure.ItemFunc(func() {}) }})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// synthetic is a profile of a device whose latency is an op-cost model of
// the features (ms = 1 + sum of feature costs) with 3% noise.
func synthetic(tb testing.TB, s *session.Session, support int) *measure.Profile {
	tb.Helper()
	sp := s.Space()
	cost := []float64{-0.2, 0.5, 2.0, 0.8, 0.3, 1.5, 0.5}
	rng := rand.New(rand.NewPCG(1, 2))
	ms := func(a space.Arch) float64 {
		v := 1.0
		for j, f := range sp.Features(nil, a) {
			v += cost[j] * f
		}
		return v * (1 + 0.03*rng.NormFloat64())
	}
	at := s.Atlas()
	p := &measure.Profile{Format: measure.Format, Version: measure.Version, Space: sp.Name(), Protocol: measure.Protocol{Seed: 1}}
	for _, str := range at.Reference {
		a, _ := sp.Parse(str)
		p.Reference = append(p.Reference, measure.Timing{Arch: str, MS: ms(a)})
	}
	fa, _ := sp.Parse(at.Anchors.Fastest)
	sa, _ := sp.Parse(at.Anchors.Slowest)
	p.Anchors = measure.Anchors{Fastest: measure.Timing{Arch: fa.String(), MS: ms(fa)}, Slowest: measure.Timing{Arch: sa.String(), MS: ms(sa)}}
	seen := map[space.Arch]bool{}
	for len(p.Support) < support {
		a := sp.Random(rng)
		if !seen[a] {
			seen[a] = true
			p.Support = append(p.Support, measure.Timing{Arch: a.String(), MS: ms(a)})
		}
	}
	return p
}

// On a device whose latency is an op-cost model, auto predicts close to
// it, its interval is finite, and the profile records the choice.
func TestAdoptPredict(t *testing.T) {
	s := newSession(t)
	p := synthetic(t, s, 10)
	d, err := s.Adopt(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if p.Prediction == nil || p.Prediction.Method != session.MethodAuto || p.Prediction.Chosen == "" {
		t.Fatalf("profile's prediction record %+v", p.Prediction)
	}
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	for _, m := range session.Methods() {
		pr, err := d.Predict(m, []space.Arch{a})
		if err != nil {
			t.Fatal(err)
		}
		if !(pr[0].MS > 0) || math.IsInf(pr[0].MS, 0) {
			t.Errorf("%s: %v ms", m, pr[0].MS)
		}
		t.Logf("%s: %s", m, pr[0])
	}
	// When auto is the op-cost model, it predicts the model's ms as they
	// are, not recalibrated.
	if d.Chosen() == session.MethodOpCost {
		au, _ := d.Predict(session.MethodAuto, []space.Arch{a})
		oc, _ := d.Predict(session.MethodOpCost, []space.Arch{a})
		if math.Abs(au[0].MS-oc[0].MS) > 1e-9*oc[0].MS {
			t.Errorf("auto (the op-cost model) %v ms, the op-cost model %v ms", au[0].MS, oc[0].MS)
		}
	} else {
		t.Errorf("auto chose %s on an op-cost device", d.Chosen())
	}
	pr, _ := d.Predict("", []space.Arch{a})
	if pr[0].HalfWidth <= 0 || pr[0].Level != 0.9 {
		t.Errorf("auto's interval %+v", pr[0])
	}
	all, err := d.PredictAll(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	i, _ := s.Index(a)
	if math.Abs(all[i]-pr[0].MS) > 0.1*pr[0].MS {
		t.Errorf("bulk %v ms, one at a time %v ms (HELP differs by z only)", all[i], pr[0].MS)
	}
	if _, err := d.Predict("nope", []space.Arch{a}); err == nil {
		t.Error("unknown method: no error")
	}
}

// Adopt refuses a profile timed with other reference architectures.
func TestAdoptChecksReference(t *testing.T) {
	s := newSession(t)
	p := synthetic(t, s, 10)
	p.Reference[0], p.Reference[1] = p.Reference[1], p.Reference[0]
	if _, err := s.Adopt(context.Background(), p); err == nil {
		t.Error("swapped reference architectures: no error")
	}
}

func TestDrift(t *testing.T) {
	for _, tc := range []struct{ r1, r2, want float64 }{
		{2, 2, 2}, {1, 1, 1}, {0.5, 0.5, 0.5}, {2, 2.2, math.Sqrt(4.4)},
		{1, 2, 1},          // disagree: noise, no correction
		{0, 1, 1},          // a zero timing: no correction
		{math.NaN(), 1, 1}, // NaN: no correction
	} {
		if got := session.Drift(tc.r1, tc.r2); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Drift(%v, %v) = %v, want %v", tc.r1, tc.r2, got, tc.want)
		}
	}
}

func TestMedianAPE(t *testing.T) {
	if got := session.MedianAPE([]float64{1.1, 2, 2.7}, []float64{1, 2, 3}); math.Abs(got-0.1) > 1e-12 {
		t.Errorf("MedianAPE = %v, want 0.1", got)
	}
	if !math.IsNaN(session.MedianAPE(nil, nil)) {
		t.Error("MedianAPE of nothing is not NaN")
	}
}

var sink []float64

// BenchmarkOpCostFitPredictAll fits the op-cost model to a quick
// profile's 22 labelled timings (exact leave-one-out over the ridge grid)
// and predicts all 15,625 cells from features prepared once, as the page
// does after a profile. Run it in WebAssembly with
// GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" -run - -bench OpCost ./session
func BenchmarkOpCostFitPredictAll(b *testing.B) {
	s := newSession(b)
	p := synthetic(b, s, 10)
	sp := s.Space()
	var xs [][]float64
	var ys []float64
	for _, t := range append(append(append([]measure.Timing{}, p.Reference...), p.Anchors.Fastest, p.Anchors.Slowest), p.Support...) {
		a, _ := sp.Parse(t.Arch)
		xs, ys = append(xs, sp.Features(nil, a)), append(ys, t.MS)
	}
	e := sp.(space.Enumerable)
	all := make([][]float64, e.NumArchs())
	for i := range all {
		all[i] = sp.Features(nil, e.ArchAt(i))
	}
	dst := make([]float64, len(all))
	b.ResetTimer()
	for range b.N {
		m, err := opcost.Fit(xs, ys, opcost.Options{Scale: sp.FeatureScale()})
		if err != nil {
			b.Fatal(err)
		}
		dst = m.PredictTo(dst, all)
	}
	sink = dst
}

// BenchmarkAdopt is everything a profile fits after timing: HELP's
// adaptation (10 z samples and z at its mean), its 10 leave-one-out
// readaptations, the op-cost model, FLOPs and auto's choice.
func BenchmarkAdopt(b *testing.B) {
	s := newSession(b)
	p := synthetic(b, s, 10)
	b.ResetTimer()
	for range b.N {
		if _, err := s.Adopt(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictAllAuto predicts every cell with auto after Prepare.
func BenchmarkPredictAllAuto(b *testing.B) {
	s := newSession(b)
	d, err := s.Adopt(context.Background(), synthetic(b, s, 10))
	if err != nil {
		b.Fatal(err)
	}
	dst, _ := d.PredictAll(nil, "")
	b.ResetTimer()
	for range b.N {
		dst, _ = d.PredictAll(dst, "")
	}
	sink = dst
}
