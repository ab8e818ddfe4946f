package opcost

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// Tolerances of the NNLS checks.
const (
	// objTol compares objectives of the active-set result and the brute
	// force (both Cholesky/QR solves of the same small system).
	objTol = 1e-9
	// coefTol compares coefficients where the minimiser is unique; looser
	// than objTol because the objective is flat (quadratic) near it.
	coefTol = 1e-6
	// kktTol bounds the gradient at the solution, relative to max|c|.
	kktTol = 1e-8
)

// objective is the quantity NNLS minimises.
func objective(xs [][]float64, y []float64, lambda, b float64, w []float64) float64 {
	s := 0.0
	for i, x := range xs {
		d := y[i] - b
		for j, v := range x {
			d -= v * w[j]
		}
		s += d * d
	}
	for _, v := range w {
		s += lambda * v * v
	}
	return s
}

// bruteNNLS enumerates every support S of the coefficients, solves the
// unconstrained ridge least squares on the intercept and S (QR on the
// design stacked over sqrt(lambda) I), and keeps the best feasible
// solution. Rank-deficient supports are skipped: their optimum is reached
// by a smaller support.
func bruteNNLS(xs [][]float64, y []float64, lambda float64) (float64, []float64) {
	n, p := len(xs), len(xs[0])
	bestObj, bestB, bestW := math.Inf(1), 0.0, make([]float64, p)
	for mask := 0; mask < 1<<p; mask++ {
		var cols []int
		for j := range p {
			if mask&(1<<j) != 0 {
				cols = append(cols, j)
			}
		}
		m := len(cols) + 1
		rows := n + len(cols)
		if rows < m {
			continue
		}
		a := mat.NewDense(rows, m, nil)
		rhs := mat.NewVecDense(rows, nil)
		for i, x := range xs {
			a.Set(i, 0, 1)
			for c, j := range cols {
				a.Set(i, c+1, x[j])
			}
			rhs.SetVec(i, y[i])
		}
		for c := range cols {
			a.Set(n+c, c+1, math.Sqrt(lambda))
		}
		var qr mat.QR
		qr.Factorize(a)
		if qr.Cond() > 1e10 {
			continue
		}
		var sol mat.VecDense
		if err := qr.SolveVecTo(&sol, false, rhs); err != nil {
			continue
		}
		w := make([]float64, p)
		feasible := true
		for c, j := range cols {
			w[j] = sol.AtVec(c + 1)
			if w[j] < 0 {
				feasible = false
			}
		}
		if !feasible {
			continue
		}
		if o := objective(xs, y, lambda, sol.AtVec(0), w); o < bestObj {
			bestObj, bestB, bestW = o, sol.AtVec(0), w
		}
	}
	return bestB, bestW
}

// randomProblem draws n points of p features in [0, 6) (like edge counts)
// and latencies from a linear model whose true coefficients are partly
// negative, so some constraints bind.
func randomProblem(rng *rand.Rand, n, p int) ([][]float64, []float64) {
	w := make([]float64, p)
	for j := range w {
		w[j] = rng.NormFloat64() * 3
	}
	xs := make([][]float64, n)
	y := make([]float64, n)
	for i := range xs {
		xs[i] = make([]float64, p)
		y[i] = 5 + rng.NormFloat64()
		for j := range p {
			xs[i][j] = float64(rng.IntN(7))
			y[i] += w[j] * xs[i][j]
		}
	}
	return xs, y
}

func TestNNLSMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ n, p int }{{3, 1}, {4, 2}, {5, 3}, {8, 4}, {12, 5}, {20, 7}, {6, 8}} {
		for _, lambda := range []float64{0, 0.01, 1} {
			for trial := range 20 {
				name := fmt.Sprintf("n=%d p=%d lambda=%g trial %d", tc.n, tc.p, lambda, trial)
				xs, y := randomProblem(rng, tc.n, tc.p)
				b, w, err := NNLS(xs, y, lambda)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for j, v := range w {
					if v < 0 {
						t.Fatalf("%s: w[%d] = %g < 0", name, j, v)
					}
				}
				bb, bw := bruteNNLS(xs, y, lambda)
				got, want := objective(xs, y, lambda, b, w), objective(xs, y, lambda, bb, bw)
				if !approx.Equal(t, name+" objective", got, want, objTol) {
					t.Logf("got b=%g w=%v; brute force b=%g w=%v", b, w, bb, bw)
					continue
				}
				// The minimiser is unique when the problem is strictly
				// convex: ridge, or a full-rank design.
				if lambda > 0 || tc.n > tc.p+1 {
					approx.Equal(t, name+" intercept", b, bb, coefTol)
					approx.Slices(t, name+" coef", w, bw, coefTol)
				}
			}
		}
	}
}

// kkt checks the optimality conditions of NNLS: the gradient of the
// objective is zero in the intercept and in every positive coefficient and
// non-negative in every zero coefficient.
func kkt(t *testing.T, name string, xs [][]float64, y []float64, lambda, b float64, w []float64) {
	t.Helper()
	p := len(w)
	grad := make([]float64, p+1) // d/d(b, w) of the objective / 2
	scale := 1.0
	for i, x := range xs {
		r := b - y[i]
		for j, v := range x {
			r += v * w[j]
		}
		grad[0] += r
		for j, v := range x {
			grad[j+1] += r * v
			scale = max(scale, math.Abs(y[i]*v))
		}
		scale = max(scale, math.Abs(y[i]))
	}
	for j := range w {
		grad[j+1] += lambda * w[j]
	}
	tol := kktTol * scale * float64(len(xs))
	if math.Abs(grad[0]) > tol {
		t.Errorf("%s: intercept gradient %g", name, grad[0])
	}
	for j, v := range w {
		g := grad[j+1]
		if v > 0 && math.Abs(g) > tol || v == 0 && g < -tol {
			t.Errorf("%s: w[%d] = %g with gradient %g (tol %g)", name, j, v, g, tol)
		}
	}
}

func TestNNLSKKT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n, p := 2+rng.IntN(40), 1+rng.IntN(30)
		lambda := []float64{0, 0.01, 0.1, 1}[trial%4]
		xs, y := randomProblem(rng, n, p)
		b, w, err := NNLS(xs, y, lambda)
		if err != nil {
			t.Fatalf("trial %d (n=%d p=%d): %v", trial, n, p, err)
		}
		kkt(t, fmt.Sprintf("trial %d (n=%d p=%d lambda=%g)", trial, n, p, lambda), xs, y, lambda, b, w)
	}
}

// With every true coefficient well above zero no constraint binds, and
// NNLS is ridge regression with a free intercept: centre, then solve
// (Xc^T Xc + lambda I) w = Xc^T yc.
func TestNNLSRidgeClosedForm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, p, lambda = 30, 4, 0.5
	xs := make([][]float64, n)
	y := make([]float64, n)
	for i := range xs {
		xs[i] = make([]float64, p)
		y[i] = 3 + 0.1*rng.NormFloat64()
		for j := range p {
			xs[i][j] = rng.Float64()
			y[i] += float64(10*(j+1)) * xs[i][j]
		}
	}
	b, w, err := NNLS(xs, y, lambda)
	if err != nil {
		t.Fatal(err)
	}
	mean := make([]float64, p)
	ybar := 0.0
	for i, x := range xs {
		for j, v := range x {
			mean[j] += v / n
		}
		ybar += y[i] / n
	}
	xc := mat.NewDense(n, p, nil)
	yc := mat.NewVecDense(n, nil)
	for i, x := range xs {
		for j, v := range x {
			xc.Set(i, j, v-mean[j])
		}
		yc.SetVec(i, y[i]-ybar)
	}
	var gram mat.Dense
	gram.Mul(xc.T(), xc)
	for j := range p {
		gram.Set(j, j, gram.At(j, j)+lambda)
	}
	var rhs, want mat.VecDense
	rhs.MulVec(xc.T(), yc)
	if err := want.SolveVec(&gram, &rhs); err != nil {
		t.Fatal(err)
	}
	wantB := ybar
	for j := range p {
		if want.AtVec(j) <= 0 {
			t.Fatalf("closed form w[%d] = %g: the test needs all coefficients positive", j, want.AtVec(j))
		}
		wantB -= mean[j] * want.AtVec(j)
	}
	approx.Slices(t, "coef", w, want.RawVector().Data, approx.Float64*1e3)
	approx.Equal(t, "intercept", b, wantB, approx.Float64*1e3)
}

func TestNNLSNegativeIntercept(t *testing.T) {
	xs := [][]float64{{1}, {2}, {3}, {4}}
	y := []float64{-3, -1, 1, 3} // y = -5 + 2x
	b, w, err := NNLS(xs, y, 0)
	if err != nil {
		t.Fatal(err)
	}
	approx.Equal(t, "intercept", b, -5, approx.Float64)
	approx.Equal(t, "slope", w[0], 2, approx.Float64)
	// A falling trend cannot be followed: the slope stays 0 and the
	// intercept is the mean.
	b, w, err = NNLS(xs, []float64{3, 1, -1, -3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	approx.Equal(t, "intercept of falling trend", b, 0, approx.Float64)
	approx.Equal(t, "slope of falling trend", w[0], 0, approx.Float64)
}

func TestNNLSDegenerate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		xs     [][]float64
		y      []float64
		lambda float64
	}{
		{"constant column", [][]float64{{1, 2}, {1, 4}, {1, 5}, {1, 7}}, []float64{3, 5, 6, 8}, 0},
		{"duplicate columns", [][]float64{{1, 1}, {2, 2}, {4, 4}, {5, 5}}, []float64{1, 2, 4, 5}, 0},
		{"duplicate points", [][]float64{{1, 0}, {1, 0}, {1, 0}, {0, 1}}, []float64{2, 2, 2, 3}, 0},
		{"n < p", [][]float64{{1, 2, 3, 4}, {2, 0, 1, 1}}, []float64{10, 4}, 0},
		{"n < p ridge", [][]float64{{1, 2, 3, 4}, {2, 0, 1, 1}}, []float64{10, 4}, 0.1},
		{"one point", [][]float64{{3, 1}}, []float64{7}, 0},
		{"zero features", [][]float64{{0, 0}, {0, 0}}, []float64{1, 3}, 0},
		{"constant latency", [][]float64{{1, 2}, {3, 1}, {2, 2}}, []float64{4, 4, 4}, 0},
	} {
		b, w, err := NNLS(tc.xs, tc.y, tc.lambda)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if math.IsNaN(b) || slices.ContainsFunc(w, math.IsNaN) {
			t.Errorf("%s: NaN in b=%g w=%v", tc.name, b, w)
		}
		bb, bw := bruteNNLS(tc.xs, tc.y, tc.lambda)
		approx.Equal(t, tc.name+" objective", objective(tc.xs, tc.y, tc.lambda, b, w), objective(tc.xs, tc.y, tc.lambda, bb, bw), objTol)
		kkt(t, tc.name, tc.xs, tc.y, tc.lambda, b, w)
	}
}

func TestNNLSBadData(t *testing.T) {
	for _, tc := range []struct {
		name   string
		xs     [][]float64
		y      []float64
		lambda float64
	}{
		{"NaN feature", [][]float64{{1}, {math.NaN()}}, []float64{1, 2}, 0},
		{"Inf latency", [][]float64{{1}, {2}}, []float64{1, math.Inf(1)}, 0},
		{"negative lambda", [][]float64{{1}, {2}}, []float64{1, 2}, -1},
		{"no points", [][]float64{}, []float64{}, 0},
	} {
		if _, _, err := NNLS(tc.xs, tc.y, tc.lambda); !errors.Is(err, ErrBadData) {
			t.Errorf("%s: error %v, want ErrBadData", tc.name, err)
		}
	}
}

func TestNNLSDoesNotModifyInputs(t *testing.T) {
	xs, y := randomProblem(rand.New(rand.NewPCG(7, 8)), 10, 4)
	xs0 := make([][]float64, len(xs))
	for i := range xs {
		xs0[i] = slices.Clone(xs[i])
	}
	y0 := slices.Clone(y)
	if _, _, err := NNLS(xs, y, 0.1); err != nil {
		t.Fatal(err)
	}
	for i := range xs {
		if !slices.Equal(xs[i], xs0[i]) {
			t.Fatalf("row %d modified", i)
		}
	}
	if !slices.Equal(y, y0) {
		t.Fatal("y modified")
	}
}
