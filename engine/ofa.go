package engine

import (
	"github.com/helpwasm/helpwasm/space/ofa"
)

var _ Net = (*OFANet)(nil)

// ofaBlock is one active inverted-residual block, built.
type ofaBlock struct {
	expand, project *pointwise
	expandAct       act // ReLU is fused into expand; h-swish is a pass
	dw              *dwConv
	se              *seModule // nil without SE
	residual        bool      // project adds into the input buffer
	mid, hw, ohw    int       // expanded channels, input and output pixels
	inLen, outLen   int
}

// OFANet is the OFA MobileNetV3 (width 1.2) network of one architecture
// at its resolution (see package space/ofa), with fixed pseudo-random
// weights, ready to run. All buffers are allocated by NewOFA; Forward
// allocates nothing. An OFANet is not safe for concurrent use.
type OFANet struct {
	arch  ofa.Arch
	input []float32 // 3 x r x r
	out   []float32 // 1000 logits

	stem             *conv
	firstDW          *dwConv
	firstPW          *pointwise
	blocks           []ofaBlock
	finalExpand      *pointwise // 192 -> 1152 at the final size, then h-swish
	mixW, fcW, fcB   []float32  // feature mix 1536 x 1152 (no bias), classifier 1000 x 1536
	pooled, mixed    []float32  // 1152, 1536
	means, scale, se []float32  // SE: channel means, scales, hidden

	act  [2][]float32 // block inputs and outputs, ping-ponged
	mid  [2][]float32 // expanded tensors: expand out, depthwise out
	bs   []float32    // packed-operand and padded-plane scratch
	macs int64
}

// NewOFA builds a's network with weights drawn from seed; the input
// buffer is filled with deterministic values from the same seed. It
// panics if a does not validate.
func NewOFA(a ofa.Arch, seed uint64) *OFANet {
	p := newOFAParams(a, seed)
	n := &OFANet{arch: a}
	r := a.R
	n.input = newParamGen(^seed).uniform(ofa.InputChannels*r*r, -1, 1)
	n.out = make([]float32, ofa.NumClasses)
	n.stem = newConv(&p.stem, convSpec{h: r, w: r, stride: 2, pad: 1})
	s := n.stem.oh
	bl, _ := n.stem.scratchLen()
	n.firstDW = newDWConv(&p.firstDW, s, s, 1, actReLU)
	n.firstPW = newPointwise(&p.firstPW, 1, s*s, false)
	bl = max(bl, n.firstDW.scratchLen(), n.firstPW.scratchLen())
	actLen, midLen := n.stem.outLen(), n.firstDW.outLen()
	n.macs = n.stem.macs() + n.firstDW.macs() + n.firstPW.macs()
	maxMid := 0
	for i := range p.blocks {
		bp := &p.blocks[i]
		sh := bp.shape
		b := ofaBlock{mid: sh.Mid, hw: sh.Size * sh.Size, ohw: sh.OutSize * sh.OutSize, residual: sh.Residual}
		b.inLen, b.outLen = sh.In*b.hw, sh.Out*b.ohw
		a := actReLU
		if sh.HSwish {
			a = actHSwish
		}
		b.expandAct = a
		b.expand = newPointwise(&bp.expand, 1, b.hw, a == actReLU)
		b.dw = newDWConv(&bp.dw, sh.Size, sh.Size, sh.Stride, a)
		b.project = newPointwise(&bp.project, 1, b.ohw, false)
		n.macs += b.expand.macs() + b.dw.macs() + b.project.macs()
		if bp.se != nil {
			b.se = newSEModule(bp.se)
			n.macs += b.se.macs()
		}
		bl = max(bl, b.expand.scratchLen(), b.dw.scratchLen(), b.project.scratchLen())
		actLen = max(actLen, b.inLen, b.outLen)
		midLen = max(midLen, b.mid*b.hw)
		maxMid = max(maxMid, b.mid)
		n.blocks = append(n.blocks, b)
	}
	f := ofa.FinalSize(r)
	n.finalExpand = newPointwise(&p.finalExpand, 1, f*f, false)
	bl = max(bl, n.finalExpand.scratchLen())
	midLen = max(midLen, n.finalExpand.outLen())
	n.mixW = p.mix.w
	n.fcW, n.fcB = p.fcW, p.fcB
	n.macs += n.finalExpand.macs() + ofa.FinalExpandWidth*ofa.FeatureMixWidth + ofa.FeatureMixWidth*ofa.NumClasses
	for i := range n.act {
		n.act[i] = make([]float32, actLen)
		n.mid[i] = make([]float32, midLen)
	}
	n.bs = make([]float32, bl)
	n.pooled = make([]float32, ofa.FinalExpandWidth)
	n.mixed = make([]float32, ofa.FeatureMixWidth)
	n.means = make([]float32, maxMid)
	n.scale = make([]float32, maxMid)
	n.se = make([]float32, maxMid)
	return n
}

// Arch returns the network's architecture.
func (n *OFANet) Arch() ofa.Arch { return n.arch }

// Input returns the network's input tensor (3 x r x r, CHW). The caller
// may overwrite it between Forward calls; the slice stays valid for the
// network's life.
func (n *OFANet) Input() []float32 { return n.input }

// Output returns the 1000 logits of the last Forward. The slice is owned
// by the network and overwritten by the next Forward.
func (n *OFANet) Output() []float32 { return n.out }

// MACs is the number of multiply-accumulates of the network's
// convolutions (SE's included), feature mix and classifier, counted as
// direct convolutions: ofa.FLOPs's count.
func (n *OFANet) MACs() int64 { return n.macs }

// Forward runs the network on Input and leaves the logits in Output.
func (n *OFANet) Forward() {
	x := n.act[0][:n.stem.outLen()]
	n.stem.forward(x, n.input, n.bs, nil, false)
	applyAct(x, actHSwish)
	d := n.mid[0][:n.firstDW.outLen()]
	n.firstDW.forward(d, x, n.bs, nil)
	n.firstPW.forward(x, d, n.bs, true) // + the input, in place
	cur := 0
	for i := range n.blocks {
		b := &n.blocks[i]
		x := n.act[cur][:b.inLen]
		e := n.mid[0][:b.mid*b.hw]
		b.expand.forward(e, x, n.bs, false)
		if b.expandAct == actHSwish {
			applyAct(e, actHSwish)
		}
		dwOut := n.mid[1][:b.mid*b.ohw]
		var means []float32
		if b.se != nil {
			means = n.means
		}
		b.dw.forward(dwOut, e, n.bs, means)
		y := n.act[1-cur][:b.outLen]
		if b.residual {
			y = x // in place: the input buffer becomes the output
		}
		if b.se != nil {
			b.se.forward(n.scale, n.means, n.se)
			b.project.forwardScaled(y, dwOut, n.bs, n.scale[:b.mid], b.residual)
		} else {
			b.project.forward(y, dwOut, n.bs, b.residual)
		}
		if !b.residual {
			cur = 1 - cur
		}
	}
	f := n.finalExpand
	h := n.mid[0][:f.outLen()]
	f.forward(h, n.act[cur][:f.inLen()], n.bs, false)
	// h-swish, then global average pooling, per channel.
	inv := 1 / float32(f.n)
	for c := range n.pooled {
		n.pooled[c] = applyAct(h[c*f.n:(c+1)*f.n], actHSwish) * inv
	}
	matVec(n.mixed, n.mixW, n.pooled, nil)
	applyAct(n.mixed, actHSwish)
	matVec(n.out, n.fcW, n.mixed, n.fcB)
}
