package draw

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// DefaultRidge is the ridge DOptimal's callers use unless they have a
// reason not to: small enough not to change which candidates win once the
// prior spans the feature space, large enough that the information matrix
// is invertible before it does.
const DefaultRidge = 1e-6

// DOptimal chooses n rows of pool (feature vectors, e.g. the op-cost
// features of support candidates) for a linear latency model with an
// intercept, given the rows prior already labelled (e.g. the reference
// architectures). It returns their indices in pool, in the order chosen.
//
// The choice is greedy D-optimal: with z = [1, x] and the information
// matrix M = ridge*I + sum of z z^T over prior and the rows chosen so
// far, each step adds the row that most increases log det M. By the
// matrix determinant lemma det(M + z z^T) = det(M) (1 + z^T M^-1 z), so
// that is the row of largest z^T M^-1 z (its prediction variance under
// the current design); M^-1 is then updated by Sherman-Morrison. Each
// step costs O(len(pool) p^2). Ties go to the lowest index, so shuffle
// pool to draw among equally informative rows (many architectures share
// one feature vector). A row is chosen at most once; equal rows at
// different indices may both be.
//
// The criterion ignores latencies: it needs architecture features only,
// so the support can be chosen before anything is measured. Scaling a
// feature does not change the choice (up to ridge).
//
// All rows must have the same length (else DOptimal panics); n may not
// exceed len(pool) (the error wraps ErrTooMany). pool and prior are not
// modified.
func DOptimal(pool, prior [][]float64, n int, ridge float64) ([]int, error) {
	if n < 0 {
		return nil, fmt.Errorf("draw: DOptimal: negative count %d", n)
	}
	if n > len(pool) {
		return nil, fmt.Errorf("%w: %d design points asked for, the pool has %d", ErrTooMany, n, len(pool))
	}
	if !(ridge > 0) {
		return nil, fmt.Errorf("draw: DOptimal: ridge %g must be > 0", ridge)
	}
	if n == 0 {
		return []int{}, nil
	}
	p := len(pool[0])
	k := p + 1
	check := func(what string, rows [][]float64) {
		for i, x := range rows {
			if len(x) != p {
				panic(fmt.Sprintf("draw: DOptimal: %s row %d has %d features, pool row 0 has %d", what, i, len(x), p))
			}
		}
	}
	check("pool", pool)
	check("prior", prior)

	info := mat.NewSymDense(k, nil)
	for j := range k {
		info.SetSym(j, j, ridge)
	}
	z := mat.NewVecDense(k, nil)
	setZ := func(x []float64) {
		z.SetVec(0, 1)
		for j, v := range x {
			z.SetVec(j+1, v)
		}
	}
	for _, x := range prior {
		setZ(x)
		info.SymRankOne(info, 1, z)
	}
	var chol mat.Cholesky
	if !chol.Factorize(info) {
		return nil, fmt.Errorf("draw: DOptimal: information matrix not positive definite (features not finite?)")
	}
	minv := mat.NewSymDense(k, nil)
	if err := chol.InverseTo(minv); err != nil {
		return nil, fmt.Errorf("draw: DOptimal: inverting the information matrix: %w", err)
	}

	chosen := make([]int, 0, n)
	taken := make([]bool, len(pool))
	mz := mat.NewVecDense(k, nil)
	for len(chosen) < n {
		best, bestGain := -1, 0.0
		for i, x := range pool {
			if taken[i] {
				continue
			}
			setZ(x)
			if g := mat.Inner(z, minv, z); best < 0 || g > bestGain {
				best, bestGain = i, g
			}
		}
		taken[best] = true
		chosen = append(chosen, best)
		// Sherman-Morrison: (M + z z^T)^-1 = M^-1 - (M^-1 z)(M^-1 z)^T / (1 + z^T M^-1 z).
		setZ(pool[best])
		mz.MulVec(minv, z)
		minv.SymRankOne(minv, -1/(1+bestGain), mz)
	}
	return chosen, nil
}
