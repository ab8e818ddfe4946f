package engine

import (
	"math"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// A slow, obviously correct float64 reference: every op written directly
// from its definition, batch norms applied separately (not folded).

// refTensor is a CHW tensor in float64.
type refTensor struct {
	c, h, w int
	v       []float64
}

func newRef(c, h, w int) refTensor { return refTensor{c, h, w, make([]float64, c*h*w)} }

func refFrom32(x []float32, c, h, w int) refTensor {
	t := newRef(c, h, w)
	for i, v := range x {
		t.v[i] = float64(v)
	}
	return t
}

func (t refTensor) at(c, y, x int) float64 { return t.v[(c*t.h+y)*t.w+x] }

func refReLU(x refTensor) refTensor {
	y := newRef(x.c, x.h, x.w)
	for i, v := range x.v {
		y.v[i] = math.Max(v, 0)
	}
	return y
}

func refAdd(a, b refTensor) refTensor {
	y := newRef(a.c, a.h, a.w)
	for i := range y.v {
		y.v[i] = a.v[i] + b.v[i]
	}
	return y
}

// refConv is a direct convolution without bias.
func refConv(x refTensor, p *convParams, stride, pad int) refTensor {
	oh := (x.h+2*pad-p.k)/stride + 1
	ow := (x.w+2*pad-p.k)/stride + 1
	y := newRef(p.cout, oh, ow)
	for co := 0; co < p.cout; co++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var s float64
				for ci := 0; ci < p.cin; ci++ {
					for ky := 0; ky < p.k; ky++ {
						for kx := 0; kx < p.k; kx++ {
							iy, ix := oy*stride+ky-pad, ox*stride+kx-pad
							if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
								continue
							}
							s += float64(p.w[((co*p.cin+ci)*p.k+ky)*p.k+kx]) * x.at(ci, iy, ix)
						}
					}
				}
				y.v[(co*oh+oy)*ow+ox] = s
			}
		}
	}
	return y
}

// refBN applies an inference-mode batch norm.
func refBN(x refTensor, bn *bnParams) refTensor {
	y := newRef(x.c, x.h, x.w)
	for c := 0; c < x.c; c++ {
		g, b := float64(bn.gamma[c]), float64(bn.beta[c])
		m, v := float64(bn.mean[c]), float64(bn.variance[c])
		for i := c * x.h * x.w; i < (c+1)*x.h*x.w; i++ {
			y.v[i] = (x.v[i]-m)/math.Sqrt(v+bnEps)*g + b
		}
	}
	return y
}

// refReLUConvBN is xautodl's ReLUConvBN.
func refReLUConvBN(x refTensor, p *convParams, stride, pad int) refTensor {
	return refBN(refConv(refReLU(x), p, stride, pad), p.bn)
}

// refAvgPool is an average pool with count_include_pad=False.
func refAvgPool(x refTensor, k, stride, pad int) refTensor {
	oh := (x.h+2*pad-k)/stride + 1
	ow := (x.w+2*pad-k)/stride + 1
	y := newRef(x.c, oh, ow)
	for c := 0; c < x.c; c++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var s float64
				n := 0
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						iy, ix := oy*stride+ky-pad, ox*stride+kx-pad
						if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
							continue
						}
						s += x.at(c, iy, ix)
						n++
					}
				}
				y.v[(c*oh+oy)*ow+ox] = s / float64(n)
			}
		}
	}
	return y
}

func refZero(x refTensor) refTensor {
	y := newRef(x.c, x.h, x.w)
	for i, v := range x.v {
		y.v[i] = v * 0
	}
	return y
}

// refEdge applies cell edge e's operation.
func refEdge(op nasbench201.Op, cp *convParams, x refTensor) refTensor {
	switch op {
	case nasbench201.None:
		return refZero(x)
	case nasbench201.SkipConnect:
		return x
	case nasbench201.AvgPool3x3:
		return refAvgPool(x, 3, 1, 1)
	default:
		return refReLUConvBN(x, cp, 1, (cp.k-1)/2)
	}
}

func refCell(p *cellParams, arch nasbench201.Arch, x refTensor) refTensor {
	nodes := []refTensor{x}
	for j := 1; j <= 3; j++ {
		var sum refTensor
		for e, edge := range nasbench201.Edges {
			if edge.To != j {
				continue
			}
			y := refEdge(arch[e], p.edges[e], nodes[edge.From])
			if sum.v == nil {
				sum = y
			} else {
				sum = refAdd(sum, y)
			}
		}
		nodes = append(nodes, sum)
	}
	return nodes[3]
}

func refReduction(p *reductionParams, x refTensor) refTensor {
	a := refReLUConvBN(x, &p.a, 2, 1)
	b := refReLUConvBN(a, &p.b, 1, 1)
	short := refConv(refAvgPool(x, 2, 2, 0), &p.shortcut, 1, 0)
	return refAdd(short, b)
}

func refHead(p *netParams, x refTensor) []float64 {
	y := refReLU(refBN(x, &p.last))
	pooled := make([]float64, y.c)
	for c := range pooled {
		for i := c * y.h * y.w; i < (c+1)*y.h*y.w; i++ {
			pooled[c] += y.v[i]
		}
		pooled[c] /= float64(y.h * y.w)
	}
	out := make([]float64, numClasses)
	for k := range out {
		s := float64(p.fcB[k])
		for c, v := range pooled {
			s += float64(p.fcW[k*finalChannels+c]) * v
		}
		out[k] = s
	}
	return out
}

// refForward is the whole network in float64.
func refForward(p *netParams, input []float32) []float64 {
	x := refFrom32(input, inChannels, inSize, inSize)
	x = refBN(refConv(x, &p.stem, 1, 1), p.stem.bn)
	for s := 0; s < numStages; s++ {
		if s > 0 {
			x = refReduction(&p.reds[s-1], x)
		}
		for i := range p.cells[s] {
			x = refCell(&p.cells[s][i], p.arch, x)
		}
	}
	return refHead(p, x)
}
