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
	"gonum.org/v1/gonum/mat"
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

// TestFitWeightsMatchDuplicatedRows: integer weights fit the same model
// as repeating each row that many times (full fit; the LOO differs).
func TestFitWeightsMatchDuplicatedRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, p = 12, 3
	var xs, dup [][]float64
	var ys, dys, w []float64
	for i := range n {
		x := []float64{rng.Float64() * 6, rng.Float64() * 6, rng.Float64() * 6}
		y := 2 + x[0] + 3*x[2] + 0.3*rng.NormFloat64()
		k := 1 + i%3
		xs, ys, w = append(xs, x), append(ys, y), append(w, float64(k))
		for range k {
			dup, dys = append(dup, x), append(dys, y)
		}
	}
	for _, lambda := range []float64{0, 0.1} {
		o := Options{Lambdas: []float64{lambda}}
		want, err := Fit(dup, dys, o)
		if err != nil {
			t.Fatal(err)
		}
		o.Weights = w
		got, err := Fit(xs, ys, o)
		if err != nil {
			t.Fatal(err)
		}
		approx.Equal(t, "intercept", got.Intercept, want.Intercept, 1e-9)
		approx.Slices(t, "coef", got.Coef, want.Coef, 1e-9)
		if len(got.Coef) != p {
			t.Fatalf("%d coefficients", len(got.Coef))
		}
	}
	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		w2 := append([]float64{}, w...)
		w2[3] = bad
		if _, err := Fit(xs, ys, Options{Weights: w2}); !errors.Is(err, ErrBadData) {
			t.Errorf("weight %g: err %v, want ErrBadData", bad, err)
		}
	}
}

// ridgeClosedForm solves min ||y - b0 - X w||^2 + lambda ||w||^2 (the
// intercept unpenalised) through its normal equations with gonum.
func ridgeClosedForm(t *testing.T, xs [][]float64, y []float64, lambda float64) (b0 float64, w []float64) {
	t.Helper()
	n, p := len(xs), len(xs[0])
	a := mat.NewDense(n, p+1, nil)
	for i, x := range xs {
		a.Set(i, 0, 1)
		for j, v := range x {
			a.Set(i, j+1, v)
		}
	}
	var g mat.Dense
	g.Mul(a.T(), a)
	for j := 1; j <= p; j++ {
		g.Set(j, j, g.At(j, j)+lambda)
	}
	var c mat.VecDense
	c.MulVec(a.T(), mat.NewVecDense(n, slices.Clone(y)))
	var sol mat.VecDense
	if err := sol.SolveVec(&g, &c); err != nil {
		t.Fatal(err)
	}
	w = make([]float64, p)
	for j := range w {
		w[j] = sol.AtVec(j + 1)
	}
	return sol.AtVec(0), w
}

// TestFitSignedIsRidge: with Signed, Fit is ridge least squares with a
// free intercept (coefficients of both signs), its LOO predictions are
// those of ridge refits without each point, and it fits a device whose
// true costs include a negative one, which NNLS cannot.
func TestFitSignedIsRidge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n, p = 20, 4
	xs := make([][]float64, n)
	y := make([]float64, n)
	costs := []float64{2, -0.5, 1, 0} // ms per unit; one negative
	for i := range xs {
		xs[i] = make([]float64, p)
		y[i] = 3
		for j := range xs[i] {
			xs[i][j] = float64(r.IntN(4))
			y[i] += costs[j] * xs[i][j]
		}
		y[i] += 0.01 * r.NormFloat64()
	}
	for _, lambda := range []float64{0, 0.1, 1} {
		m, err := Fit(xs, y, Options{Lambdas: []float64{lambda}, Signed: true, Loss: Squared})
		if err != nil {
			t.Fatal(err)
		}
		b0, w := ridgeClosedForm(t, xs, y, lambda)
		const tol = 1e-8 // relative; both solve the same 5x5 system
		approx.Equal(t, fmt.Sprintf("lambda %g intercept", lambda), m.Intercept, b0, tol)
		approx.Slices(t, fmt.Sprintf("lambda %g coefficients", lambda), m.Coef, w, tol)
		for i := range xs {
			rest := slices.Delete(slices.Clone(xs), i, i+1)
			ry := slices.Delete(slices.Clone(y), i, i+1)
			rb, rw := ridgeClosedForm(t, rest, ry, lambda)
			want := rb
			for j, v := range xs[i] {
				want += rw[j] * v
			}
			approx.Equal(t, fmt.Sprintf("lambda %g LOO %d", lambda, i), m.LOO[i], want, tol)
		}
	}
	m, err := Fit(xs, y, Options{Lambdas: []float64{0}, Signed: true})
	if err != nil {
		t.Fatal(err)
	}
	approx.Slices(t, "recovered costs", m.Coef, costs, 0.05)
	nn, err := Fit(xs, y, Options{Lambdas: []float64{0}})
	if err != nil {
		t.Fatal(err)
	}
	if nn.LOOLoss <= m.LOOLoss {
		t.Errorf("NNLS LOO loss %g <= signed %g on a device with a negative cost", nn.LOOLoss, m.LOOLoss)
	}
}
