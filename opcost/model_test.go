package opcost

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/rank"
)

// scaled divides each feature by its scale, as Fit does internally.
func scaled(xs [][]float64, scale []float64) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		out[i] = make([]float64, len(x))
		for j, v := range x {
			out[i][j] = v / scale[j]
		}
	}
	return out
}

// TestFitLOOMatchesRefits checks Fit's downdated leave-one-out against a
// naive loop that calls NNLS on the other n-1 points, for every lambda of
// the grid, and the final model against NNLS on all points.
func TestFitLOOMatchesRefits(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 10 {
		n, p := 6+rng.IntN(20), 1+rng.IntN(8)
		xs, y := randomProblem(rng, n, p)
		for i := range y {
			y[i] = math.Abs(y[i]) + 1 // the relative loss needs y > 0
		}
		scale := make([]float64, p)
		for j := range scale {
			scale[j] = 1 + float64(rng.IntN(6))
		}
		for _, loss := range []Loss{Relative, Squared} {
			name := fmt.Sprintf("trial %d (n=%d p=%d %v)", trial, n, p, loss)
			m, err := Fit(xs, y, Options{Scale: scale, Loss: loss})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			zs := scaled(xs, scale)
			best := math.Inf(1)
			for li, lambda := range DefaultLambdas {
				loo := make([]float64, n)
				for i := range n {
					b, w, err := NNLS(slices.Delete(slices.Clone(zs), i, i+1), slices.Delete(slices.Clone(y), i, i+1), lambda)
					if err != nil {
						t.Fatal(err)
					}
					loo[i] = b + dot(w, zs[i])
				}
				want := loss.Score(loo, y)
				approx.Equal(t, fmt.Sprintf("%s LOO loss at lambda %g", name, lambda), m.Path[li].Loss, want, coefTol)
				if lambda == m.Lambda {
					approx.Slices(t, name+" LOO", m.LOO, loo, coefTol)
				}
				best = min(best, want)
			}
			approx.Equal(t, name+" chosen LOO loss", m.LOOLoss, best, coefTol)
			b, w, err := NNLS(zs, y, m.Lambda)
			if err != nil {
				t.Fatal(err)
			}
			approx.Equal(t, name+" intercept", m.Intercept, b, coefTol)
			approx.Slices(t, name+" coef", m.Coef, w, coefTol)
			for i := range y {
				approx.Equal(t, name+" residual", m.Residual[i], y[i]-m.LOO[i], approx.Float64)
			}
		}
	}
}

// additiveDevice is a synthetic device whose latency is a fixed cost plus
// a known non-negative cost per unit of each feature.
func additiveDevice(rng *rand.Rand, p int) (base float64, cost []float64) {
	cost = make([]float64, p)
	for j := range cost {
		if rng.IntN(4) > 0 {
			cost[j] = rng.Float64() * 5
		}
	}
	return 2 + rng.Float64()*3, cost
}

func TestFitRecoversAdditiveDevice(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const p, n, m = 7, 20, 2000
	scale := []float64{6, 6, 6, 6, 3, 3, 3}
	draw := func(k int) [][]float64 {
		xs := make([][]float64, k)
		for i := range xs {
			xs[i] = make([]float64, p)
			for j := range p {
				xs[i][j] = float64(rng.IntN(int(scale[j]) + 1))
			}
		}
		return xs
	}
	for dev := range 5 {
		base, cost := additiveDevice(rng, p)
		lat := func(xs [][]float64, noise float64) []float64 {
			y := make([]float64, len(xs))
			for i, x := range xs {
				y[i] = base + dot(cost, x)
				y[i] *= 1 + noise*rng.NormFloat64()
			}
			return y
		}
		xs, query := draw(n), draw(m)
		exact, err := Fit(xs, lat(xs, 0), Options{Scale: scale, Lambdas: []float64{0}})
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("device %d", dev)
		approx.Equal(t, name+" base", exact.Intercept, base, coefTol)
		for j := range cost {
			approx.Equal(t, fmt.Sprintf("%s cost of feature %d (ms per unit)", name, j), exact.Coef[j]/scale[j], cost[j], coefTol)
		}
		// With 2% measurement noise the ranking of unseen networks is
		// still almost perfect.
		noisy, err := Fit(xs, lat(xs, 0.02), Options{Scale: scale})
		if err != nil {
			t.Fatal(err)
		}
		truth := lat(query, 0)
		if r := rank.Spearman(noisy.PredictTo(nil, query), truth); r < 0.98 {
			t.Errorf("%s: Spearman %.4f with 2%% noise, want >= 0.98", name, r)
		}
	}
}

func TestFitNonNegativeAndNeverNaN(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   [][]float64
		y    []float64
	}{
		{"constant column", [][]float64{{1, 2}, {1, 4}, {1, 5}, {1, 7}}, []float64{3, 5, 6, 8}},
		{"duplicate points", [][]float64{{1, 0}, {1, 0}, {1, 0}, {0, 1}, {0, 1}}, []float64{2, 2, 2, 3, 3}},
		{"n < p", [][]float64{{1, 2, 3, 4}, {2, 0, 1, 1}, {0, 1, 0, 2}}, []float64{10, 4, 5}},
		{"two points", [][]float64{{1}, {2}}, []float64{3, 5}},
		{"all features zero", [][]float64{{0, 0}, {0, 0}, {0, 0}}, []float64{1, 2, 3}},
		{"falling trend", [][]float64{{1}, {2}, {3}}, []float64{9, 6, 3}},
	} {
		m, err := Fit(tc.xs, tc.y, Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		vals := slices.Concat([]float64{m.Intercept, m.LOOLoss}, m.Coef, m.LOO, m.PredictTo(nil, tc.xs))
		if slices.ContainsFunc(vals, math.IsNaN) {
			t.Errorf("%s: NaN in %v", tc.name, vals)
		}
		for j, c := range m.Coef {
			if c < 0 {
				t.Errorf("%s: Coef[%d] = %g", tc.name, j, c)
			}
		}
	}
}

func TestFitErrors(t *testing.T) {
	xs := [][]float64{{1}, {2}, {3}}
	for _, tc := range []struct {
		name string
		xs   [][]float64
		y    []float64
		o    Options
	}{
		{"one point", [][]float64{{1}}, []float64{1}, Options{}},
		{"zero scale", xs, []float64{1, 2, 3}, Options{Scale: []float64{0}}},
		{"negative lambda", xs, []float64{1, 2, 3}, Options{Lambdas: []float64{-1}}},
		{"empty grid", xs, []float64{1, 2, 3}, Options{Lambdas: []float64{}}},
		{"relative loss with zero latency", xs, []float64{0, 2, 3}, Options{}},
		{"NaN latency", xs, []float64{1, math.NaN(), 3}, Options{Loss: Squared}},
	} {
		if _, err := Fit(tc.xs, tc.y, tc.o); !errors.Is(err, ErrBadData) {
			t.Errorf("%s: error %v, want ErrBadData", tc.name, err)
		}
	}
}

func TestFitDoesNotModifyInputs(t *testing.T) {
	xs, y := randomProblem(rand.New(rand.NewPCG(15, 16)), 12, 3)
	for i := range y {
		y[i] = math.Abs(y[i]) + 1
	}
	scale := []float64{2, 3, 4}
	lambdas := []float64{1, 0}
	xs0 := make([][]float64, len(xs))
	for i := range xs {
		xs0[i] = slices.Clone(xs[i])
	}
	y0, scale0, lambdas0 := slices.Clone(y), slices.Clone(scale), slices.Clone(lambdas)
	m, err := Fit(xs, y, Options{Scale: scale, Lambdas: lambdas})
	if err != nil {
		t.Fatal(err)
	}
	for i := range xs {
		if !slices.Equal(xs[i], xs0[i]) {
			t.Fatalf("row %d modified", i)
		}
	}
	if !slices.Equal(y, y0) || !slices.Equal(scale, scale0) || !slices.Equal(lambdas, lambdas0) {
		t.Fatal("inputs modified")
	}
	scale[0] = 100
	if m.Scale[0] != 2 {
		t.Fatal("model retains the caller's Scale")
	}
}

func TestPredictToDoesNotAllocate(t *testing.T) {
	xs, y := randomProblem(rand.New(rand.NewPCG(17, 18)), 20, 7)
	m, err := Fit(xs, y, Options{Loss: Squared})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, len(xs))
	if a := testing.AllocsPerRun(10, func() { m.PredictTo(dst, xs) }); a != 0 {
		t.Errorf("PredictTo allocates %v times per call", a)
	}
	for i, x := range xs {
		approx.Equal(t, "PredictTo vs Predict", dst[i], m.Predict(x), approx.Float64)
	}
}
