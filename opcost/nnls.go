package opcost

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// ErrNoConvergence is wrapped when the active-set method exceeds its
// iteration limit, which in exact arithmetic cannot happen; it signals
// input so badly scaled that rounding makes the method cycle.
var ErrNoConvergence = errors.New("opcost: active-set method did not converge")

// ErrBadData is wrapped when features or latencies hold NaN or ±Inf, a
// scale is not positive, or there are too few labelled points.
var ErrBadData = errors.New("opcost: bad data")

// NNLS returns the intercept b and the coefficients w >= 0 that minimise
//
//	sum_i (y[i] - b - sum_j xs[i][j] w[j])^2 + lambda sum_j w[j]^2
//
// over n = len(xs) points with p = len(xs[0]) features. The intercept is
// free (it may be negative) and not penalised. lambda must be >= 0.
//
// The method is Lawson and Hanson's active set in the Gram form of Bro and
// de Jong (fast NNLS): each step solves the normal equations restricted to
// the positive coefficients by Cholesky. When lambda is 0 and a feature is
// linearly dependent on the intercept and the positive features (a
// constant column, a duplicate column, n <= p) it is left at 0, so the
// result is a minimiser, not necessarily the minimum-norm one.
//
// Rows of unequal length panic; NaN or ±Inf are returned as an error
// wrapping ErrBadData. xs and y are not modified.
func NNLS(xs [][]float64, y []float64, lambda float64) (intercept float64, coef []float64, err error) {
	if len(xs) != len(y) {
		panic(fmt.Sprintf("opcost: NNLS: %d rows, %d targets", len(xs), len(y)))
	}
	if len(xs) == 0 {
		return 0, nil, fmt.Errorf("%w: NNLS needs at least one point", ErrBadData)
	}
	p := len(xs[0])
	if err := checkFinite(xs, y, p); err != nil {
		return 0, nil, err
	}
	if lambda < 0 || math.IsNaN(lambda) || math.IsInf(lambda, 0) {
		return 0, nil, fmt.Errorf("%w: ridge lambda %g (want finite, >= 0)", ErrBadData, lambda)
	}
	k := p + 1
	g := make([]float64, k*k)
	c := make([]float64, k)
	z := make([]float64, k)
	for i, x := range xs {
		z[0] = 1
		copy(z[1:], x)
		addOuter(g, c, z, y[i], 1)
	}
	addRidge(g, k, lambda)
	sol := make([]float64, k)
	var s solver
	if err := s.solve(sol, g, c, 1); err != nil {
		return 0, nil, err
	}
	return sol[0], sol[1:], nil
}

// addOuter adds sign*z z^T to the k x k row-major g and sign*y*z to c.
func addOuter(g, c, z []float64, y, sign float64) {
	k := len(z)
	for a, za := range z {
		if za == 0 {
			continue
		}
		row := g[a*k : a*k+k]
		for b, zb := range z {
			row[b] += sign * za * zb
		}
		c[a] += sign * y * za
	}
}

// addRidge adds lambda to the diagonal of g except its first entry (the
// intercept).
func addRidge(g []float64, k int, lambda float64) {
	for j := 1; j < k; j++ {
		g[j*k+j] += lambda
	}
}

func checkFinite(xs [][]float64, y []float64, p int) error {
	for i, x := range xs {
		if len(x) != p {
			panic(fmt.Sprintf("opcost: row %d has %d features, row 0 has %d", i, len(x), p))
		}
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: feature %d of point %d is %g", ErrBadData, j, i, v)
			}
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return fmt.Errorf("%w: latency of point %d is %g", ErrBadData, i, y[i])
		}
	}
	return nil
}

// Tolerances of the active-set method.
const (
	// gradTol, relative to the largest |c|, is how positive a gradient
	// component must be for its variable to enter the passive set:
	// anything smaller is rounding.
	gradTol = 1e-11
	// depTol, relative to G[j][j], is the smallest Cholesky pivot (squared)
	// a variable may bring: below it the variable is a linear combination
	// of those already passive.
	depTol = 1e-10
)

// solver is the scratch of the Gram-form active-set method, reused across
// solves of the same size (Fit solves hundreds of small problems).
type solver struct {
	k        int
	passive  []bool
	rejected []bool
	order    []int // passive variables, in the order they entered
	s, w     []float64
	chol     []float64
	rhs      []float64
}

func (sv *solver) reset(k int) {
	if sv.k != k {
		*sv = solver{
			k:        k,
			passive:  make([]bool, k),
			rejected: make([]bool, k),
			order:    make([]int, 0, k),
			s:        make([]float64, k),
			w:        make([]float64, k),
			chol:     make([]float64, k*k),
			rhs:      make([]float64, k),
		}
	}
	clear(sv.passive)
	clear(sv.rejected)
	sv.order = sv.order[:0]
}

// solve writes to x the minimiser of 1/2 x^T G x - c^T x subject to
// x[j] >= 0 for j >= free; x[:free] are unconstrained. g is k x k
// row-major, symmetric positive semi-definite, and positive definite on
// the free variables. g and c are not modified.
func (sv *solver) solve(x, g, c []float64, free int) error {
	k := len(c)
	sv.reset(k)
	clear(x)
	for j := range free {
		sv.passive[j] = true
		sv.order = append(sv.order, j)
	}
	if free > 0 && !sv.subsolve(g, c) {
		return fmt.Errorf("opcost: the unconstrained variables are linearly dependent")
	}
	copy(x, sv.s)

	cmax := 0.0
	for _, v := range c {
		cmax = max(cmax, math.Abs(v))
	}
	tol := gradTol * max(1, cmax)
	maxIter := 3*k + 10
	for iter := 0; ; iter++ {
		if iter > maxIter {
			return fmt.Errorf("%w after %d steps (%d variables)", ErrNoConvergence, iter, k)
		}
		// w = c - G x: the negative gradient.
		for a := range k {
			v := c[a]
			row := g[a*k : a*k+k]
			for b, xb := range x {
				v -= row[b] * xb
			}
			sv.w[a] = v
		}
		j, best := -1, tol
		for a := free; a < k; a++ {
			if !sv.passive[a] && !sv.rejected[a] && sv.w[a] > best {
				j, best = a, sv.w[a]
			}
		}
		if j < 0 {
			return nil
		}
		sv.passive[j] = true
		sv.order = append(sv.order, j)
		if !sv.subsolve(g, c) || sv.s[j] <= 0 {
			// j depends on the passive variables (or rounding says it
			// cannot decrease the objective): leave it at 0 this round.
			sv.drop(j)
			sv.rejected[j] = true
			if !sv.subsolve(g, c) {
				return fmt.Errorf("opcost: lost the passive set's factorisation")
			}
			continue
		}
		clear(sv.rejected)
		for inner := 0; ; inner++ {
			if inner > k {
				return fmt.Errorf("%w: inner loop (%d variables)", ErrNoConvergence, k)
			}
			// Step from x towards s until the first passive variable
			// reaches 0, and make it (and any tied with it) active.
			alpha, hit := 1.0, -1
			for _, a := range sv.order {
				if a >= free && sv.s[a] <= 0 {
					if r := x[a] / (x[a] - sv.s[a]); hit < 0 || r < alpha {
						alpha, hit = r, a
					}
				}
			}
			if hit < 0 {
				break
			}
			for _, a := range sv.order {
				x[a] += alpha * (sv.s[a] - x[a])
			}
			x[hit] = 0
			for a := free; a < k; a++ {
				if sv.passive[a] && x[a] <= 0 {
					x[a] = 0
					sv.drop(a)
				}
			}
			if !sv.subsolve(g, c) {
				return fmt.Errorf("opcost: lost the passive set's factorisation")
			}
		}
		for a := range k {
			if sv.passive[a] {
				x[a] = sv.s[a]
			} else {
				x[a] = 0
			}
		}
	}
}

func (sv *solver) drop(j int) {
	sv.passive[j] = false
	for i, a := range sv.order {
		if a == j {
			sv.order = append(sv.order[:i], sv.order[i+1:]...)
			return
		}
	}
}

// subsolve writes to sv.s the solution of G[P,P] s[P] = c[P] over the
// passive set P (zero elsewhere). It returns false when the last variable
// to enter is linearly dependent on the others (or G[P,P] is not positive
// definite).
func (sv *solver) subsolve(g, c []float64) bool {
	k, m := sv.k, len(sv.order)
	clear(sv.s)
	if m == 0 {
		return true
	}
	a := sv.chol[:m*m]
	for i, vi := range sv.order {
		for j, vj := range sv.order {
			a[i*m+j] = g[vi*k+vj]
		}
		sv.rhs[i] = c[vi]
	}
	t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: m, Stride: m, Data: a})
	last := sv.order[m-1]
	if !ok || a[(m-1)*m+m-1]*a[(m-1)*m+m-1] <= depTol*g[last*k+last] {
		return false
	}
	lapack64.Potrs(t, blas64.General{Rows: m, Cols: 1, Stride: 1, Data: sv.rhs[:m]})
	for i, v := range sv.order {
		sv.s[v] = sv.rhs[i]
	}
	return true
}
