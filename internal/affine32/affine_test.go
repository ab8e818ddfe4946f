package affine32

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// reference is y = x W + bias in float64, the naive triple loop.
func reference(x []float32, n, in, out int, w, bias []float32, relu bool) []float64 {
	y := make([]float64, n*out)
	for r := 0; r < n; r++ {
		for c := 0; c < out; c++ {
			a := float64(bias[c])
			for i := 0; i < in; i++ {
				a += float64(x[r*in+i]) * float64(w[i*out+c])
			}
			if relu && a < 0 {
				a = 0
			}
			y[r*out+c] = a
		}
	}
	return y
}

func random(r *rand.Rand, n int, zeros float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		if r.Float64() >= zeros {
			v[i] = float32(r.NormFloat64())
		}
	}
	return v
}

// TestRows checks both kernels against the float64 reference on shapes
// that exercise the 32-wide blocks, the 8-wide blocks and the scalar tail,
// with all-zero, dense and half-zero rows. Tolerance: float32 rounding of
// sums of up to 200 products of unit-scale values, 1e-5 relative to the
// sum of absolute terms.
func TestRows(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		n, in, out int
		zeros      float64
	}{
		{1, 1, 1, 0}, {3, 5, 7, 0}, {4, 8, 8, 0.5}, {5, 100, 100, 0.5},
		{7, 100, 200, 0.5}, {2, 200, 200, 1}, {6, 8, 104, 0}, {3, 17, 40, 0.9},
		{9, 200, 33, 0.3},
	} {
		x := random(r, tc.n*tc.in, tc.zeros)
		w := random(r, tc.in*tc.out, 0)
		bias := random(r, tc.out, 0)
		xc, wc := append([]float32(nil), x...), append([]float32(nil), w...)
		for _, relu := range []bool{false, true} {
			want := reference(x, tc.n, tc.in, tc.out, w, bias, relu)
			for _, k := range kernels() {
				y := make([]float32, tc.n*tc.out+1)
				y[len(y)-1] = 42 // must not be touched
				var s Scratch
				k.rows(y, x, tc.n, tc.in, tc.out, w, bias, relu, &s)
				for j, v := range y[:len(y)-1] {
					r, c := j/tc.out, j%tc.out
					scale := math.Abs(float64(bias[c]))
					for i := 0; i < tc.in; i++ {
						scale += math.Abs(float64(x[r*tc.in+i]) * float64(w[i*tc.out+c]))
					}
					if d := math.Abs(float64(v) - want[j]); d > 1e-5*max(scale, 1) {
						t.Fatalf("%s %+v relu=%v: y[%d] = %g, want %g", k.name, tc, relu, j, v, want[j])
					}
				}
				if y[len(y)-1] != 42 {
					t.Fatalf("%s %+v: wrote past n*out", k.name, tc)
				}
			}
		}
		for i := range x {
			if x[i] != xc[i] {
				t.Fatal("x modified")
			}
		}
		for i := range w {
			if w[i] != wc[i] {
				t.Fatal("w modified")
			}
		}
	}
}

func TestRowsShortSlicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a short weight slice")
		}
	}()
	var s Scratch
	Rows(make([]float32, 4), make([]float32, 4), 2, 2, 2, make([]float32, 3), make([]float32, 2), false, &s)
}

func widen(v []float32) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = float64(x)
	}
	return w
}

type kernel struct {
	name string
	rows func(y, x []float32, n, in, out int, w, bias []float32, relu bool, s *Scratch)
}

// kernels are Rows as dispatched on this machine and the portable kernel
// forced, so both are tested wherever the assembly one runs.
func kernels() []kernel {
	return []kernel{
		{"Rows", Rows},
		{"portable", func(y, x []float32, n, in, out int, w, bias []float32, relu bool, s *Scratch) {
			withPortable(func() { Rows(y, x, n, in, out, w, bias, relu, s) })
		}},
	}
}

var benchSink float32

// BenchmarkRows is the predictor head's largest product (fc4: 200 -> 200)
// on half-zero rows, with the dispatched and the portable kernel, and
// gonum's float64 Dgemm (which also skips zeros of its left operand) on
// the same numbers, which the bulk path used before this package.
func BenchmarkRows(b *testing.B) {
	const n, in, out = 512, 200, 200
	r := rand.New(rand.NewPCG(1, 2))
	x, w, bias := random(r, n*in, 0.5), random(r, in*out, 0), random(r, out, 0)
	y := make([]float32, n*out)
	b.Run("gonum-float64", func(b *testing.B) {
		x64, w64, y64 := widen(x), widen(w), make([]float64, n*out)
		var impl gonum.Implementation
		for range b.N {
			impl.Dgemm(blas.NoTrans, blas.NoTrans, n, out, in, 1, x64, in, w64, out, 0, y64, out)
		}
	})
	for _, k := range kernels() {
		b.Run(k.name, func(b *testing.B) {
			var s Scratch
			for range b.N {
				k.rows(y, x, n, in, out, w, bias, true, &s)
			}
			benchSink += y[0]
		})
	}
}

// TestCombine checks Combine against a float64 weighted sum of rows, with
// repeated and out-of-order rows, on both kernels (tolerance as TestRows).
func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, width := range []int{1, 4, 7, 8, 36, 100, 104} {
		const rows = 20
		m := random(r, rows*width, 0)
		bias := random(r, width, 0)
		states := []int32{19, 3, 3, 0, 7}
		coef := random(r, len(states), 0)
		offs := make([]int32, len(states))
		for i, s := range states {
			offs[i] = s * int32(width)
		}
		for _, relu := range []bool{false, true} {
			for _, k := range []struct {
				name string
				wrap func(func())
			}{{"Combine", func(f func()) { f() }}, {"portable", withPortable}} {
				y := make([]float32, width)
				k.wrap(func() { Combine(y, bias, m, coef, offs, relu) })
				for c := range y {
					want, scale := float64(bias[c]), math.Abs(float64(bias[c]))
					for i, s := range states {
						p := float64(coef[i]) * float64(m[int(s)*width+c])
						want += p
						scale += math.Abs(p)
					}
					if relu && want < 0 {
						want = 0
					}
					if d := math.Abs(float64(y[c]) - want); d > 1e-5*max(scale, 1) {
						t.Fatalf("%s width %d relu=%v: y[%d] = %g, want %g", k.name, width, relu, c, y[c], want)
					}
				}
			}
		}
	}
}

// TestCombineOutOfRangePanics: a row offset past the matrix is a
// programmer error and must not reach the assembly kernel.
func TestCombineOutOfRangePanics(t *testing.T) {
	for _, offs := range [][]int32{{8}, {-1}, {0, 5}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("offsets %v: no panic", offs)
				}
			}()
			y := make([]float32, 4)
			Combine(y, make([]float32, 4), make([]float32, 8), make([]float32, len(offs)), offs, false)
		}()
	}
}
