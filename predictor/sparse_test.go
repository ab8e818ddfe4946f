package predictor

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"

	"github.com/helpwasm/helpwasm/internal/approx"
)

func TestSparseAffine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, sh := range [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 100, 200}, {2, 13, 8}, {5, 9, 17}} {
		n, in, out := sh[0], sh[1], sh[2]
		x := make([]float64, n*in)
		for i := range x {
			if rng.IntN(2) == 0 {
				x[i] = rng.NormFloat64()
			}
		}
		wt := make([]float64, in*out)
		bias := make([]float64, out)
		for i := range wt {
			wt[i] = rng.NormFloat64()
		}
		for i := range bias {
			bias[i] = rng.NormFloat64()
		}
		for _, b := range [][]float64{nil, bias} {
			y := make([]float64, n*out)
			sparseAffine(y, x, n, in, out, wt, b, make([]int32, in))
			want := make([]float64, n*out)
			for r := 0; r < n; r++ {
				for c := 0; c < out; c++ {
					s := 0.0
					if b != nil {
						s = b[c]
					}
					for i := 0; i < in; i++ {
						s += x[r*in+i] * wt[i*out+c]
					}
					want[r*out+c] = s
				}
			}
			approx.Slices(t, "sparseAffine", y, want, approx.Float64)
			y2 := make([]float64, n*out)
			for i := range y2 {
				y2[i] = math.NaN() // must be overwritten
			}
			affineSkipZeros(y2, x, n, in, out, wt, b, make([]int32, in))
			approx.Slices(t, "affineSkipZeros", y2, want, approx.Float64)
		}
	}
}

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

// BenchmarkSparseAffine compares the bulk kernel with gonum's NoTrans x
// NoTrans product (which also skips zeros of its left operand) on a
// half-zero 1024x200 by 200x200 product, fc4's shape in bulk prediction.
func BenchmarkSparseAffine(b *testing.B) {
	const n, in, out = 1024, 200, 200
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, n*in)
	for i := range x {
		if rng.IntN(2) == 0 {
			x[i] = rng.Float64()
		}
	}
	wt := make([]float64, in*out)
	for i := range wt {
		wt[i] = rng.NormFloat64()
	}
	y := make([]float64, n*out)
	nz := make([]int32, in)
	b.Run("sparseAffine", func(b *testing.B) {
		for range b.N {
			sparseAffine(y, x, n, in, out, wt, nil, nz)
		}
	})
	b.Run("gonum", func(b *testing.B) {
		for range b.N {
			gemm(blas.NoTrans, blas.NoTrans, n, out, in, 1, x, in, wt, out, 0, y, out)
		}
	})
}
