package predictor

import (
	"math/rand/v2"
	"testing"

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
		}
	}
}
