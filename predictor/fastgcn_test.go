package predictor

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// TestBulkMatchesPass compares the planned bulk GCN prediction with the
// plain batched forward pass, on random graphs with repeated node states.
// The bulk path computes in float32, so the tolerance is approx.Float32.
func TestBulkMatchesPass(t *testing.T) {
	for _, name := range []string{"gcn", "gcn-nohw"} {
		c := smallConfigs()[name]
		rng := rand.New(rand.NewPCG(3, 4))
		m := randomModel(c, 5)
		e := randomEmbedding(c, rng)
		xs, ys := randomBatch(c, 700, rng)
		ad, err := m.Adapt(e, xs[:10], ys[:10], AdaptOptions{MCSamples: 3, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, len(xs))
		for lo := 0; lo < len(xs); lo += 100 {
			copy(want[lo:], ad.PredictTo(nil, xs[lo:lo+100]))
		}
		got := ad.PredictBatchTo(nil, m.NewBatch(xs))
		approx.Slices(t, fmt.Sprintf("%s bulk prediction", name), got, want, approx.Float32)
		approx.Slices(t, fmt.Sprintf("%s PredictTo (bulk path)", name), ad.PredictTo(nil, xs), want, approx.Float32)
	}
}

// TestPlanHashCollisions builds plans with a constant hash, so every state
// after the first goes through the collision path, and requires the same
// states and predictions.
func TestPlanHashCollisions(t *testing.T) {
	c := smallConfigs()["gcn"]
	rng := rand.New(rand.NewPCG(5, 6))
	m := randomModel(c, 7)
	xs, ys := randomBatch(c, 300, rng)
	e := randomEmbedding(c, rng)
	good := newGCNPlan(&m.Config, xs)
	bad := newGCNPlanHash(&m.Config, xs, func([]planTerm) uint64 { return 1 })
	for k := range good.layers {
		if g, b := good.layers[k].count(), bad.layers[k].count(); g != b {
			t.Errorf("layer %d: %d states with a good hash, %d with collisions", k, g, b)
		}
	}
	ad, err := m.Adapt(e, xs[:5], ys[:5], AdaptOptions{Mode: ZMean})
	if err != nil {
		t.Fatal(err)
	}
	want := ad.PredictBatchTo(nil, &Batch{xs: xs, plan: good})
	got := ad.PredictBatchTo(nil, &Batch{xs: xs, plan: bad})
	// Colliding hashes may number states differently, which reorders float32
	// sums.
	approx.Slices(t, "prediction with colliding hashes", got, want, approx.Float32)
}

// TestPlannedPassGradient compares the planned GCN pass (used for query
// batches in meta-training) with the plain pass: loss and gradient.
func TestPlannedPassGradient(t *testing.T) {
	for _, name := range []string{"gcn", "gcn-nohw"} {
		c := smallConfigs()[name]
		rng := rand.New(rand.NewPCG(8, 9))
		m := randomModel(c, 10)
		e := randomEmbedding(c, rng)
		xs, ys := randomBatch(c, 40, rng)
		plain := newPass(&m.Config, m.l, 40, true, false)
		planned := newPass(&m.Config, m.l, 40, true, false)
		planned.planned = true
		for _, p := range []*pass{plain, planned} {
			p.setInputs(e, xs[:30]) // a smaller batch first: buffers are reused
			p.forward(m.base, nil)
			p.backward(m.base, nil, ys, make([]float64, len(m.base)), nil)
			p.setInputs(e, xs)
		}
		gWant, gGot := make([]float64, len(m.base)), make([]float64, len(m.base))
		plain.forward(m.base, nil)
		lWant := plain.backward(m.base, nil, ys, gWant, nil)
		planned.forward(m.base, nil)
		approx.Slices(t, name+" planned output", planned.output(), plain.output(), approx.Float64)
		lGot := planned.backward(m.base, nil, ys, gGot, nil)
		approx.Equal(t, name+" planned loss", lGot, lWant, approx.Float64)
		approx.Slices(t, name+" planned gradient", gGot, gWant, approx.Float64)
	}
}
