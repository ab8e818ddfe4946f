package engine

import "fmt"

// The kernels the OFA MobileNetV3 network adds to FBNet's: h-swish, a
// depthwise convolution for kernels 3, 5 and 7 with either activation and
// the channel means squeeze-and-excitation needs, the SE module, a 1x1
// convolution whose input channels are scaled while packing (SE's
// multiply, fused), and matrix-vector products for the pooled head.

// act is an activation applied after a layer.
type act uint8

const (
	actNone act = iota
	actReLU
	actHSwish
)

// hswish32 is x * relu6(x+3) / 6 (OFA's Hswish).
func hswish32(x float32) float32 {
	switch {
	case x <= -3:
		return 0
	case x >= 3:
		return x
	}
	return x * (x + 3) * (1.0 / 6)
}

// hsigmoid32 is relu6(x+3) / 6 (OFA's Hsigmoid).
func hsigmoid32(x float32) float32 {
	switch {
	case x <= -3:
		return 0
	case x >= 3:
		return 1
	}
	return (x + 3) * (1.0 / 6)
}

// applyAct applies a in place and returns the sum of the results.
func applyAct(x []float32, a act) float32 {
	if actVec(len(x), a) {
		return applyActVec(x, a)
	}
	var s0, s1 float32
	switch a {
	case actReLU:
		i := 0
		for ; i+1 < len(x); i += 2 {
			v0, v1 := relu32(x[i]), relu32(x[i+1])
			x[i], x[i+1] = v0, v1
			s0 += v0
			s1 += v1
		}
		for ; i < len(x); i++ {
			x[i] = relu32(x[i])
			s0 += x[i]
		}
	case actHSwish:
		for i, v := range x {
			v = hswish32(v)
			x[i] = v
			s0 += v
		}
	default:
		for _, v := range x {
			s0 += v
		}
	}
	return s0 + s1
}

// dwConv is a folded depthwise k x k convolution (k = 3, 5 or 7, stride 1
// or 2, padding k/2) followed by an activation. As FBNet's depthwise, each
// channel's plane is copied into a zero-bordered scratch plane and an
// output row is built by one pass per kernel row, the taps of a window
// sliding in registers at stride 1; the activation runs on each finished
// row while it is in L1, and forward can return each channel's mean
// (what SE pools) from the same pass.
type dwConv struct {
	ch, k, stride, pad int
	h, w, oh, ow       int
	act                act
	wt                 []float32 // ch x k x k, BN folded
	bias               []float32 // ch
}

func newDWConv(p *convParams, h, w, stride int, a act) *dwConv {
	if p.cin != 1 || (p.k != 3 && p.k != 5 && p.k != 7) || (stride != 1 && stride != 2) {
		panic(fmt.Sprintf("engine: dwConv: want cin 1, k 3, 5 or 7, stride 1 or 2; got cin %d k %d stride %d", p.cin, p.k, stride))
	}
	d := &dwConv{ch: p.cout, k: p.k, stride: stride, pad: p.k / 2, h: h, w: w, act: a}
	d.oh = (h+2*d.pad-d.k)/stride + 1
	d.ow = (w+2*d.pad-d.k)/stride + 1
	d.wt, d.bias = p.folded()
	return d
}

func (d *dwConv) inLen() int      { return d.ch * d.h * d.w }
func (d *dwConv) outLen() int     { return d.ch * d.oh * d.ow }
func (d *dwConv) scratchLen() int { return (d.h + 2*d.pad) * (d.w + 2*d.pad) }
func (d *dwConv) macs() int64     { return int64(d.ch) * int64(d.oh*d.ow) * int64(d.k*d.k) }

// forward writes act(dwconv(x) + bias) into dst; padded is scratch of at
// least scratchLen. If means is not nil, means[c] is set to channel c's
// mean output.
func (d *dwConv) forward(dst, x, padded, means []float32) {
	if len(x) != d.inLen() || len(dst) != d.outLen() || len(padded) < d.scratchLen() || (means != nil && len(means) < d.ch) {
		panic(fmt.Sprintf("engine: dwConv %d ch k%d: input len %d (want %d), output len %d (want %d), scratch %d (want %d)",
			d.ch, d.k, len(x), d.inLen(), len(dst), d.outLen(), len(padded), d.scratchLen()))
	}
	hw, ohw, kk := d.h*d.w, d.oh*d.ow, d.k*d.k
	pw := d.w + 2*d.pad
	padded = padded[:d.scratchLen()]
	inv := 1 / float32(ohw)
	vecRows := dwRowsVec(d.ow, d.stride)
	for c := 0; c < d.ch; c++ {
		padPlane(padded, x[c*hw:(c+1)*hw], d.h, d.w, d.pad)
		wc := d.wt[c*kk : (c+1)*kk]
		b := d.bias[c]
		out := dst[c*ohw : (c+1)*ohw]
		var sum float32
		for oy := 0; oy < d.oh; oy++ {
			orow := out[oy*d.ow : (oy+1)*d.ow]
			in := padded[oy*d.stride*pw:]
			if vecRows {
				dwRowVec(orow, in, pw, wc, b, d.k)
				sum += applyAct(orow, d.act)
				continue
			}
			for i := range orow {
				orow[i] = b
			}
			for ky := 0; ky < d.k; ky++ {
				row := in[ky*pw:]
				switch {
				case d.k == 3 && d.stride == 1:
					dwAcc3s1(orow, row, (*[3]float32)(wc[ky*3:]))
				case d.k == 5 && d.stride == 1:
					dwAcc5s1(orow, row, (*[5]float32)(wc[ky*5:]))
				case d.k == 7 && d.stride == 1:
					dwAcc7s1(orow, row, (*[7]float32)(wc[ky*7:]))
				case d.k == 3:
					dwAcc3s2(orow, row, (*[3]float32)(wc[ky*3:]))
				case d.k == 5:
					dwAcc5s2(orow, row, (*[5]float32)(wc[ky*5:]))
				default:
					dwAcc7s2(orow, row, (*[7]float32)(wc[ky*7:]))
				}
			}
			sum += applyAct(orow, d.act)
		}
		if means != nil {
			means[c] = sum * inv
		}
	}
}

// dwAcc3s1 adds one kernel row's taps into an output row at stride 1: the
// inputs of the window slide along in registers, one load per output.
func dwAcc3s1(out, in []float32, w *[3]float32) {
	n := len(out)
	x0, x1 := in[0], in[1]
	a := in[2:][:n]
	w0, w1, w2 := w[0], w[1], w[2]
	for i := range out {
		x2 := a[i]
		out[i] += w0*x0 + w1*x1 + w2*x2
		x0, x1 = x1, x2
	}
}

func dwAcc5s1(out, in []float32, w *[5]float32) {
	n := len(out)
	x0, x1, x2, x3 := in[0], in[1], in[2], in[3]
	a := in[4:][:n]
	w0, w1, w2, w3, w4 := w[0], w[1], w[2], w[3], w[4]
	for i := range out {
		x4 := a[i]
		out[i] += w0*x0 + w1*x1 + w2*x2 + w3*x3 + w4*x4
		x0, x1, x2, x3 = x1, x2, x3, x4
	}
}

func dwAcc7s1(out, in []float32, w *[7]float32) {
	n := len(out)
	x0, x1, x2, x3, x4, x5 := in[0], in[1], in[2], in[3], in[4], in[5]
	a := in[6:][:n]
	w0, w1, w2, w3, w4, w5, w6 := w[0], w[1], w[2], w[3], w[4], w[5], w[6]
	for i := range out {
		x6 := a[i]
		out[i] += w0*x0 + w1*x1 + w2*x2 + w3*x3 + w4*x4 + w5*x5 + w6*x6
		x0, x1, x2, x3, x4, x5 = x1, x2, x3, x4, x5, x6
	}
}

// dwAcc3s2 is dwAcc3s1 at stride 2: output i reads inputs 2i..2i+2.
func dwAcc3s2(out, in []float32, w *[3]float32) {
	n := len(out)
	a := in[:2*n+1]
	w0, w1, w2 := w[0], w[1], w[2]
	for i := range out {
		j := 2 * i
		out[i] += w0*a[j] + w1*a[j+1] + w2*a[j+2]
	}
}

func dwAcc5s2(out, in []float32, w *[5]float32) {
	n := len(out)
	a := in[:2*n+3]
	w0, w1, w2, w3, w4 := w[0], w[1], w[2], w[3], w[4]
	for i := range out {
		j := 2 * i
		out[i] += w0*a[j] + w1*a[j+1] + w2*a[j+2] + w3*a[j+3] + w4*a[j+4]
	}
}

func dwAcc7s2(out, in []float32, w *[7]float32) {
	n := len(out)
	a := in[:2*n+5]
	w0, w1, w2, w3, w4, w5, w6 := w[0], w[1], w[2], w[3], w[4], w[5], w[6]
	for i := range out {
		j := 2 * i
		out[i] += w0*a[j] + w1*a[j+1] + w2*a[j+2] + w3*a[j+3] + w4*a[j+4] + w5*a[j+5] + w6*a[j+6]
	}
}

// seModule is squeeze-and-excitation on channel means: scale =
// hsigmoid(expand(relu(reduce(means)))).
type seModule struct {
	mid, se          int
	reduceW, reduceB []float32
	expandW, expandB []float32
}

func newSEModule(p *seParams) *seModule {
	return &seModule{mid: p.mid, se: p.se, reduceW: p.reduceW, reduceB: p.reduceB, expandW: p.expandW, expandB: p.expandB}
}

func (s *seModule) macs() int64 { return 2 * int64(s.mid) * int64(s.se) }

// forward writes the per-channel scale for means into scale[:mid]; hidden
// is scratch of at least se.
func (s *seModule) forward(scale, means, hidden []float32) {
	hidden = hidden[:s.se]
	matVec(hidden, s.reduceW, means[:s.mid], s.reduceB)
	for i, v := range hidden {
		hidden[i] = relu32(v)
	}
	scale = scale[:s.mid]
	matVec(scale, s.expandW, hidden, s.expandB)
	for i, v := range scale {
		scale[i] = hsigmoid32(v)
	}
}

// matVec sets y = W x + b for the row-major len(y) x len(x) matrix w (b
// nil: no bias), four partial sums per row.
func matVec(y, w, x, b []float32) {
	n := len(x)
	for r := range y {
		row := w[r*n : (r+1)*n]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+3 < n; i += 4 {
			v := (*[4]float32)(row[i:])
			u := (*[4]float32)(x[i:])
			s0 += v[0] * u[0]
			s1 += v[1] * u[1]
			s2 += v[2] * u[2]
			s3 += v[3] * u[3]
		}
		for ; i < n; i++ {
			s0 += row[i] * x[i]
		}
		s := (s0 + s1) + (s2 + s3)
		if b != nil {
			s += b[r]
		}
		y[r] = s
	}
}

// forwardScaled is forward (groups 1) on the input with channel ci
// multiplied by scale[ci], the multiply done while packing: SE's
// rescaling costs no pass of its own.
func (p *pointwise) forwardScaled(dst, x, bs, scale []float32, add bool) {
	if p.groups != 1 || len(x) != p.inLen() || len(dst) != p.outLen() || len(scale) < p.cin {
		panic(fmt.Sprintf("engine: pointwise %d→%d g%d: scaled input len %d (want %d), output len %d (want %d), scale %d",
			p.cin, p.cout, p.groups, len(x), p.inLen(), len(dst), p.outLen(), len(scale)))
	}
	b := bs[:packedBLen(p.cin, p.n)]
	pack1x1Scaled(b, x, p.cin, p.n, scale)
	gemm(dst, p.a[0], b, p.n, p.bias, add)
	if p.relu && !add {
		reluInPlace(dst)
	}
}

// pack1x1Scaled is pack1x1 with row ci multiplied by scale[ci].
func pack1x1Scaled(b, x []float32, cin, n int, scale []float32) {
	for q := 0; q*nr < n; q++ {
		j0 := q * nr
		panel := b[q*cin*nr : (q+1)*cin*nr]
		if j0+nr > n {
			for ci := 0; ci < cin; ci++ {
				for j := 0; j < nr; j++ {
					var v float32
					if j0+j < n {
						v = x[ci*n+j0+j] * scale[ci]
					}
					panel[ci*nr+j] = v
				}
			}
			continue
		}
		for ci := 0; ci < cin; ci++ {
			s := scale[ci]
			src := (*[nr]float32)(x[ci*n+j0:])
			d := (*[nr]float32)(panel[ci*nr:])
			d[0], d[1], d[2], d[3] = src[0]*s, src[1]*s, src[2]*s, src[3]*s
		}
	}
}
