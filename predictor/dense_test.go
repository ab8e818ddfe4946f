package predictor

import (
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// TestTiledGemm checks the tiled wrapper against gonum's Dgemm for every
// transposition and shapes that span several tiles.
func TestTiledGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, sh := range [][3]int{{1, 1, 1}, {70, 200, 30}, {130, 400, 7}, {64, 192, 5}, {65, 193, 3}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				a := make([]float64, m*k)
				b := make([]float64, k*n)
				c := make([]float64, m*n)
				for _, s := range [][]float64{a, b, c} {
					for i := range s {
						s[i] = rng.NormFloat64()
					}
				}
				lda, ldb := k, n
				if tA == blas.Trans {
					lda = m
				}
				if tB == blas.Trans {
					ldb = k
				}
				want := slices.Clone(c)
				impl.Dgemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 0.7, want, n)
				gemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 0.7, c, n)
				approx.Slices(t, "tiled gemm", c, want, approx.Float64)
			}
		}
	}
}
