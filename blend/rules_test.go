package blend

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/opcost"
)

// rulesTask: 3 features, 3 known devices (columns), the target a function
// of them; n labelled, m unlabelled.
func rulesTask(seed uint64, n, m int, target func(x, k []float64) float64) (xs, bs [][]float64, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 5))
	for range n + m {
		x := []float64{float64(rng.IntN(5)), float64(rng.IntN(5)), float64(rng.IntN(5))}
		k := []float64{
			1 + x[0] + 2*x[1] + 0.5*x[0]*x[2] + 0.2*rng.NormFloat64(),
			3 + x[2]*x[2] + 0.2*rng.NormFloat64(),
			2 + x[0]*x[1] + 0.2*rng.NormFloat64(),
		}
		xs = append(xs, x)
		bs = append(bs, k)
		y = append(y, target(x, k))
	}
	return xs, bs, y
}

// TestBasisRulesNearestIsTheBestColumn checks the nearest device against
// a naive search: every column calibrated alone by exact leave-one-out
// (refit without each point, by the closed-form line), the smallest
// relative loss.
func TestBasisRulesNearestIsTheBestColumn(t *testing.T) {
	for seed := range uint64(5) {
		xs, bs, y := rulesTask(seed, 20, 0, func(_ []float64, k []float64) float64 { return 0.5*k[0] + 2*k[2] + 1 })
		f, err := BasisRules(xs, y, nil, bs, nil)
		if err != nil {
			t.Fatal(err)
		}
		best, bj := math.Inf(1), -1
		for j := range 3 {
			loss := 0.0
			for i := range y {
				// least squares line without point i; a negative
				// slope is clipped to 0 (in one dimension the
				// non-negative optimum is then the mean).
				var sx, sy, sxx, sxy, n float64
				for l := range y {
					if l == i {
						continue
					}
					x := bs[l][j]
					sx, sy, sxx, sxy, n = sx+x, sy+y[l], sxx+x*x, sxy+x*y[l], n+1
				}
				b := (n*sxy - sx*sy) / (n*sxx - sx*sx)
				b = max(b, 0)
				a := (sy - b*sx) / n
				r := (a + b*bs[i][j] - y[i]) / y[i]
				loss += r * r / float64(len(y))
			}
			if loss < best {
				best, bj = loss, j
			}
		}
		if f.NearestCol != bj {
			t.Errorf("seed %d: nearest column %d, naive %d", seed, f.NearestCol, bj)
		}
		approx.Equal(t, "nearest LOO loss", f.Nearest.LOOLoss, best, 1e-9)
	}
}

// TestBasisRulesPredict checks each rule's prediction against the fits it
// is made of, combined by hand.
func TestBasisRulesPredict(t *testing.T) {
	const n, m = 24, 50
	xs, bs, y := rulesTask(7, n, m, func(x, k []float64) float64 { return 2 + x[0] + 0.8*k[1] + 0.3*k[2] })
	f, err := BasisRules(xs[:n], y[:n], nil, bs[:n], nil)
	if err != nil {
		t.Fatal(err)
	}
	op := f.OpCost.PredictTo(nil, xs[n:])
	ba := f.Basis.PredictTo(nil, bs[n:])
	near := make([]float64, m)
	for i, row := range bs[n:] {
		near[i] = f.Nearest.Predict(row[f.NearestCol : f.NearestCol+1])
	}
	preds := [][]float64{op, ba, near}
	for _, rule := range []Rule{RuleStack, RuleStackNearest, RuleWithin} {
		got := f.PredictTo(nil, rule, xs[n:], bs[n:])
		want := make([]float64, m)
		switch rule {
		case RuleStack, RuleStackNearest:
			b := f.Stack
			if rule == RuleStackNearest {
				b = f.StackNearest
			}
			for i := range want {
				want[i] = b.Intercept
				for j, w := range b.Weights {
					want[i] += w * preds[j][i]
				}
			}
		case RuleWithin:
			k := 0.0
			for j, b := range f.Within {
				if b == nil {
					continue
				}
				k++
				for i := range want {
					want[i] += b.Intercept + b.Weights[0]*preds[j][i]
				}
			}
			for i := range want {
				want[i] /= k
			}
		}
		approx.Slices(t, rule.String(), got, want, 1e-12)
		if e := medianRelErr(got, y[n:]); e > 0.1 {
			t.Errorf("%s: median relative error %.3f on unseen networks, want <= 0.1", rule, e)
		}
	}
}

// TestBasisRulesWithinKeepsTheCloseOnes: RuleWithin's members are the
// candidates whose calibrated LOO loss is within WithinMargin of the
// best, as Combine's Select scores them.
func TestBasisRulesWithinKeepsTheCloseOnes(t *testing.T) {
	for seed := range uint64(8) {
		xs, bs, y := rulesTask(seed, 20, 0, func(x, k []float64) float64 { return 1 + x[1] + 0.5*k[0] })
		f, err := BasisRules(xs, y, nil, bs, nil)
		if err != nil {
			t.Fatal(err)
		}
		var scores []float64
		for _, m := range []*opcost.Model{f.OpCost, f.Basis, f.Nearest} {
			b, err := Combine(y, []Candidate{{Name: "c", LOO: m.LOO}}, Options{Mode: Select})
			if err != nil {
				t.Fatal(err)
			}
			scores = append(scores, b.LOOLoss)
		}
		best := min(scores[0], scores[1], scores[2])
		for j, s := range scores {
			if in := f.Within[j] != nil; in != (s <= (1+WithinMargin)*best) {
				t.Errorf("seed %d candidate %d: in the mean %v with loss %.4g, best %.4g", seed, j, in, s, best)
			}
		}
	}
}

func TestBasisRulesPanicsOnShapes(t *testing.T) {
	xs, bs, y := rulesTask(1, 12, 0, func(_ []float64, k []float64) float64 { return k[0] })
	mustPanic(t, "basis rows", func() { _, _ = BasisRules(xs, y, nil, bs[:5], nil) })
	f, err := BasisRules(xs, y, nil, bs, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic(t, "predict rows", func() { f.PredictTo(nil, RuleStack, xs, bs[:3]) })
}

// TestBasisRulesStackIsOpCostBasis: RuleStack is OpCostBasis, to
// rounding.
func TestBasisRulesStackIsOpCostBasis(t *testing.T) {
	for seed := range uint64(4) {
		xs, bs, y := rulesTask(seed, 20, 60, func(x, k []float64) float64 { return 1 + x[2] + 0.7*k[0] })
		f, err := BasisRules(xs[:20], y[:20], nil, bs[:20], nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := OpCostBasis(xs[:20], y[:20], nil, bs[:20], nil)
		if err != nil {
			t.Fatal(err)
		}
		approx.Slices(t, "RuleStack against OpCostBasis", f.PredictTo(nil, RuleStack, xs[20:], bs[20:]), g.PredictTo(nil, xs[20:], bs[20:]), 1e-12)
	}
}
