package blend

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/internal/orderstat"
)

// basisTask is a synthetic device: features x (3 of them), a known
// device's latencies k, and the target's latencies, n labelled and m
// unlabelled networks.
type basisTask struct {
	xs, bs [][]float64
	y      []float64
}

func newBasisTask(seed uint64, n, m int, target func(x []float64, k float64) float64) basisTask {
	rng := rand.New(rand.NewPCG(seed, 3))
	var tk basisTask
	for range n + m {
		x := []float64{float64(rng.IntN(5)), float64(rng.IntN(5)), float64(rng.IntN(5))}
		// The known device is not additive in x (a product term), so
		// only the basis can carry that part.
		k := 1 + x[0] + 2*x[1] + 0.5*x[0]*x[2] + 0.2*rng.NormFloat64()
		tk.xs = append(tk.xs, x)
		tk.bs = append(tk.bs, []float64{k})
		tk.y = append(tk.y, target(x, k))
	}
	return tk
}

func TestOpCostBasisFollowsTheBetterFit(t *testing.T) {
	const n, m = 20, 200
	for _, tt := range []struct {
		name   string
		target func(x []float64, k float64) float64
		// want the basis fit's weight (ms per ms of a fit that already
		// predicts ms) at least / at most
		minBasis, maxBasis float64
	}{
		{"affine in the known device", func(_ []float64, k float64) float64 { return 2*k + 3 }, 0.9, 1.1},
		{"additive, unlike the known device", func(x []float64, _ float64) float64 { return 4 + 3*x[2] + x[1] }, 0, 0.1},
	} {
		tk := newBasisTask(11, n, m, tt.target)
		f, err := OpCostBasis(tk.xs[:n], tk.y[:n], nil, tk.bs[:n], nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if f.Blend.Mode != Stack || len(f.Blend.Weights) != 2 {
			t.Fatalf("%s: blend %v with %d weights, want a stack of 2", tt.name, f.Blend.Mode, len(f.Blend.Weights))
		}
		if w := f.Blend.Weights[1]; w < tt.minBasis || w > tt.maxBasis {
			t.Errorf("%s: basis weight %.3f, want in [%g, %g]", tt.name, w, tt.minBasis, tt.maxBasis)
		}
		// Both fits predict ms, so the weights sum to about 1.
		if sum := f.Blend.Weights[0] + f.Blend.Weights[1]; math.Abs(sum-1) > 0.1 {
			t.Errorf("%s: weights %v sum to %.3f, want 1 ± 0.1", tt.name, f.Blend.Weights, sum)
		}
		pred := f.PredictTo(nil, tk.xs[n:], tk.bs[n:])
		if e := medianRelErr(pred, tk.y[n:]); e > 0.02 {
			t.Errorf("%s: median relative error %.3f on unseen networks, want <= 0.02", tt.name, e)
		}
		if len(f.LOO()) != n || len(f.Weights) != n {
			t.Errorf("%s: %d LOO predictions, %d Huber weights for %d points", tt.name, len(f.LOO()), len(f.Weights), n)
		}
		// A kept dst is reused.
		dst := make([]float64, m)
		if got := f.PredictTo(dst, tk.xs[n:], tk.bs[n:]); &got[0] != &dst[0] {
			t.Errorf("%s: PredictTo did not write into dst", tt.name)
		}
	}
}

func TestOpCostBasisPanicsOnShapes(t *testing.T) {
	tk := newBasisTask(1, 12, 0, func(_ []float64, k float64) float64 { return k })
	mustPanic(t, "basis rows", func() { _, _ = OpCostBasis(tk.xs, tk.y, nil, tk.bs[:5], nil) })
	f, err := OpCostBasis(tk.xs, tk.y, nil, tk.bs, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "prediction rows", func() { f.PredictTo(nil, tk.xs, tk.bs[:3]) })
}

// A spike among the labelled points moves OpCost's fit, not
// OpCostRobust's.
func TestOpCostRobustIgnoresSpike(t *testing.T) {
	const n, m = 20, 200
	tk := newBasisTask(7, n, m, func(x []float64, _ float64) float64 { return 2 + x[0] + 3*x[1] + 0.5*x[2] })
	y := slices.Clone(tk.y[:n])
	y[4] *= 4
	plain, err := OpCost(tk.xs[:n], y, nil)
	if err != nil {
		t.Fatal(err)
	}
	robust, err := OpCostRobust(tk.xs[:n], y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Weights[0] != nil || len(robust.Weights[0]) != n || len(robust.Weights[1]) != n {
		t.Fatalf("weights: plain %v, robust %d/%d", plain.Weights, len(robust.Weights[0]), len(robust.Weights[1]))
	}
	if w := robust.Weights[0][4]; w > 0.2 {
		t.Errorf("spike weight %.3f, want <= 0.2", w)
	}
	ep := medianRelErr(plain.PredictTo(nil, tk.xs[n:]), tk.y[n:])
	er := medianRelErr(robust.PredictTo(nil, tk.xs[n:]), tk.y[n:])
	if !(er < 0.01 && er < ep/3) {
		t.Errorf("median relative error on unseen networks: robust %.4f, plain %.4f; want robust < 0.01 and 3x smaller", er, ep)
	}
	// Without a spike the two agree.
	clean, _ := OpCostRobust(tk.xs[:n], tk.y[:n], nil)
	approx.Slices(t, "exact data: robust prediction", clean.PredictTo(nil, tk.xs[n:]), tk.y[n:], 1e-6)
}

func medianRelErr(pred, y []float64) float64 {
	e := make([]float64, len(y))
	for i := range y {
		e[i] = math.Abs(pred[i]-y[i]) / y[i]
	}
	return orderstat.Median(e)
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}
