//go:build goexperiment.simd

package engine

import "simd"

// The Go 1.27 simd experiment (GOEXPERIMENT=simd): the hot inner loops
// written with the portable simd package, which compiles to WebAssembly
// SIMD (128-bit, 4 float32 lanes) under GOOS=js GOARCH=wasm and to
// SSE/AVX natively. The portable kernels stay the default build; these
// replace them only in a build with the experiment on (see simd_off.go).
//
// The packed GEMM layout holds 4 columns per panel row, so the GEMM
// kernel needs vectors of exactly 4 lanes: always so under WASM, natively
// only with GODEBUG=simd=128 (AVX2 and AVX-512 machines give 8 or 16
// lanes, and gemmVec then declines and the portable kernel runs).

// simdBuild reports that this is the simd build.
const simdBuild = true

// vec4 reports whether simd vectors hold exactly 4 float32s.
func vec4() bool { return simd.VectorBitSize() == 128 }

// gemmVec is gemm's product with 4-lane vectors: each row of the 4×4
// tile is one vector accumulator, updated per K step by the row's A
// value broadcast times the B panel's 4 columns. It reports false, doing
// nothing, where vectors are not 4 lanes wide.
func gemmVec(c []float32, a packedA, b []float32, n int, bias []float32, add bool) bool {
	if !vec4() {
		return false
	}
	m, k := a.m, a.k
	for q := 0; q*nr < n; q++ {
		bq := b[q*k*nr : (q+1)*k*nr]
		j0 := q * nr
		for p := 0; p*mr < m; p++ {
			ap := a.data[p*k*mr : (p+1)*k*mr]
			bp := bq[:len(ap)]
			var c0, c1, c2, c3 simd.Float32s
			kk := 0
			for ; kk+15 < len(ap); kk += 16 {
				au := ap[kk : kk+16 : kk+16]
				bu := bp[kk : kk+16 : kk+16]
				bv := simd.LoadFloat32s(bu[0:4])
				c0 = simd.BroadcastFloat32s(au[0]).MulAdd(bv, c0)
				c1 = simd.BroadcastFloat32s(au[1]).MulAdd(bv, c1)
				c2 = simd.BroadcastFloat32s(au[2]).MulAdd(bv, c2)
				c3 = simd.BroadcastFloat32s(au[3]).MulAdd(bv, c3)
				bv = simd.LoadFloat32s(bu[4:8])
				c0 = simd.BroadcastFloat32s(au[4]).MulAdd(bv, c0)
				c1 = simd.BroadcastFloat32s(au[5]).MulAdd(bv, c1)
				c2 = simd.BroadcastFloat32s(au[6]).MulAdd(bv, c2)
				c3 = simd.BroadcastFloat32s(au[7]).MulAdd(bv, c3)
				bv = simd.LoadFloat32s(bu[8:12])
				c0 = simd.BroadcastFloat32s(au[8]).MulAdd(bv, c0)
				c1 = simd.BroadcastFloat32s(au[9]).MulAdd(bv, c1)
				c2 = simd.BroadcastFloat32s(au[10]).MulAdd(bv, c2)
				c3 = simd.BroadcastFloat32s(au[11]).MulAdd(bv, c3)
				bv = simd.LoadFloat32s(bu[12:16])
				c0 = simd.BroadcastFloat32s(au[12]).MulAdd(bv, c0)
				c1 = simd.BroadcastFloat32s(au[13]).MulAdd(bv, c1)
				c2 = simd.BroadcastFloat32s(au[14]).MulAdd(bv, c2)
				c3 = simd.BroadcastFloat32s(au[15]).MulAdd(bv, c3)
			}
			for ; kk+3 < len(ap); kk += 4 {
				au := ap[kk : kk+4 : kk+4]
				bv := simd.LoadFloat32s(bp[kk : kk+4 : kk+4])
				c0 = simd.BroadcastFloat32s(au[0]).MulAdd(bv, c0)
				c1 = simd.BroadcastFloat32s(au[1]).MulAdd(bv, c1)
				c2 = simd.BroadcastFloat32s(au[2]).MulAdd(bv, c2)
				c3 = simd.BroadcastFloat32s(au[3]).MulAdd(bv, c3)
			}
			i0 := p * mr
			if i0+mr > m || j0+nr > n {
				// Ragged edge: through a tile and the general store.
				var tile [mr * nr]float32
				c0.Store(tile[0:4])
				c1.Store(tile[4:8])
				c2.Store(tile[8:12])
				c3.Store(tile[12:16])
				storeTile(c, &tile, i0, j0, m, n, bias, add)
				continue
			}
			if bias != nil {
				bb := bias[i0 : i0+mr : i0+mr]
				c0 = c0.Add(simd.BroadcastFloat32s(bb[0]))
				c1 = c1.Add(simd.BroadcastFloat32s(bb[1]))
				c2 = c2.Add(simd.BroadcastFloat32s(bb[2]))
				c3 = c3.Add(simd.BroadcastFloat32s(bb[3]))
			}
			r0 := c[i0*n+j0 : i0*n+j0+4]
			r1 := c[(i0+1)*n+j0 : (i0+1)*n+j0+4]
			r2 := c[(i0+2)*n+j0 : (i0+2)*n+j0+4]
			r3 := c[(i0+3)*n+j0 : (i0+3)*n+j0+4]
			if add {
				c0 = c0.Add(simd.LoadFloat32s(r0))
				c1 = c1.Add(simd.LoadFloat32s(r1))
				c2 = c2.Add(simd.LoadFloat32s(r2))
				c3 = c3.Add(simd.LoadFloat32s(r3))
			}
			c0.Store(r0)
			c1.Store(r1)
			c2.Store(r2)
			c3.Store(r3)
		}
	}
	return true
}
