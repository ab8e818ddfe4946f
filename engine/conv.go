package engine

import "fmt"

// convAlgo is how a convolution is computed.
type convAlgo uint8

const (
	// im2colGEMM packs the (ReLU'd, padded, strided) input patches into the
	// packed B layout and multiplies by the packed weights.
	im2colGEMM convAlgo = iota
	// winograd is F(2×2, 3×3): 16 products of cout×cin by cin×tiles
	// instead of 36, for 3×3 stride-1 pad-1 convolutions.
	winograd
	// winograd4 is F(4×4, 3×3): 36 products instead of 144.
	winograd4
)

// conv is one folded convolution layer with fixed input and output shapes.
// Input and output are CHW tensors (flat []float32, channel-major).
type conv struct {
	cin, cout, k, stride, pad int
	h, w, oh, ow              int // input and output spatial size
	reluIn                    bool
	avgPool2                  bool // input is 2×2/2 average-pooled first (reduction shortcut)
	algo                      convAlgo
	a                         packedA   // im2colGEMM: cout × cin·k·k
	u                         []packedA // winograd, winograd4: transformed weights per tile position (16 or 36)
	bias                      []float32 // len cout; nil for none
}

// convSpec describes a layer for newConv.
type convSpec struct {
	h, w, stride, pad int
	reluIn, avgPool2  bool
	algo              convAlgo
}

// newConv folds and packs p for inputs of spec's shape.
func newConv(p *convParams, spec convSpec) *conv {
	c := &conv{
		cin: p.cin, cout: p.cout, k: p.k, stride: spec.stride, pad: spec.pad,
		h: spec.h, w: spec.w, reluIn: spec.reluIn, avgPool2: spec.avgPool2, algo: spec.algo,
	}
	ih, iw := c.h, c.w
	if c.avgPool2 {
		ih, iw = ih/2, iw/2
	}
	c.oh = (ih+2*c.pad-c.k)/c.stride + 1
	c.ow = (iw+2*c.pad-c.k)/c.stride + 1
	w, bias := p.folded()
	c.bias = bias
	switch c.algo {
	case im2colGEMM:
		c.a = packA(w, c.cout, c.cin*c.k*c.k)
	case winograd:
		if c.k != 3 || c.stride != 1 || c.pad != 1 || c.avgPool2 || c.oh%2 != 0 || c.ow%2 != 0 {
			panic(fmt.Sprintf("engine: winograd needs a 3×3/1 pad-1 conv with even output, got k=%d stride=%d pad=%d out %d×%d", c.k, c.stride, c.pad, c.oh, c.ow))
		}
		c.u = winogradWeights(w, c.cout, c.cin)
	case winograd4:
		if c.k != 3 || c.stride != 1 || c.pad != 1 || c.avgPool2 || c.oh%4 != 0 || c.ow%4 != 0 {
			panic(fmt.Sprintf("engine: winograd4 needs a 3×3/1 pad-1 conv with output a multiple of 4, got k=%d stride=%d pad=%d out %d×%d", c.k, c.stride, c.pad, c.oh, c.ow))
		}
		c.u = winograd4Weights(w, c.cout, c.cin)
	}
	return c
}

// macs is the layer's multiply-accumulate count as a direct convolution
// (the convention for FLOPs: 2·MACs).
func (c *conv) macs() int64 {
	return int64(c.cout) * int64(c.oh*c.ow) * int64(c.cin*c.k*c.k)
}

// inLen and outLen are the input and output tensor lengths.
func (c *conv) inLen() int  { return c.cin * c.h * c.w }
func (c *conv) outLen() int { return c.cout * c.oh * c.ow }

// scratchLen returns the scratch the layer needs: packed input (b) and, for
// Winograd, the transformed products (m).
func (c *conv) scratchLen() (b, m int) {
	switch c.algo {
	case winograd:
		t := (c.oh / 2) * (c.ow / 2)
		// 16 packed operands, then the padded input.
		return 16*packedBLen(c.cin, t) + c.cin*(c.h+2)*(c.w+2), 16 * c.cout * t
	case winograd4:
		t := (c.oh / 4) * (c.ow / 4)
		return 36*packedBLen(c.cin, t) + c.cin*(c.h+2)*(c.w+2), 36 * c.cout * t
	default:
		// The packed operand, then (k×k im2col) the padded input.
		b = packedBLen(c.cin*c.k*c.k, c.oh*c.ow)
		if !c.avgPool2 && (c.k != 1 || c.stride != 1 || c.pad != 0) {
			b += c.cin * (c.h + 2*c.pad) * (c.w + 2*c.pad)
		}
		return b, 0
	}
}

// forward writes (add == false) or adds (add == true) the layer's output for
// input x into dst. bs and ms are scratch of at least scratchLen.
func (c *conv) forward(dst, x, bs, ms []float32, add bool) {
	if len(x) != c.inLen() || len(dst) != c.outLen() {
		panic(fmt.Sprintf("engine: conv %d→%d k%d: input len %d (want %d), output len %d (want %d)",
			c.cin, c.cout, c.k, len(x), c.inLen(), len(dst), c.outLen()))
	}
	switch c.algo {
	case winograd:
		c.winogradForward(dst, x, bs, ms, add)
	case winograd4:
		c.winograd4Forward(dst, x, bs, ms, add)
	default:
		n := c.oh * c.ow
		k := c.cin * c.k * c.k
		b := bs[:packedBLen(k, n)]
		switch {
		case c.avgPool2:
			packAvgPool2(b, x, c.cin, c.h, c.w)
		case c.k == 1 && c.stride == 1 && c.pad == 0:
			pack1x1(b, x, c.cin, n, c.reluIn)
		default:
			c.packIm2col(bs, x)
		}
		gemm(dst, c.a, b, n, c.bias, add)
	}
}

// relu32 is max(v, 0). (The max builtin's NaN and signed-zero handling
// compiles to slow code under WASM.)
func relu32(v float32) float32 {
	if v < 0 {
		return 0
	}
	return v
}

// reluIf is relu32 if on, else the identity.
func reluIf(v float32, on bool) float32 {
	if on && v < 0 {
		return 0
	}
	return v
}

// pack1x1 packs the cin×n matrix x (optionally ReLU'd) into packed B layout.
func pack1x1(b, x []float32, cin, n int, relu bool) {
	for q := 0; q*nr < n; q++ {
		j0 := q * nr
		panel := b[q*cin*nr : (q+1)*cin*nr]
		if j0+nr > n {
			for ci := 0; ci < cin; ci++ {
				for j := 0; j < nr; j++ {
					var v float32
					if j0+j < n {
						v = reluIf(x[ci*n+j0+j], relu)
					}
					panel[ci*nr+j] = v
				}
			}
			continue
		}
		for ci := 0; ci < cin; ci++ {
			src := (*[nr]float32)(x[ci*n+j0:])
			dst := (*[nr]float32)(panel[ci*nr:])
			if relu {
				dst[0], dst[1], dst[2], dst[3] = relu32(src[0]), relu32(src[1]), relu32(src[2]), relu32(src[3])
			} else {
				*dst = *src
			}
		}
	}
}

// packAvgPool2 packs the 2×2 stride-2 average pool of the cin×h×w tensor x
// as a cin × (h/2·w/2) packed B operand (the reduction shortcut's input).
func packAvgPool2(b, x []float32, cin, h, w int) {
	oh, ow := h/2, w/2
	n := oh * ow
	for q := 0; q*nr < n; q++ {
		panel := b[q*cin*nr : (q+1)*cin*nr]
		for ci := 0; ci < cin; ci++ {
			plane := x[ci*h*w : (ci+1)*h*w]
			for j := 0; j < nr; j++ {
				p := q*nr + j
				var v float32
				if p < n {
					oy, ox := p/ow, p%ow
					r0 := plane[2*oy*w+2*ox : 2*oy*w+2*ox+2]
					r1 := plane[(2*oy+1)*w+2*ox : (2*oy+1)*w+2*ox+2]
					v = (r0[0] + r0[1] + r1[0] + r1[1]) * 0.25
				}
				panel[ci*nr+j] = v
			}
		}
	}
}

// packIm2col packs the k×k patches of x (zero-padded, strided, optionally
// ReLU'd) as a (cin·k·k) × (oh·ow) packed B operand. It first copies x into
// a zero-bordered, ReLU'd buffer (scratch past the packed operand) so that
// the hot loop is plain strided copies without bounds or sign tests.
func (c *conv) packIm2col(b, x []float32) {
	n := c.oh * c.ow
	kk := c.cin * c.k * c.k
	ph, pw := c.h+2*c.pad, c.w+2*c.pad
	padded := b[packedBLen(kk, n) : packedBLen(kk, n)+c.cin*ph*pw]
	b = b[:packedBLen(kk, n)]
	padReLU(padded, x, c.cin, c.h, c.w, c.pad, c.reluIn)
	s := c.stride
	for q := 0; q*nr < n; q++ {
		panel := b[q*kk*nr : (q+1)*kk*nr]
		oy, ox0 := q*nr/c.ow, q*nr%c.ow
		if ox0+nr > c.ow {
			c.packPanelGeneric(panel, padded, q*nr)
			continue
		}
		// The panel's nr pixels share output row oy.
		r := 0
		for ci := 0; ci < c.cin; ci++ {
			for ky := 0; ky < c.k; ky++ {
				row := padded[(ci*ph+oy*s+ky)*pw+ox0*s : (ci*ph+oy*s+ky+1)*pw]
				for kx := 0; kx < c.k; kx++ {
					d := (*[nr]float32)(panel[r*nr:])
					src := row[kx : kx+3*s+1]
					d[0], d[1], d[2], d[3] = src[0], src[s], src[2*s], src[3*s]
					r++
				}
			}
		}
	}
}

// packPanelGeneric packs the panel of pixels p0..p0+nr-1 from the padded
// input one element at a time: for panels that wrap an output row or run
// past the last pixel (zero columns).
func (c *conv) packPanelGeneric(panel, padded []float32, p0 int) {
	n := c.oh * c.ow
	ph, pw := c.h+2*c.pad, c.w+2*c.pad
	r := 0
	for ci := 0; ci < c.cin; ci++ {
		for ky := 0; ky < c.k; ky++ {
			for kx := 0; kx < c.k; kx++ {
				dst := panel[r*nr : r*nr+nr]
				for j := range dst {
					p := p0 + j
					var v float32
					if p < n {
						iy, ix := p/c.ow*c.stride+ky, p%c.ow*c.stride+kx
						v = padded[(ci*ph+iy)*pw+ix]
					}
					dst[j] = v
				}
				r++
			}
		}
	}
}
