// Package affine32 computes y = ReLU?(x W + b) for batches of float32 rows
// in which many inputs are zero, as they are after a ReLU.
//
// It is the kernel under the predictor's bulk path (all 15,625 cells, once
// per Monte-Carlo sample of z). Each row's nonzero inputs are gathered
// first, so the work is proportional to the nonzeros. On amd64 CPUs with
// AVX2 and FMA an assembly kernel keeps 32 outputs in registers and
// accumulates 8 at a time with fused multiply-adds; elsewhere (WebAssembly,
// older CPUs) a portable Go kernel keeps 8 outputs in locals.
//
// # Shapes
//
// x is n rows of length in, y is n rows of length out, W is [in][out]
// row-major and bias has length out. y must not overlap x or W. The two
// kernels round differently (fused multiply-add against separate multiply
// and add), so results agree to float32 rounding, not bit for bit.
package affine32

import (
	"fmt"
	"math"
)

// Scratch holds the gathered nonzeros of one row; reuse it across calls.
// Its zero value is ready to use. A Scratch must not be shared between
// goroutines.
type Scratch struct {
	vals []float32
	offs []int32
}

// Rows sets y = x W + bias for n rows, then clamps negatives to zero if
// relu is set.
func Rows(y, x []float32, n, in, out int, w, bias []float32, relu bool, s *Scratch) {
	if len(x) < n*in || len(y) < n*out || len(w) < in*out || len(bias) < out {
		panic(fmt.Sprintf("affine32: short slice: n=%d in=%d out=%d, len(x)=%d len(y)=%d len(w)=%d len(bias)=%d",
			n, in, out, len(x), len(y), len(w), len(bias)))
	}
	if in*out > math.MaxInt32 {
		panic("affine32: weight matrix too large for int32 offsets")
	}
	if cap(s.vals) < in {
		s.vals = make([]float32, in)
		s.offs = make([]int32, in)
	}
	vals, offs := s.vals[:in], s.offs[:in]
	for r := 0; r < n; r++ {
		// Gather without a branch per element: about half the inputs are
		// zero, in no pattern, so a branch would be mispredicted half the
		// time. Each value is written, and kept only if nonzero.
		k := 0
		for i, v := range x[r*in : (r+1)*in] {
			vals[k] = v
			offs[k] = int32(i * out)
			inc := 0
			if v != 0 {
				inc = 1
			}
			k += inc
		}
		combine(y[r*out:(r+1)*out], bias[:out], w, vals[:k], offs[:k], relu)
	}
}

// Combine sets y = bias + sum over t of coef[t] m[offs[t] : offs[t]+len(y)],
// a weighted sum of rows of m, then clamps negatives to zero if relu is
// set. It is Rows for one row whose nonzeros are already known.
func Combine(y, bias, m, coef []float32, offs []int32, relu bool) {
	if len(bias) < len(y) || len(offs) != len(coef) {
		panic(fmt.Sprintf("affine32: Combine: len(y)=%d len(bias)=%d len(coef)=%d len(offs)=%d", len(y), len(bias), len(coef), len(offs)))
	}
	if len(y) == 0 {
		return
	}
	for _, o := range offs {
		if o < 0 || int(o)+len(y) > len(m) {
			panic(fmt.Sprintf("affine32: Combine: row at offset %d of length %d outside m (%d values)", o, len(y), len(m)))
		}
	}
	combine(y, bias[:len(y)], m, coef, offs, relu)
}

// combineGo is Combine in portable Go: 8 outputs at a time accumulate in
// locals over the terms, which keeps the inner loop free of stores (and
// fast in WebAssembly).
func combineGo(y, bias, m, coef []float32, offs []int32, relu bool) {
	out := len(y)
	c := 0
	for ; c+8 <= out; c += 8 {
		b := bias[c : c+8 : c+8]
		a0, a1, a2, a3, a4, a5, a6, a7 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
		for t, v := range coef {
			o := int(offs[t]) + c
			wr := m[o : o+8 : o+8]
			a0 += v * wr[0]
			a1 += v * wr[1]
			a2 += v * wr[2]
			a3 += v * wr[3]
			a4 += v * wr[4]
			a5 += v * wr[5]
			a6 += v * wr[6]
			a7 += v * wr[7]
		}
		o := y[c : c+8 : c+8]
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = a0, a1, a2, a3, a4, a5, a6, a7
	}
	for ; c < out; c++ {
		a := bias[c]
		for t, v := range coef {
			a += v * m[int(offs[t])+c]
		}
		y[c] = a
	}
	if relu {
		for c, v := range y {
			if v < 0 {
				y[c] = 0
			}
		}
	}
}
