package engine

import (
	"github.com/helpwasm/helpwasm/space/ofa"
)

var _ Net = (*OFANet)(nil)

// ofaBlock is one active inverted-residual block, built: the block's
// shared layers (ofaBlockLayers) at this network's pixel counts.
type ofaBlock struct {
	layers          *ofaBlockLayers // keeps the shared weights alive
	expand, project pointwise
	expandAct       act // ReLU is fused into expand; h-swish is a pass
	dw              dwConv
	se              *seModule // nil without SE
	residual        bool      // project adds into the input buffer
	mid, hw, ohw    int       // expanded channels, input and output pixels
	inLen, outLen   int
}

// OFANet is the OFA MobileNetV3 (width 1.2) network of one architecture
// at its resolution (see package space/ofa), with fixed pseudo-random
// weights, ready to run. All buffers are allocated when it is built;
// Forward allocates nothing. An OFANet is not safe for concurrent use,
// nor with the other networks of its OFABuilder, whose scratch it
// shares.
type OFANet struct {
	arch  ofa.Arch
	input []float32 // 3 x r x r
	out   []float32 // 1000 logits

	stem        *conv
	firstDW     *dwConv
	firstPW     *pointwise
	blocks      []ofaBlock
	head        *ofaHeadLayers
	finalExpand pointwise // 192 -> 1152 at the final size, then h-swish
	scratch     *ofaScratch
	builder     *OFABuilder // nil once closed
	key         ofaNetKey
	copy        int
	macs        int64
}

// NewOFA builds a's network with weights drawn from seed, on its own (it
// shares nothing with other networks); the input buffer is filled with
// deterministic values from the same seed. It panics if a does not
// validate.
func NewOFA(a ofa.Arch, seed uint64) *OFANet {
	return NewOFABuilder().New(a, seed)
}

// build builds copy c of a's network: its own stem, first block, input
// and output, the builder's block layers and head for copy c, and the
// builder's scratch, grown to fit.
func (b *OFABuilder) build(a ofa.Arch, seed uint64, c int) *OFANet {
	n := &OFANet{arch: a, builder: b, key: ofaNetKey{a.Canonical(), seed}, copy: c, scratch: b.scratch}
	r := a.R
	n.input = newParamGen(^seed).uniform(ofa.InputChannels*r*r, -1, 1)
	n.out = make([]float32, ofa.NumClasses)
	// The stem and first block are 0.03 MB: each network has its own.
	stem, firstDW, firstPW := newOFAStemParams(seed)
	n.stem = newConv(&stem, convSpec{h: r, w: r, stride: 2, pad: 1})
	s := n.stem.oh
	bl, _ := n.stem.scratchLen()
	n.firstDW = newDWConv(&firstDW, s, s, 1, actReLU)
	n.firstPW = newPointwise(&firstPW, 1, s*s, false)
	bl = max(bl, n.firstDW.scratchLen(), n.firstPW.scratchLen())
	actLen, midLen := n.stem.outLen(), n.firstDW.outLen()
	n.macs = n.stem.macs() + n.firstDW.macs() + n.firstPW.macs()
	maxMid := 0
	for _, sh := range ofa.Blocks(nil, a) {
		l := b.blockLayers(sh, seed, c)
		blk := ofaBlock{layers: l, mid: sh.Mid, hw: sh.Size * sh.Size, ohw: sh.OutSize * sh.OutSize, residual: sh.Residual, se: l.se}
		blk.inLen, blk.outLen = sh.In*blk.hw, sh.Out*blk.ohw
		blk.expandAct = actReLU
		if sh.HSwish {
			blk.expandAct = actHSwish
		}
		blk.expand, blk.project = l.expand.at(blk.hw), l.project.at(blk.ohw)
		blk.dw = l.dw.at(sh.Size, sh.Size)
		n.macs += blk.expand.macs() + blk.dw.macs() + blk.project.macs()
		if blk.se != nil {
			n.macs += blk.se.macs()
		}
		bl = max(bl, blk.expand.scratchLen(), blk.dw.scratchLen(), blk.project.scratchLen())
		actLen = max(actLen, blk.inLen, blk.outLen)
		midLen = max(midLen, blk.mid*blk.hw)
		maxMid = max(maxMid, blk.mid)
		n.blocks = append(n.blocks, blk)
	}
	n.head = b.headLayers(seed, c)
	f := ofa.FinalSize(r)
	n.finalExpand = n.head.finalExpand.at(f * f)
	bl = max(bl, n.finalExpand.scratchLen())
	midLen = max(midLen, n.finalExpand.outLen())
	n.macs += n.finalExpand.macs() + ofa.FinalExpandWidth*ofa.FeatureMixWidth + ofa.FeatureMixWidth*ofa.NumClasses
	n.scratch.fit(actLen, midLen, bl, maxMid)
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
	sc := n.scratch
	x := sc.act[0][:n.stem.outLen()]
	n.stem.forward(x, n.input, sc.bs, nil, false)
	applyAct(x, actHSwish)
	d := sc.mid[0][:n.firstDW.outLen()]
	n.firstDW.forward(d, x, sc.bs, nil)
	n.firstPW.forward(x, d, sc.bs, true) // + the input, in place
	cur := 0
	for i := range n.blocks {
		b := &n.blocks[i]
		x := sc.act[cur][:b.inLen]
		e := sc.mid[0][:b.mid*b.hw]
		b.expand.forward(e, x, sc.bs, false)
		if b.expandAct == actHSwish {
			applyAct(e, actHSwish)
		}
		dwOut := sc.mid[1][:b.mid*b.ohw]
		var means []float32
		if b.se != nil {
			means = sc.means
		}
		b.dw.forward(dwOut, e, sc.bs, means)
		y := sc.act[1-cur][:b.outLen]
		if b.residual {
			y = x // in place: the input buffer becomes the output
		}
		if b.se != nil {
			b.se.forward(sc.scale, sc.means, sc.se)
			b.project.forwardScaled(y, dwOut, sc.bs, sc.scale[:b.mid], b.residual)
		} else {
			b.project.forward(y, dwOut, sc.bs, b.residual)
		}
		if !b.residual {
			cur = 1 - cur
		}
	}
	f := &n.finalExpand
	h := sc.mid[0][:f.outLen()]
	f.forward(h, sc.act[cur][:f.inLen()], sc.bs, false)
	// h-swish, then global average pooling, per channel.
	inv := 1 / float32(f.n)
	for c := range sc.pool {
		sc.pool[c] = applyAct(h[c*f.n:(c+1)*f.n], actHSwish) * inv
	}
	matVec(sc.mix, n.head.mixW, sc.pool, nil)
	applyAct(sc.mix, actHSwish)
	matVec(n.out, n.head.fcW, sc.mix, n.head.fcB)
}
