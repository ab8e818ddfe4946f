package webgpu

import (
	"fmt"
	"math"
)

// Interpret runs p on the CPU with naive loops, one reference per kernel
// kind, and returns every buffer's contents afterwards (indexed like
// p.Buffers; uniform buffers as their words' bits). Each reference walks the
// dispatch's workgroups and invocations and computes the outputs that
// invocation owns in the WGSL, so an element no invocation covers keeps its
// previous value. It panics on a malformed plan (Validate reports those as
// errors).
func Interpret(p *Plan) [][]float32 {
	mem := make([][]float32, len(p.Buffers))
	for i := range p.Buffers {
		b := &p.Buffers[i]
		mem[i] = make([]float32, b.Len)
		copy(mem[i], b.Floats)
		for j, w := range b.Words {
			mem[i][j] = math.Float32frombits(w)
		}
	}
	for di := range p.Dispatches {
		d := &p.Dispatches[di]
		k := &p.Kernels[d.Kernel]
		bufs := make([][]float32, len(d.Buffers))
		for i, bi := range d.Buffers {
			bufs[i] = mem[bi]
		}
		u := p.Buffers[d.Buffers[len(d.Buffers)-1]].Words
		switch k.Kind {
		case KindConv:
			refConv(k, d.Groups, u, bufs[0], bufs[1], bufs[2], bufs[3])
		case KindAvgPool3:
			refAvgPool3(k, d.Groups, u, bufs[0], bufs[1])
		case KindScale:
			refScale(k, d.Groups, u, bufs[0], bufs[1])
		case KindGlobalPool:
			refGlobalPool(k, d.Groups, u, bufs[0], bufs[1], bufs[2], bufs[3])
		case KindLinear:
			refLinear(k, d.Groups, u, bufs[0], bufs[1], bufs[2], bufs[3])
		case KindNoop:
			if d.Groups[0] > 0 {
				bufs[0][0] = float32(u[0])
			}
		default:
			panic(fmt.Sprintf("webgpu: Interpret: dispatch %d: unknown kernel kind %v", di, k.Kind))
		}
	}
	return mem
}

func put(y []float32, i int, v float32, acc bool) {
	if acc {
		y[i] += v
	} else {
		y[i] = v
	}
}

// refConv: output (m, pixel) is invocation t of workgroup (gx, gy) with,
// as in the WGSL, m = gy·TM + (t/16)·4 + i and pixel = gx·TN + t%16 + 16·j
// (ConvTiled) or gx·TN + (t%16)·4 + j (ConvDirect); the value is a direct
// convolution of the (ReLU'd, or pooled) input.
func refConv(k *Kernel, groups [3]int, u []uint32, x, w, bias, y []float32) {
	cin, cout, h, wd, oh, ow, ktot, n := int(u[0]), int(u[1]), int(u[2]), int(u[3]), int(u[4]), int(u[5]), int(u[6]), int(u[7])
	in := func(ci, iy, ix int) float32 {
		if iy < 0 || ix < 0 || iy >= h || ix >= wd {
			return 0
		}
		return x[(ci*h+iy)*wd+ix]
	}
	act := func(v float32) float32 {
		if k.ReLUIn && v < 0 {
			return 0
		}
		return v
	}
	for gy := 0; gy < groups[1]; gy++ {
		for gx := 0; gx < groups[0]; gx++ {
			for t := 0; t < convThreads; t++ {
				ni, nj := 4, 4
				switch k.Algo {
				case ConvPixel:
					ni, nj = pixelCB, 1
				case ConvBlock, ConvBlock16:
					ni = blockCB(k.Algo)
				}
				// ConvBlock: invocation idx of the flattened dispatch owns
				// channel block cb = idx / nq and pixel quad q = idx % nq.
				qpr := ceilDiv(ow, 4)
				nq := oh * qpr
				idx := gx*blockThreads + t
				for i := 0; i < ni; i++ {
					m := gy*convTM + t/16*4 + i
					switch k.Algo {
					case ConvPixel:
						m = gy*pixelCB + i
					case ConvBlock, ConvBlock16:
						m = idx/nq*blockCB(k.Algo) + i
					}
					if m >= cout {
						continue
					}
					for j := 0; j < nj; j++ {
						px := gx*convTN + t%16 + 16*j
						switch k.Algo {
						case ConvDirect:
							px = gx*convTN + t%16*4 + j
						case ConvPixel:
							px = gx*convThreads + t
						case ConvBlock, ConvBlock16:
							q := idx % nq
							if q%qpr*4+j >= ow {
								continue
							}
							px = q/qpr*ow + q%qpr*4 + j
						}
						if px >= n {
							continue
						}
						oy, ox := px/ow, px%ow
						var s float32
						for ci := 0; ci < cin; ci++ {
							for ky := 0; ky < k.K; ky++ {
								for kx := 0; kx < k.K; kx++ {
									var v float32
									if k.AvgPool2 {
										iy, ix := 2*oy, 2*ox
										v = (in(ci, iy, ix) + in(ci, iy, ix+1) + in(ci, iy+1, ix) + in(ci, iy+1, ix+1)) * 0.25
									} else {
										v = in(ci, oy*k.Stride+ky-k.Pad, ox*k.Stride+kx-k.Pad)
									}
									kk := (ci*k.K+ky)*k.K + kx
									switch k.Algo {
									case ConvPixel:
										s += w[kk*ceilDiv(cout, pixelCB)*pixelCB+m] * act(v)
									case ConvBlock, ConvBlock16:
										cb := blockCB(k.Algo)
										s += w[kk*ceilDiv(cout, cb)*cb+m] * act(v)
									default:
										s += w[m*ktot+kk] * act(v)
									}
								}
							}
						}
						put(y, m*n+px, s+bias[m], k.Accumulate)
					}
				}
			}
		}
	}
}

// invocations calls f with the global index of every invocation of a
// one-dimensional dispatch.
func invocations(k *Kernel, groups [3]int, f func(i int)) {
	for i := 0; i < groups[0]*k.Workgroup[0]; i++ {
		f(i)
	}
}

func refAvgPool3(k *Kernel, groups [3]int, u []uint32, x, y []float32) {
	h, w, n := int(u[1]), int(u[2]), int(u[3])
	invocations(k, groups, func(q int) {
		for i := 4 * q; i < 4*q+4 && q < n/4; i++ {
			refPool3At(k, x, y, i, h, w)
		}
	})
}

// refPool3At computes output i of a 3×3 average pool over h×w planes.
func refPool3At(k *Kernel, x, y []float32, i, h, w int) {
	{
		c, oy, ox := i/(h*w), i%(h*w)/w, i%w
		var s float32
		cnt := 0
		for iy := oy - 1; iy <= oy+1; iy++ {
			for ix := ox - 1; ix <= ox+1; ix++ {
				if iy >= 0 && ix >= 0 && iy < h && ix < w {
					s += x[(c*h+iy)*w+ix]
					cnt++
				}
			}
		}
		put(y, i, s/float32(cnt), k.Accumulate)
	}
}

func refScale(k *Kernel, groups [3]int, u []uint32, x, y []float32) {
	n := int(u[0])
	invocations(k, groups, func(i int) {
		if i < n/4 {
			for e := 4 * i; e < 4*i+4; e++ {
				put(y, e, x[e]*k.Alpha, k.Accumulate)
			}
		}
	})
}

func refGlobalPool(k *Kernel, groups [3]int, u []uint32, x, scale, shift, y []float32) {
	nc, hw := int(u[0]), int(u[1])
	invocations(k, groups, func(c int) {
		if c >= nc {
			return
		}
		var s float32
		for _, v := range x[c*hw : (c+1)*hw] {
			s += max(v*scale[c]+shift[c], 0)
		}
		y[c] = s / float32(hw)
	})
}

func refLinear(k *Kernel, groups [3]int, u []uint32, x, w, b, y []float32) {
	nin, nout := int(u[0]), int(u[1])
	invocations(k, groups, func(o int) {
		if o >= nout {
			return
		}
		s := b[o]
		for c := 0; c < nin; c++ {
			s += w[o*nin+c] * x[c]
		}
		y[o] = s
	})
}
