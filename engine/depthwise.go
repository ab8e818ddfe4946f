package engine

import "fmt"

// depthwise is a folded depthwise k×k convolution (one filter per
// channel, k = 3 or 5, stride 1 or 2, padding k/2) followed by ReLU: the
// middle layer of an FBNet block.
//
// Each channel's plane is first copied into a zero-bordered scratch plane,
// so the inner loops have no edge tests; each output row is then a sum of
// shifted input rows times scalar weights. For k = 3 all nine taps of an
// output row are summed in one pass (bias first, ReLU in the store); for
// k = 5 a pass per kernel row keeps the five weights of that row in
// registers. At stride 1 the shifted rows are re-sliced to the output
// row's length, so the loops compile without bounds checks.
type depthwise struct {
	ch, k, stride, pad int
	h, w, oh, ow       int
	wt                 []float32 // ch×k×k, BN folded
	bias               []float32 // ch
}

// newDepthwise folds p (cin = 1, cout = channels) for h×w inputs.
func newDepthwise(p *convParams, h, w, stride int) *depthwise {
	if p.cin != 1 || (p.k != 3 && p.k != 5) || (stride != 1 && stride != 2) {
		panic(fmt.Sprintf("engine: depthwise: want cin 1, k 3 or 5, stride 1 or 2; got cin %d k %d stride %d", p.cin, p.k, stride))
	}
	d := &depthwise{ch: p.cout, k: p.k, stride: stride, pad: p.k / 2, h: h, w: w}
	d.oh = (h+2*d.pad-d.k)/stride + 1
	d.ow = (w+2*d.pad-d.k)/stride + 1
	d.wt, d.bias = p.folded()
	return d
}

func (d *depthwise) inLen() int      { return d.ch * d.h * d.w }
func (d *depthwise) outLen() int     { return d.ch * d.oh * d.ow }
func (d *depthwise) scratchLen() int { return (d.h + 2*d.pad) * (d.w + 2*d.pad) }
func (d *depthwise) macs() int64     { return int64(d.ch) * int64(d.oh*d.ow) * int64(d.k*d.k) }

// forward writes ReLU(dwconv(x) + bias) into dst; padded is scratch of at
// least scratchLen.
func (d *depthwise) forward(dst, x, padded []float32) {
	if len(x) != d.inLen() || len(dst) != d.outLen() || len(padded) < d.scratchLen() {
		panic(fmt.Sprintf("engine: depthwise %d ch k%d: input len %d (want %d), output len %d (want %d), scratch %d (want %d)",
			d.ch, d.k, len(x), d.inLen(), len(dst), d.outLen(), len(padded), d.scratchLen()))
	}
	hw, ohw, kk := d.h*d.w, d.oh*d.ow, d.k*d.k
	pw := d.w + 2*d.pad
	padded = padded[:d.scratchLen()]
	for c := 0; c < d.ch; c++ {
		padPlane(padded, x[c*hw:(c+1)*hw], d.h, d.w, d.pad)
		wc := d.wt[c*kk : (c+1)*kk]
		b := d.bias[c]
		out := dst[c*ohw : (c+1)*ohw]
		for oy := 0; oy < d.oh; oy++ {
			orow := out[oy*d.ow : (oy+1)*d.ow]
			in := padded[oy*d.stride*pw:]
			switch {
			case d.k == 3 && d.stride == 1:
				dw3s1(orow, in, pw, (*[9]float32)(wc), b)
			case d.k == 3:
				dw3s2(orow, in, pw, (*[9]float32)(wc), b)
			case d.stride == 1:
				for ky := 0; ky < 5; ky++ {
					dw5s1Row(orow, in[ky*pw:], (*[5]float32)(wc[ky*5:]), b, ky == 0, ky == 4)
				}
			default:
				for ky := 0; ky < 5; ky++ {
					dw5s2Row(orow, in[ky*pw:], (*[5]float32)(wc[ky*5:]), b, ky == 0, ky == 4)
				}
			}
		}
	}
}

// padPlane copies the h×w plane x into the centre of the (h+2p)×(w+2p)
// plane dst and zeroes its border.
func padPlane(dst, x []float32, h, w, p int) {
	pw := w + 2*p
	clear(dst[:p*pw])
	for y := 0; y < h; y++ {
		row := dst[(y+p)*pw : (y+p+1)*pw]
		clear(row[:p])
		copy(row[p:p+w], x[y*w:(y+1)*w])
		clear(row[p+w:])
	}
	clear(dst[(h+p)*pw : (h+2*p)*pw])
}

// dw3s1 writes one output row of a 3×3 stride-1 depthwise convolution
// with ReLU; in starts at the first of the three padded input rows, which
// are pw apart.
func dw3s1(out, in []float32, pw int, w *[9]float32, bias float32) {
	n := len(out)
	a0, a1, a2 := in[0:][:n], in[1:][:n], in[2:][:n]
	b0, b1, b2 := in[pw:][:n], in[pw+1:][:n], in[pw+2:][:n]
	c0, c1, c2 := in[2*pw:][:n], in[2*pw+1:][:n], in[2*pw+2:][:n]
	w0, w1, w2, w3, w4, w5, w6, w7, w8 := w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]
	for i := range out {
		s := bias + w0*a0[i] + w1*a1[i] + w2*a2[i] +
			w3*b0[i] + w4*b1[i] + w5*b2[i] +
			w6*c0[i] + w7*c1[i] + w8*c2[i]
		out[i] = relu32(s)
	}
}

// dw3s2 is dw3s1 at stride 2: output i reads input columns 2i..2i+2.
func dw3s2(out, in []float32, pw int, w *[9]float32, bias float32) {
	n := len(out)
	a, b, c := in[0:2*n+1], in[pw:pw+2*n+1], in[2*pw:2*pw+2*n+1]
	w0, w1, w2, w3, w4, w5, w6, w7, w8 := w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]
	for i := range out {
		j := 2 * i
		s := bias + w0*a[j] + w1*a[j+1] + w2*a[j+2] +
			w3*b[j] + w4*b[j+1] + w5*b[j+2] +
			w6*c[j] + w7*c[j+1] + w8*c[j+2]
		out[i] = relu32(s)
	}
}

// dw5s1Row adds one kernel row's five taps into an output row of a 5×5
// stride-1 depthwise convolution: the first row writes bias plus taps, the
// last applies ReLU.
func dw5s1Row(out, in []float32, w *[5]float32, bias float32, first, last bool) {
	n := len(out)
	a0, a1, a2, a3, a4 := in[0:][:n], in[1:][:n], in[2:][:n], in[3:][:n], in[4:][:n]
	w0, w1, w2, w3, w4 := w[0], w[1], w[2], w[3], w[4]
	switch {
	case first:
		for i := range out {
			out[i] = bias + w0*a0[i] + w1*a1[i] + w2*a2[i] + w3*a3[i] + w4*a4[i]
		}
	case last:
		for i := range out {
			out[i] = relu32(out[i] + w0*a0[i] + w1*a1[i] + w2*a2[i] + w3*a3[i] + w4*a4[i])
		}
	default:
		for i := range out {
			out[i] += w0*a0[i] + w1*a1[i] + w2*a2[i] + w3*a3[i] + w4*a4[i]
		}
	}
}

// dw5s2Row is dw5s1Row at stride 2.
func dw5s2Row(out, in []float32, w *[5]float32, bias float32, first, last bool) {
	n := len(out)
	a := in[0 : 2*n+3]
	w0, w1, w2, w3, w4 := w[0], w[1], w[2], w[3], w[4]
	for i := range out {
		j := 2 * i
		s := w0*a[j] + w1*a[j+1] + w2*a[j+2] + w3*a[j+3] + w4*a[j+4]
		switch {
		case first:
			out[i] = bias + s
		case last:
			out[i] = relu32(out[i] + s)
		default:
			out[i] += s
		}
	}
}
