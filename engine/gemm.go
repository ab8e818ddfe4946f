package engine

import (
	"fmt"
	"runtime"
)

// Register-blocked matrix product C = A·B on packed operands.
//
// Why packing: the micro-kernel reads one column-panel of A (mr output
// channels, K deep) and one row-panel of B (nr pixels, K deep) strictly
// sequentially, so every load is unit-stride and the hot loop needs no index
// arithmetic beyond one slice advance. The convolutions write their im2col
// or Winograd-transformed input straight into the packed B layout, and the
// weights are packed once in New, so packing costs nothing per product.

// The micro-kernel block size mr×nr is in kernel.go.

// roundUp returns n rounded up to a multiple of m.
func roundUp(n, m int) int { return (n + m - 1) / m * m }

// packedA is an m×k matrix stored as ceil(m/mr) panels; panel p holds
// rows p*mr..p*mr+mr-1 interleaved: a[p*k*mr + kk*mr + i] = A[p*mr+i][kk].
// Rows past m are zero.
type packedA struct {
	m, k int
	data []float32
}

// packA packs the row-major m×k matrix src.
func packA(src []float32, m, k int) packedA {
	if len(src) != m*k {
		panic(fmt.Sprintf("engine: packA: len %d, want %d×%d", len(src), m, k))
	}
	p := packedA{m: m, k: k, data: make([]float32, roundUp(m, mr)*k)}
	for r := 0; r < m; r++ {
		panel, i := r/mr, r%mr
		base := panel * k * mr
		for kk := 0; kk < k; kk++ {
			p.data[base+kk*mr+i] = src[r*k+kk]
		}
	}
	return p
}

// packedBLen is the length of a packed k×n B operand.
func packedBLen(k, n int) int { return roundUp(n, nr) * k }

// Packed B layout: ceil(n/nr) panels; panel q holds columns q*nr..q*nr+nr-1
// interleaved: b[q*k*nr + kk*nr + j] = B[kk][q*nr+j]. Columns past n must be
// zero (or at least finite: they are computed and discarded).

// gemm computes C = A·B + bias (add == false) or C += A·B + bias
// (add == true), where C is row-major m×n with row stride n (one output
// channel per row), b is a packed k×n operand and bias has length m (nil
// for none).
func gemm(c []float32, a packedA, b []float32, n int, bias []float32, add bool) {
	m, k := a.m, a.k
	if len(c) < m*n || len(b) < packedBLen(k, n) || (bias != nil && len(bias) < m) {
		panic(fmt.Sprintf("engine: gemm: buffers too short for %d×%d×%d", m, k, n))
	}
	if gemmVecOK() {
		gemmVec(c, a, b, n, bias, add)
		return
	}
	// Under WASM short products (Winograd, 1×1, the stem) pay more for the
	// per-block call than for the work; long ones keep the call, whose
	// smaller loop V8 register-allocates better (measured, see doc.go).
	if runtime.GOARCH == "wasm" && k <= 64 {
		gemmInline(c, a, b, n, bias, add)
		return
	}
	var tile [mr * nr]float32
	for q := 0; q*nr < n; q++ {
		bp := b[q*k*nr : (q+1)*k*nr]
		for p := 0; p*mr < m; p++ {
			ap := a.data[p*k*mr : (p+1)*k*mr]
			microKernel(&tile, ap, bp)
			storeTile(c, &tile, p*mr, q*nr, m, n, bias, add)
		}
	}
}

// storeTile writes (or adds) the tile plus bias into C at rows i0.., columns
// j0.., clipped to m×n.
func storeTile(c []float32, tile *[mr * nr]float32, i0, j0, m, n int, bias []float32, add bool) {
	rows, cols := min(mr, m-i0), min(nr, n-j0)
	for i := 0; i < rows; i++ {
		var bi float32
		if bias != nil {
			bi = bias[i0+i]
		}
		row := c[(i0+i)*n+j0 : (i0+i)*n+j0+cols]
		t := tile[i*nr : i*nr+cols]
		if cols == nr {
			storeRow4((*[nr]float32)(row), (*[nr]float32)(t), bi, add)
			continue
		}
		if add {
			for j := range row {
				row[j] += t[j] + bi
			}
		} else {
			for j := range row {
				row[j] = t[j] + bi
			}
		}
	}
}

// storeRow4 writes or adds one full row of a tile plus bias.
func storeRow4(row, t *[nr]float32, bias float32, add bool) {
	if add {
		row[0] += t[0] + bias
		row[1] += t[1] + bias
		row[2] += t[2] + bias
		row[3] += t[3] + bias
		return
	}
	row[0] = t[0] + bias
	row[1] = t[1] + bias
	row[2] = t[2] + bias
	row[3] = t[3] + bias
}

// gemmInline is gemm with the 4×4 micro-kernel and the tile store written
// out in the loop: under WASM a Go function call costs about as much as a
// 4×4×16 block of work (arguments go through the Go stack in linear
// memory), and the Winograd products at 16 channels are exactly such short
// blocks. Natively the calls are cheap and the two-pass kernel is faster.
func gemmInline(c []float32, a packedA, b []float32, n int, bias []float32, add bool) {
	m, k := a.m, a.k
	for q := 0; q*nr < n; q++ {
		bq := b[q*k*nr : (q+1)*k*nr]
		j0 := q * nr
		for p := 0; p*mr < m; p++ {
			ap := a.data[p*k*mr : (p+1)*k*mr]
			bp := bq[:len(ap)]
			var c00, c01, c02, c03 float32
			var c10, c11, c12, c13 float32
			var c20, c21, c22, c23 float32
			var c30, c31, c32, c33 float32
			kk := 0
			for ; kk+15 < len(ap); kk += 16 {
				au := ap[kk : kk+16 : kk+16]
				bu := bp[kk : kk+16 : kk+16]
				b0, b1, b2, b3 := bu[0], bu[1], bu[2], bu[3]
				c00 += au[0] * b0
				c01 += au[0] * b1
				c02 += au[0] * b2
				c03 += au[0] * b3
				c10 += au[1] * b0
				c11 += au[1] * b1
				c12 += au[1] * b2
				c13 += au[1] * b3
				c20 += au[2] * b0
				c21 += au[2] * b1
				c22 += au[2] * b2
				c23 += au[2] * b3
				c30 += au[3] * b0
				c31 += au[3] * b1
				c32 += au[3] * b2
				c33 += au[3] * b3
				b0, b1, b2, b3 = bu[4], bu[5], bu[6], bu[7]
				c00 += au[4] * b0
				c01 += au[4] * b1
				c02 += au[4] * b2
				c03 += au[4] * b3
				c10 += au[5] * b0
				c11 += au[5] * b1
				c12 += au[5] * b2
				c13 += au[5] * b3
				c20 += au[6] * b0
				c21 += au[6] * b1
				c22 += au[6] * b2
				c23 += au[6] * b3
				c30 += au[7] * b0
				c31 += au[7] * b1
				c32 += au[7] * b2
				c33 += au[7] * b3
				b0, b1, b2, b3 = bu[8], bu[9], bu[10], bu[11]
				c00 += au[8] * b0
				c01 += au[8] * b1
				c02 += au[8] * b2
				c03 += au[8] * b3
				c10 += au[9] * b0
				c11 += au[9] * b1
				c12 += au[9] * b2
				c13 += au[9] * b3
				c20 += au[10] * b0
				c21 += au[10] * b1
				c22 += au[10] * b2
				c23 += au[10] * b3
				c30 += au[11] * b0
				c31 += au[11] * b1
				c32 += au[11] * b2
				c33 += au[11] * b3
				b0, b1, b2, b3 = bu[12], bu[13], bu[14], bu[15]
				c00 += au[12] * b0
				c01 += au[12] * b1
				c02 += au[12] * b2
				c03 += au[12] * b3
				c10 += au[13] * b0
				c11 += au[13] * b1
				c12 += au[13] * b2
				c13 += au[13] * b3
				c20 += au[14] * b0
				c21 += au[14] * b1
				c22 += au[14] * b2
				c23 += au[14] * b3
				c30 += au[15] * b0
				c31 += au[15] * b1
				c32 += au[15] * b2
				c33 += au[15] * b3
			}
			for ; kk+3 < len(ap); kk += 4 {
				au := ap[kk : kk+4 : kk+4]
				bu := bp[kk : kk+4 : kk+4]
				c00 += au[0] * bu[0]
				c01 += au[0] * bu[1]
				c02 += au[0] * bu[2]
				c03 += au[0] * bu[3]
				c10 += au[1] * bu[0]
				c11 += au[1] * bu[1]
				c12 += au[1] * bu[2]
				c13 += au[1] * bu[3]
				c20 += au[2] * bu[0]
				c21 += au[2] * bu[1]
				c22 += au[2] * bu[2]
				c23 += au[2] * bu[3]
				c30 += au[3] * bu[0]
				c31 += au[3] * bu[1]
				c32 += au[3] * bu[2]
				c33 += au[3] * bu[3]
			}
			i0 := p * mr
			if i0+mr > m || j0+nr > n {
				// Ragged edge: go through a tile and the general store.
				tile := [mr * nr]float32{c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}
				storeTile(c, &tile, i0, j0, m, n, bias, add)
				continue
			}
			var b0, b1, b2, b3 float32
			if bias != nil {
				bb := bias[i0 : i0+mr : i0+mr]
				b0, b1, b2, b3 = bb[0], bb[1], bb[2], bb[3]
			}
			r0 := (*[nr]float32)(c[i0*n+j0:])
			r1 := (*[nr]float32)(c[(i0+1)*n+j0:])
			r2 := (*[nr]float32)(c[(i0+2)*n+j0:])
			r3 := (*[nr]float32)(c[(i0+3)*n+j0:])
			if add {
				r0[0], r0[1], r0[2], r0[3] = r0[0]+c00+b0, r0[1]+c01+b0, r0[2]+c02+b0, r0[3]+c03+b0
				r1[0], r1[1], r1[2], r1[3] = r1[0]+c10+b1, r1[1]+c11+b1, r1[2]+c12+b1, r1[3]+c13+b1
				r2[0], r2[1], r2[2], r2[3] = r2[0]+c20+b2, r2[1]+c21+b2, r2[2]+c22+b2, r2[3]+c23+b2
				r3[0], r3[1], r3[2], r3[3] = r3[0]+c30+b3, r3[1]+c31+b3, r3[2]+c32+b3, r3[3]+c33+b3
			} else {
				r0[0], r0[1], r0[2], r0[3] = c00+b0, c01+b0, c02+b0, c03+b0
				r1[0], r1[1], r1[2], r1[3] = c10+b1, c11+b1, c12+b1, c13+b1
				r2[0], r2[1], r2[2], r2[3] = c20+b2, c21+b2, c22+b2, c23+b2
				r3[0], r3[1], r3[2], r3[3] = c30+b3, c31+b3, c32+b3, c33+b3
			}
		}
	}
}
