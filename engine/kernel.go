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
// The best loop differs by target (measured, see doc.go): Go's amd64
// register allocator spills 16 accumulators, so natively two 4×2 passes
// over the L1-resident A panel win; Go's wasm backend has 16 float
// registers and V8 handles the single 4×4 pass best. Both unroll K by 4,
// which roughly halves the loop overhead under WASM. runtime.GOARCH is a
// constant, so the unused branch is compiled out.
func microKernel(tile *[mr * nr]float32, a, b []float32) {
	if runtime.GOARCH == "wasm" {
		kernel4x4(tile, a, b)
		return
	}
	kernel4x2Left(tile, a, b)
	kernel4x2Right(tile, a, b)
}

// kernel4x4 computes the whole block in one pass.
func kernel4x4(tile *[mr * nr]float32, a, b []float32) {
	n := len(a) / mr
	b = b[:n*nr]
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	k := 0
	for ; k+3 < n; k += 4 {
		ap := a[k*mr : k*mr+4*mr : k*mr+4*mr]
		bp := b[k*nr : k*nr+4*nr : k*nr+4*nr]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += ap[0] * b0
		c01 += ap[0] * b1
		c02 += ap[0] * b2
		c03 += ap[0] * b3
		c10 += ap[1] * b0
		c11 += ap[1] * b1
		c12 += ap[1] * b2
		c13 += ap[1] * b3
		c20 += ap[2] * b0
		c21 += ap[2] * b1
		c22 += ap[2] * b2
		c23 += ap[2] * b3
		c30 += ap[3] * b0
		c31 += ap[3] * b1
		c32 += ap[3] * b2
		c33 += ap[3] * b3
		b0, b1, b2, b3 = bp[4], bp[5], bp[6], bp[7]
		c00 += ap[4] * b0
		c01 += ap[4] * b1
		c02 += ap[4] * b2
		c03 += ap[4] * b3
		c10 += ap[5] * b0
		c11 += ap[5] * b1
		c12 += ap[5] * b2
		c13 += ap[5] * b3
		c20 += ap[6] * b0
		c21 += ap[6] * b1
		c22 += ap[6] * b2
		c23 += ap[6] * b3
		c30 += ap[7] * b0
		c31 += ap[7] * b1
		c32 += ap[7] * b2
		c33 += ap[7] * b3
		b0, b1, b2, b3 = bp[8], bp[9], bp[10], bp[11]
		c00 += ap[8] * b0
		c01 += ap[8] * b1
		c02 += ap[8] * b2
		c03 += ap[8] * b3
		c10 += ap[9] * b0
		c11 += ap[9] * b1
		c12 += ap[9] * b2
		c13 += ap[9] * b3
		c20 += ap[10] * b0
		c21 += ap[10] * b1
		c22 += ap[10] * b2
		c23 += ap[10] * b3
		c30 += ap[11] * b0
		c31 += ap[11] * b1
		c32 += ap[11] * b2
		c33 += ap[11] * b3
		b0, b1, b2, b3 = bp[12], bp[13], bp[14], bp[15]
		c00 += ap[12] * b0
		c01 += ap[12] * b1
		c02 += ap[12] * b2
		c03 += ap[12] * b3
		c10 += ap[13] * b0
		c11 += ap[13] * b1
		c12 += ap[13] * b2
		c13 += ap[13] * b3
		c20 += ap[14] * b0
		c21 += ap[14] * b1
		c22 += ap[14] * b2
		c23 += ap[14] * b3
		c30 += ap[15] * b0
		c31 += ap[15] * b1
		c32 += ap[15] * b2
		c33 += ap[15] * b3
	}
	for ; k < n; k++ {
		ap := a[k*mr : k*mr+mr : k*mr+mr]
		bp := b[k*nr : k*nr+nr : k*nr+nr]
		c00 += ap[0] * bp[0]
		c01 += ap[0] * bp[1]
		c02 += ap[0] * bp[2]
		c03 += ap[0] * bp[3]
		c10 += ap[1] * bp[0]
		c11 += ap[1] * bp[1]
		c12 += ap[1] * bp[2]
		c13 += ap[1] * bp[3]
		c20 += ap[2] * bp[0]
		c21 += ap[2] * bp[1]
		c22 += ap[2] * bp[2]
		c23 += ap[2] * bp[3]
		c30 += ap[3] * bp[0]
		c31 += ap[3] * bp[1]
		c32 += ap[3] * bp[2]
		c33 += ap[3] * bp[3]
	}
	tile[0], tile[1], tile[2], tile[3] = c00, c01, c02, c03
	tile[4], tile[5], tile[6], tile[7] = c10, c11, c12, c13
	tile[8], tile[9], tile[10], tile[11] = c20, c21, c22, c23
	tile[12], tile[13], tile[14], tile[15] = c30, c31, c32, c33
}

// kernel4x2Left computes columns 0 and 1 of the block.
func kernel4x2Left(tile *[mr * nr]float32, a, b []float32) {
	n := len(a) / mr
	b = b[:n*nr]
	var c00, c01 float32
	var c10, c11 float32
	var c20, c21 float32
	var c30, c31 float32
	k := 0
	for ; k+3 < n; k += 4 {
		ap := a[k*mr : k*mr+4*mr : k*mr+4*mr]
		bp := b[k*nr : k*nr+4*nr : k*nr+4*nr]
		b0, b1 := bp[0], bp[1]
		c00 += ap[0] * b0
		c01 += ap[0] * b1
		c10 += ap[1] * b0
		c11 += ap[1] * b1
		c20 += ap[2] * b0
		c21 += ap[2] * b1
		c30 += ap[3] * b0
		c31 += ap[3] * b1
		b0, b1 = bp[4], bp[5]
		c00 += ap[4] * b0
		c01 += ap[4] * b1
		c10 += ap[5] * b0
		c11 += ap[5] * b1
		c20 += ap[6] * b0
		c21 += ap[6] * b1
		c30 += ap[7] * b0
		c31 += ap[7] * b1
		b0, b1 = bp[8], bp[9]
		c00 += ap[8] * b0
		c01 += ap[8] * b1
		c10 += ap[9] * b0
		c11 += ap[9] * b1
		c20 += ap[10] * b0
		c21 += ap[10] * b1
		c30 += ap[11] * b0
		c31 += ap[11] * b1
		b0, b1 = bp[12], bp[13]
		c00 += ap[12] * b0
		c01 += ap[12] * b1
		c10 += ap[13] * b0
		c11 += ap[13] * b1
		c20 += ap[14] * b0
		c21 += ap[14] * b1
		c30 += ap[15] * b0
		c31 += ap[15] * b1
	}
	for ; k < n; k++ {
		ap := a[k*mr : k*mr+mr : k*mr+mr]
		bp := b[k*nr : k*nr+nr : k*nr+nr]
		c00 += ap[0] * bp[0]
		c01 += ap[0] * bp[1]
		c10 += ap[1] * bp[0]
		c11 += ap[1] * bp[1]
		c20 += ap[2] * bp[0]
		c21 += ap[2] * bp[1]
		c30 += ap[3] * bp[0]
		c31 += ap[3] * bp[1]
	}
	tile[0], tile[1] = c00, c01
	tile[4], tile[5] = c10, c11
	tile[8], tile[9] = c20, c21
	tile[12], tile[13] = c30, c31
}

// kernel4x2Right computes columns 2 and 3 of the block.
func kernel4x2Right(tile *[mr * nr]float32, a, b []float32) {
	n := len(a) / mr
	b = b[:n*nr]
	var c02, c03 float32
	var c12, c13 float32
	var c22, c23 float32
	var c32, c33 float32
	k := 0
	for ; k+3 < n; k += 4 {
		ap := a[k*mr : k*mr+4*mr : k*mr+4*mr]
		bp := b[k*nr : k*nr+4*nr : k*nr+4*nr]
		b2, b3 := bp[2], bp[3]
		c02 += ap[0] * b2
		c03 += ap[0] * b3
		c12 += ap[1] * b2
		c13 += ap[1] * b3
		c22 += ap[2] * b2
		c23 += ap[2] * b3
		c32 += ap[3] * b2
		c33 += ap[3] * b3
		b2, b3 = bp[6], bp[7]
		c02 += ap[4] * b2
		c03 += ap[4] * b3
		c12 += ap[5] * b2
		c13 += ap[5] * b3
		c22 += ap[6] * b2
		c23 += ap[6] * b3
		c32 += ap[7] * b2
		c33 += ap[7] * b3
		b2, b3 = bp[10], bp[11]
		c02 += ap[8] * b2
		c03 += ap[8] * b3
		c12 += ap[9] * b2
		c13 += ap[9] * b3
		c22 += ap[10] * b2
		c23 += ap[10] * b3
		c32 += ap[11] * b2
		c33 += ap[11] * b3
		b2, b3 = bp[14], bp[15]
		c02 += ap[12] * b2
		c03 += ap[12] * b3
		c12 += ap[13] * b2
		c13 += ap[13] * b3
		c22 += ap[14] * b2
		c23 += ap[14] * b3
		c32 += ap[15] * b2
		c33 += ap[15] * b3
	}
	for ; k < n; k++ {
		ap := a[k*mr : k*mr+mr : k*mr+mr]
		bp := b[k*nr : k*nr+nr : k*nr+nr]
		c02 += ap[0] * bp[2]
		c03 += ap[0] * bp[3]
		c12 += ap[1] * bp[2]
		c13 += ap[1] * bp[3]
		c22 += ap[2] * bp[2]
		c23 += ap[2] * bp[3]
		c32 += ap[3] * bp[2]
		c33 += ap[3] * bp[3]
	}
	tile[2], tile[3] = c02, c03
	tile[6], tile[7] = c12, c13
	tile[10], tile[11] = c22, c23
	tile[14], tile[15] = c32, c33
}
