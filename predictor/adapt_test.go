package predictor

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

func TestAdaptErrors(t *testing.T) {
	c := smallConfigs()["gcn"]
	m := randomModel(c, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	e := randomEmbedding(c, rng)
	xs, ys := randomBatch(c, 4, rng)
	nanX := slices.Clone(xs)
	nanX[2] = slices.Clone(xs[2])
	nanX[2][3] = math.NaN()
	cases := []struct {
		name string
		e    []float64
		xs   [][]float64
		ys   []float64
		want string
	}{
		{"embedding length", e[:2], xs, ys, "embedding has 2 values"},
		{"embedding NaN", []float64{0, math.NaN(), 1}, xs, ys, "embedding[1]"},
		{"lengths", e, xs, ys[:3], "4 architectures but 3 latencies"},
		{"no support", e, nil, nil, "no support samples"},
		{"encoding length", e, [][]float64{xs[0][:5]}, ys[:1], "support architecture 0 has encoding length 5"},
		{"NaN arch", e, nanX, ys, "support architecture 2"},
		{"Inf latency", e, xs, []float64{0, 1, math.Inf(1), 0}, "support latency[2]"},
	}
	for _, tc := range cases {
		_, err := m.Adapt(tc.e, tc.xs, tc.ys, AdaptOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}

func TestAdaptOptions(t *testing.T) {
	c := smallConfigs()["gcn"]
	m := randomModel(c, 2)
	rng := rand.New(rand.NewPCG(2, 2))
	e := randomEmbedding(c, rng)
	xs, ys := randomBatch(c, 30, rng)
	sup, supY := xs[:10], ys[:10]
	predict := func(o AdaptOptions) []float64 {
		ad, err := m.Adapt(e, sup, supY, o)
		if err != nil {
			t.Fatal(err)
		}
		return ad.PredictTo(nil, xs)
	}
	// Same seed, same predictions; another seed, other z samples.
	a, b := predict(AdaptOptions{Seed: 3}), predict(AdaptOptions{Seed: 3})
	if !slices.Equal(a, b) {
		t.Error("same seed gave different predictions")
	}
	if slices.Equal(a, predict(AdaptOptions{Seed: 4})) {
		t.Error("different seeds gave identical sampled predictions")
	}
	// Mean z ignores the seed and differs from sampling.
	if mz := predict(AdaptOptions{Mode: ZMean, Seed: 1}); !slices.Equal(mz, predict(AdaptOptions{Mode: ZMean, Seed: 2})) {
		t.Error("mean-z predictions depend on the seed")
	}
	// NoSteps with mean z is the modulated prior: a plain forward pass.
	prior := predict(AdaptOptions{Mode: ZMean, Steps: NoSteps})
	st := newZState(c)
	m.encodeZ(st, e)
	th := make([]float64, len(m.base))
	m.modulate(th, st.z)
	p := newPass(&m.Config, m.l, len(xs), false, false)
	p.setInputs(e, xs)
	p.forward(th, nil)
	approx.Slices(t, "prior predictions", prior, p.output(), approx.Float64)
	// Adaptation lowers the support error (the steps are gradient steps
	// with small rates from the prior).
	mse := func(pred []float64) float64 {
		s := 0.0
		for i, v := range pred[:10] {
			s += (v - supY[i]) * (v - supY[i])
		}
		return s
	}
	if adapted := predict(AdaptOptions{Mode: ZMean}); !(mse(adapted) < mse(prior)) {
		t.Errorf("support error after adaptation %.6g, before %.6g", mse(adapted), mse(prior))
	}
	// PredictTo reuses dst and does not allocate in steady state.
	ad, _ := m.Adapt(e, sup, supY, AdaptOptions{Mode: ZMean})
	dst := make([]float64, len(xs))
	ad.PredictTo(dst, xs)
	if n := testing.AllocsPerRun(5, func() { ad.PredictTo(dst, xs) }); n != 0 {
		t.Errorf("PredictTo allocates %v times per call", n)
	}
	batch := m.NewBatch(xs)
	ad.PredictBatchTo(dst, batch)
	if n := testing.AllocsPerRun(5, func() { ad.PredictBatchTo(dst, batch) }); n != 0 {
		t.Errorf("PredictBatchTo allocates %v times per call", n)
	}
	approx.Equal(t, "Predict (float64) against the float32 bulk path", ad.Predict(xs[7]), dst[7], approx.Float32)
}
