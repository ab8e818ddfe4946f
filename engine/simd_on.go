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
// lanes, and simd.go's gemmVecOK keeps the portable kernel). On this
// project's AVX-512 machine that 4-lane mode ran the vector GEMM 60x
// slower than portable Go (docs/RESULTS.md, "simd branch"): natively it
// is a way to test the kernel, not to run it.

// simdBuild reports that this is the simd build.
const simdBuild = true

// vecLanes is the number of float32s in a simd vector: 4 under WASM,
// natively 16 on AVX-512, 8 on AVX2 (4 with GODEBUG=simd=128), and 0
// where the package only emulates vectors (slower than scalar code).
func vecLanes() int {
	if simd.Emulated() {
		return 0
	}
	return simd.VectorBitSize() / 32
}

// gemmVec is gemm's product with 4-lane vectors. A block is 4 rows of C
// by two B panels (8 columns): 8 vector accumulators, each K step loading
// the two panels' rows and broadcasting each of the 4 A values once for
// both. Callers check gemmVecOK.
func gemmVec(c []float32, a packedA, b []float32, n int, bias []float32, add bool) {
	m, k := a.m, a.k
	q := 0
	for ; (q+1)*nr < n; q += 2 {
		// Two panels: columns q*nr..q*nr+7 (the second may be ragged).
		b0 := b[q*k*nr : (q+1)*k*nr]
		b1 := b[(q+1)*k*nr : (q+2)*k*nr]
		for p := 0; p*mr < m; p++ {
			ap := a.data[p*k*mr : (p+1)*k*mr]
			bp, bq := b0[:len(ap)], b1[:len(ap)]
			var c0, c1, c2, c3, d0, d1, d2, d3 simd.Float32s
			for kk := 0; kk+3 < len(ap); kk += 4 {
				au := ap[kk : kk+4 : kk+4]
				u := simd.LoadFloat32s(bp[kk : kk+4 : kk+4])
				v := simd.LoadFloat32s(bq[kk : kk+4 : kk+4])
				x := simd.BroadcastFloat32s(au[0])
				c0 = x.MulAdd(u, c0)
				d0 = x.MulAdd(v, d0)
				x = simd.BroadcastFloat32s(au[1])
				c1 = x.MulAdd(u, c1)
				d1 = x.MulAdd(v, d1)
				x = simd.BroadcastFloat32s(au[2])
				c2 = x.MulAdd(u, c2)
				d2 = x.MulAdd(v, d2)
				x = simd.BroadcastFloat32s(au[3])
				c3 = x.MulAdd(u, c3)
				d3 = x.MulAdd(v, d3)
			}
			storeVec(c, c0, c1, c2, c3, p*mr, q*nr, m, n, bias, add)
			storeVec(c, d0, d1, d2, d3, p*mr, (q+1)*nr, m, n, bias, add)
		}
	}
	if q*nr < n {
		// The last, odd panel.
		b0 := b[q*k*nr : (q+1)*k*nr]
		for p := 0; p*mr < m; p++ {
			ap := a.data[p*k*mr : (p+1)*k*mr]
			bp := b0[:len(ap)]
			var c0, c1, c2, c3 simd.Float32s
			for kk := 0; kk+3 < len(ap); kk += 4 {
				au := ap[kk : kk+4 : kk+4]
				u := simd.LoadFloat32s(bp[kk : kk+4 : kk+4])
				c0 = simd.BroadcastFloat32s(au[0]).MulAdd(u, c0)
				c1 = simd.BroadcastFloat32s(au[1]).MulAdd(u, c1)
				c2 = simd.BroadcastFloat32s(au[2]).MulAdd(u, c2)
				c3 = simd.BroadcastFloat32s(au[3]).MulAdd(u, c3)
			}
			storeVec(c, c0, c1, c2, c3, p*mr, q*nr, m, n, bias, add)
		}
	}
}

// storeVec writes (or adds) the 4×4 tile whose rows are r0..r3, plus
// bias, into C at rows i0.., columns j0.., clipped to m×n.
func storeVec(c []float32, r0, r1, r2, r3 simd.Float32s, i0, j0, m, n int, bias []float32, add bool) {
	if i0+mr > m || j0+nr > n {
		// Ragged edge: through a tile and the general store.
		var tile [mr * nr]float32
		r0.Store(tile[0:4])
		r1.Store(tile[4:8])
		r2.Store(tile[8:12])
		r3.Store(tile[12:16])
		storeTile(c, &tile, i0, j0, m, n, bias, add)
		return
	}
	if bias != nil {
		bb := bias[i0 : i0+mr : i0+mr]
		r0 = r0.Add(simd.BroadcastFloat32s(bb[0]))
		r1 = r1.Add(simd.BroadcastFloat32s(bb[1]))
		r2 = r2.Add(simd.BroadcastFloat32s(bb[2]))
		r3 = r3.Add(simd.BroadcastFloat32s(bb[3]))
	}
	o0 := c[i0*n+j0 : i0*n+j0+4]
	o1 := c[(i0+1)*n+j0 : (i0+1)*n+j0+4]
	o2 := c[(i0+2)*n+j0 : (i0+2)*n+j0+4]
	o3 := c[(i0+3)*n+j0 : (i0+3)*n+j0+4]
	if add {
		r0 = r0.Add(simd.LoadFloat32s(o0))
		r1 = r1.Add(simd.LoadFloat32s(o1))
		r2 = r2.Add(simd.LoadFloat32s(o2))
		r3 = r3.Add(simd.LoadFloat32s(o3))
	}
	r0.Store(o0)
	r1.Store(o1)
	r2.Store(o2)
	r3.Store(o3)
}

// dwRowVec computes one output row of a stride-1 depthwise convolution,
// out[i] = bias + sum over ky, kx of w[ky*k+kx] * in[ky*pw+i+kx], with
// vectors of any width: one pass per kernel row, the row's k weights
// broadcast once and each pass a vector load of the input per tap.
// Outputs past the last full vector are covered by one more vector ending
// at the row's end, computed whole (all k*k taps in one register, in the
// passes' order), which rewrites its overlap with the same values. Callers
// check dwRowsVec.
func dwRowVec(out, in []float32, pw int, w []float32, bias float32, k int) {
	n := len(out)
	bv := simd.BroadcastFloat32s(bias)
	l := bv.Len()
	nv := n - n%l
	for ky := 0; ky < k; ky++ {
		row := in[ky*pw : ky*pw+n+k-1]
		wr := w[ky*k : ky*k+k]
		switch k {
		case 3:
			dwPass3(out[:nv], row, (*[3]float32)(wr), bv, ky == 0)
		case 5:
			dwPass5(out[:nv], row, (*[5]float32)(wr), bv, ky == 0)
		default:
			dwPass7(out[:nv], row, (*[7]float32)(wr), bv, ky == 0)
		}
	}
	if nv < n {
		dwWhole(out, in, pw, w, bv, k, n-l)
	}
}

// dwWhole computes the vector of outputs starting at i with all k*k taps
// in one accumulator, in the passes' order (kernel rows, then columns).
func dwWhole(out, in []float32, pw int, w []float32, bias simd.Float32s, k, i int) {
	acc := bias
	l := bias.Len()
	for ky := 0; ky < k; ky++ {
		x := in[ky*pw+i : ky*pw+i+l+k-1]
		wr := w[ky*k : ky*k+k]
		for kx, v := range wr {
			acc = simd.BroadcastFloat32s(v).MulAdd(simd.LoadFloat32s(x[kx:]), acc)
		}
	}
	acc.Store(out[i:])
}

// dwPass3 adds one kernel row's 3 taps into out (a whole number of
// vectors long); the first pass starts from the bias instead of out.
func dwPass3(out, in []float32, w *[3]float32, bias simd.Float32s, first bool) {
	w0, w1, w2 := simd.BroadcastFloat32s(w[0]), simd.BroadcastFloat32s(w[1]), simd.BroadcastFloat32s(w[2])
	l := bias.Len()
	for i := 0; i+l <= len(out); i += l {
		acc := bias
		if !first {
			acc = simd.LoadFloat32s(out[i:])
		}
		x := in[i : i+l+2]
		acc = w0.MulAdd(simd.LoadFloat32s(x), acc)
		acc = w1.MulAdd(simd.LoadFloat32s(x[1:]), acc)
		acc = w2.MulAdd(simd.LoadFloat32s(x[2:]), acc)
		acc.Store(out[i:])
	}
}

func dwPass5(out, in []float32, w *[5]float32, bias simd.Float32s, first bool) {
	w0, w1, w2 := simd.BroadcastFloat32s(w[0]), simd.BroadcastFloat32s(w[1]), simd.BroadcastFloat32s(w[2])
	w3, w4 := simd.BroadcastFloat32s(w[3]), simd.BroadcastFloat32s(w[4])
	l := bias.Len()
	for i := 0; i+l <= len(out); i += l {
		acc := bias
		if !first {
			acc = simd.LoadFloat32s(out[i:])
		}
		x := in[i : i+l+4]
		acc = w0.MulAdd(simd.LoadFloat32s(x), acc)
		acc = w1.MulAdd(simd.LoadFloat32s(x[1:]), acc)
		acc = w2.MulAdd(simd.LoadFloat32s(x[2:]), acc)
		acc = w3.MulAdd(simd.LoadFloat32s(x[3:]), acc)
		acc = w4.MulAdd(simd.LoadFloat32s(x[4:]), acc)
		acc.Store(out[i:])
	}
}

func dwPass7(out, in []float32, w *[7]float32, bias simd.Float32s, first bool) {
	w0, w1, w2 := simd.BroadcastFloat32s(w[0]), simd.BroadcastFloat32s(w[1]), simd.BroadcastFloat32s(w[2])
	w3, w4, w5 := simd.BroadcastFloat32s(w[3]), simd.BroadcastFloat32s(w[4]), simd.BroadcastFloat32s(w[5])
	w6 := simd.BroadcastFloat32s(w[6])
	l := bias.Len()
	for i := 0; i+l <= len(out); i += l {
		acc := bias
		if !first {
			acc = simd.LoadFloat32s(out[i:])
		}
		x := in[i : i+l+6]
		acc = w0.MulAdd(simd.LoadFloat32s(x), acc)
		acc = w1.MulAdd(simd.LoadFloat32s(x[1:]), acc)
		acc = w2.MulAdd(simd.LoadFloat32s(x[2:]), acc)
		acc = w3.MulAdd(simd.LoadFloat32s(x[3:]), acc)
		acc = w4.MulAdd(simd.LoadFloat32s(x[4:]), acc)
		acc = w5.MulAdd(simd.LoadFloat32s(x[5:]), acc)
		acc = w6.MulAdd(simd.LoadFloat32s(x[6:]), acc)
		acc.Store(out[i:])
	}
}

// applyActVec is applyAct (ReLU or h-swish) with vectors of any width up
// to 16 lanes: ReLU is max(x, 0) and h-swish x * (min(max(x+3, 0), 6) *
// 1/6), exact at both clamps as the scalar form is; the sum runs in one
// vector of partial sums, added across lanes at the end (a different
// order than the scalar sum, within float32 rounding). Elements past the
// last full vector go through the scalar functions. Callers check
// actVec.
func applyActVec(x []float32, a act) float32 {
	zero := simd.BroadcastFloat32s(0)
	l := zero.Len()
	sum := zero
	i := 0
	if a == actReLU {
		for ; i+l <= len(x); i += l {
			v := simd.LoadFloat32s(x[i:]).Max(zero)
			v.Store(x[i:])
			sum = sum.Add(v)
		}
	} else {
		three, six, sixth := simd.BroadcastFloat32s(3), simd.BroadcastFloat32s(6), simd.BroadcastFloat32s(1.0/6)
		for ; i+l <= len(x); i += l {
			v := simd.LoadFloat32s(x[i:])
			t := v.Add(three).Max(zero).Min(six).Mul(sixth)
			v = v.Mul(t)
			v.Store(x[i:])
			sum = sum.Add(v)
		}
	}
	var lanes [16]float32
	sum.Store(lanes[:])
	var s float32
	for _, v := range lanes[:l] {
		s += v
	}
	for ; i < len(x); i++ {
		v := x[i]
		if a == actReLU {
			v = relu32(v)
		} else {
			v = hswish32(v)
		}
		x[i] = v
		s += v
	}
	return s
}
