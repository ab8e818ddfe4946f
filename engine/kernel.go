package engine

import "runtime"

// Micro-kernel block: mr rows of C (output channels) by nr columns (pixels
// or Winograd tiles).
const (
	mr = 4
	nr = 4
)

// The packing and store code is unrolled for nr = 4; these fail to compile
// otherwise.
const (
	_ = uint(nr - 4)
	_ = uint(4 - nr)
)

// microKernel sets tile[i*nr+j] = sum_kk a[kk*mr+i]*b[kk*nr+j] for one
// mr×nr block; len(a)/mr must equal len(b)/nr.
//
// V8 keeps all 16 accumulators of a single 4×4 pass in registers, but the
// Go amd64 compiler spills them (it schedules the multiplies ahead of the
// adds, needing temporaries), so natively two 4×2 passes over the same
// L1-resident A panel are faster. runtime.GOARCH is a constant: the unused
// branch is compiled out.
func microKernel(tile *[mr * nr]float32, a, b []float32) {
	if runtime.GOARCH == "wasm" {
		kernel4x4(tile, a, b)
		return
	}
	kernel4x2(tile, a, b, 0)
	kernel4x2(tile, a, b, 2)
}

// kernel4x4 is the single-pass 4×4 block.
func kernel4x4(tile *[mr * nr]float32, a, b []float32) {
	n := len(a) / mr
	b = b[:n*nr]
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for k := 0; k < n; k++ {
		ap := a[k*mr : k*mr+mr : k*mr+mr]
		bp := b[k*nr : k*nr+nr : k*nr+nr]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	*tile = [mr * nr]float32{
		c00, c01, c02, c03,
		c10, c11, c12, c13,
		c20, c21, c22, c23,
		c30, c31, c32, c33,
	}
}

// kernel4x2 computes columns j0 and j0+1 of the 4×4 block.
func kernel4x2(tile *[mr * nr]float32, a, b []float32, j0 int) {
	n := len(a) / mr
	b = b[j0 : n*nr : n*nr]
	var c00, c01, c10, c11, c20, c21, c30, c31 float32
	for k := 0; k < n; k++ {
		ap := a[k*mr : k*mr+mr : k*mr+mr]
		bp := b[k*nr : k*nr+2 : k*nr+2]
		b0, b1 := bp[0], bp[1]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		c20 += a2 * b0
		c21 += a2 * b1
		c30 += a3 * b0
		c31 += a3 * b1
	}
	t := tile[j0:]
	t[0*nr], t[0*nr+1] = c00, c01
	t[1*nr], t[1*nr+1] = c10, c11
	t[2*nr], t[2*nr+1] = c20, c21
	t[3*nr], t[3*nr+1] = c30, c31
}
