package engine

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestGEMMMatchesNaive checks the packed product (whichever kernel the
// build and target run: portable, inline, or the simd experiment's)
// against a float64 triple loop on ragged and long shapes, with and
// without bias, writing and adding.
func TestGEMMMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, sz := range [][3]int{
		{1, 1, 1}, {3, 5, 7}, {4, 4, 4}, {5, 27, 9}, {7, 16, 12}, {8, 3, 33},
		{16, 64, 20}, {13, 65, 31}, {64, 144, 64}, {20, 816, 10}, {33, 192, 49},
	} {
		m, k, n := sz[0], sz[1], sz[2]
		for _, withBias := range []bool{false, true} {
			for _, add := range []bool{false, true} {
				t.Run(fmt.Sprintf("%dx%dx%d_bias%v_add%v", m, k, n, withBias, add), func(t *testing.T) {
					w := randTensor(rng, m*k)
					bm := randTensor(rng, k*n) // row-major k×n
					var bias []float32
					if withBias {
						bias = randTensor(rng, m)
					}
					bp := randTensor(rng, packedBLen(k, n)) // garbage past n: must not leak
					for q := 0; q*nr < n; q++ {
						for kk := 0; kk < k; kk++ {
							for j := 0; j < nr; j++ {
								if q*nr+j < n {
									bp[q*k*nr+kk*nr+j] = bm[kk*n+q*nr+j]
								}
							}
						}
					}
					c := randTensor(rng, m*n)
					want := make([]float64, m*n)
					for i := range m {
						for j := range n {
							var s float64
							for kk := range k {
								s += float64(w[i*k+kk]) * float64(bm[kk*n+j])
							}
							if bias != nil {
								s += float64(bias[i])
							}
							if add {
								s += float64(c[i*n+j])
							}
							want[i*n+j] = s
						}
					}
					gemm(c, packA(w, m, k), bp, n, bias, add)
					checkScaled(t, "C", c, want, scaledTol)
				})
			}
		}
	}
}

// TestSIMDPaths checks that a build with GOEXPERIMENT=simd runs the
// vector GEMM under WASM (128-bit vectors, the experiment's point), and
// says which kernels ran.
func TestSIMDPaths(t *testing.T) {
	if !simdBuild {
		t.Skip("portable build (no GOEXPERIMENT=simd): the simd kernels are not compiled in")
	}
	if runtime.GOARCH == "wasm" && !gemmVecOK() {
		t.Fatal("simd build under WASM without 4-lane vectors: the GEMM would run the portable kernel")
	}
	t.Logf("simd build on %s: %d lanes, vector GEMM %v (natively only with GODEBUG=simd=128)", runtime.GOARCH, vecLanes(), gemmVecOK())
}
