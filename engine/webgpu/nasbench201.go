package webgpu

import (
	"fmt"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// Options choose among equivalent kernels; the zero value is the default.
type Options struct {
	Conv ConvAlgo
}

// BuildNASBench201 returns the plan of engine.New(arch, seed)'s forward
// pass: the same weights, folded the same way, and the same input.
func BuildNASBench201(arch nasbench201.Arch, seed uint64) (*Plan, error) {
	return BuildNASBench201With(arch, seed, Options{})
}

// BuildNASBench201With is BuildNASBench201 with kernel options.
func BuildNASBench201With(arch nasbench201.Arch, seed uint64, opt Options) (*Plan, error) {
	for e, op := range arch {
		if op >= nasbench201.NumOps {
			return nil, fmt.Errorf("webgpu: NAS-Bench-201 plan: edge %d has invalid op %d", e, op)
		}
	}
	f := engine.FoldNASBench201(arch, seed)
	b := newBuilder()
	b.opt = opt
	b.p.MACs = f.MACs
	in := b.buffer(Buffer{Name: "input", Kind: Activation, Floats: f.Input})
	b.p.Input = in

	var nodes [3][4]int
	for s := range nodes {
		ch, size := f.StageChannels[s], f.StageSize[s]
		for i := range nodes[s] {
			nodes[s][i] = b.activation(fmt.Sprintf("stage %d node %d", s, i), ch*size*size)
		}
	}
	b.conv("stem", &f.Stem, in, nodes[0][0], false)
	for s := range nodes {
		ch, size := f.StageChannels[s], f.StageSize[s]
		n := ch * size * size
		if s > 0 {
			r := &f.Reductions[s-1]
			name := fmt.Sprintf("reduction %d", s)
			tmp := b.activation(name+" tmp", n)
			x := nodes[s-1][0]
			b.conv(name+" a", &r.A, x, tmp, false)
			b.conv(name+" b", &r.B, tmp, nodes[s][0], false)
			b.conv(name+" shortcut", &r.Shortcut, x, nodes[s][0], true)
		}
		for i := 0; i < 5; i++ {
			var written [4]bool
			for e, edge := range nasbench201.Edges {
				x, dst := nodes[s][edge.From], nodes[s][edge.To]
				acc := written[edge.To]
				written[edge.To] = true
				name := fmt.Sprintf("stage %d cell %d edge %d", s, i, e)
				switch arch[e] {
				case nasbench201.None:
					b.dispatch(ScaleKernel(0, acc), scaleGroups(n), []uint32{uint32(n), 0, 0, 0}, x, dst)
				case nasbench201.SkipConnect:
					b.dispatch(ScaleKernel(1, acc), scaleGroups(n), []uint32{uint32(n), 0, 0, 0}, x, dst)
				case nasbench201.AvgPool3x3:
					b.dispatch(AvgPool3Kernel(acc), avgPoolGroups(n), []uint32{uint32(ch), uint32(size), uint32(size), uint32(n)}, x, dst)
				default:
					b.conv(name, f.Cells[s][i][e], x, dst, acc)
				}
			}
			// Node 3 is the cell's output and the next cell's input.
			nodes[s][0], nodes[s][3] = nodes[s][3], nodes[s][0]
		}
	}
	last := nodes[2][0]
	c, hw := f.StageChannels[2], f.StageSize[2]*f.StageSize[2]
	pooled := b.activation("pooled", c)
	b.dispatch(GlobalPoolKernel(), [3]int{ceilDiv(c, rowThreads), 1, 1}, []uint32{uint32(c), uint32(hw), 0, 0},
		last, b.weights("lastact scale", f.LastScale), b.weights("lastact shift", f.LastShift), pooled)
	out := b.activation("logits", len(f.FCB))
	b.dispatch(LinearKernel(), [3]int{ceilDiv(len(f.FCB), rowThreads), 1, 1}, []uint32{uint32(c), uint32(len(f.FCB)), 0, 0},
		pooled, b.weights("classifier weights", f.FCW), b.weights("classifier bias", f.FCB), out)
	b.p.Output = out
	return &b.p, nil
}

// conv appends the dispatch of one folded convolution reading buffer x and
// writing (or, acc, adding to) buffer y. A layer without batch norm gets a
// zero bias (adding +0 changes no value).
func (b *builder) conv(name string, c *engine.FoldedConv, x, y int, acc bool) {
	bias := c.Bias
	if bias == nil {
		bias = make([]float32, c.Cout)
	}
	oh, ow := c.OutSize()
	words, groups := convWords(c.Cin, c.Cout, c.H, c.W, oh, ow, c.K, b.opt.Conv)
	spec := ConvSpec{K: c.K, Stride: c.Stride, Pad: c.Pad, ReLUIn: c.ReLUIn, AvgPool2: c.AvgPool2, Accumulate: acc, Algo: b.opt.Conv}
	b.dispatch(b.convKernel(spec), groups, words,
		x, b.weights(name+" weights", convWeightsFor(c.Weights, c.Cout, c.Cin*c.K*c.K, b.opt.Conv)), b.weights(name+" bias", bias), y)
}

// EmptyLike returns a plan with p's dispatch count in which every dispatch
// is one workgroup of the noop kernel: the per-dispatch cost of p without
// its arithmetic (encoding, submission, pipeline and bind-group switches
// are of the same number).
func EmptyLike(p *Plan) *Plan {
	b := newBuilder()
	y := b.activation("noop out", 1)
	b.p.Input, b.p.Output = y, y
	for i := range p.Dispatches {
		b.dispatch(NoopKernel(), [3]int{1, 1, 1}, []uint32{uint32(i), 0, 0, 0}, y)
	}
	return &b.p
}
