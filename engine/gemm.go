package engine

import "fmt"

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
	var tile [mr * nr]float32
	for q := 0; q*nr < n; q++ {
		bp := b[q*k*nr : (q+1)*k*nr]
		j0 := q * nr
		cols := min(nr, n-j0)
		for p := 0; p*mr < m; p++ {
			ap := a.data[p*k*mr : (p+1)*k*mr]
			microKernel(&tile, ap, bp)
			i0 := p * mr
			rows := min(mr, m-i0)
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
