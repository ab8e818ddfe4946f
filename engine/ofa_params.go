package engine

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/space/ofa"
)

// OFA MobileNetV3 parameters before batch-norm folding, drawn like the
// NAS-Bench-201 and FBNet ones (params.go, fbnet_params.go). A depthwise
// convParams has cin = 1.

// seParams is one squeeze-and-excitation module: 1x1 mid->se with bias,
// ReLU, 1x1 se->mid with bias, h-sigmoid. Weights are row-major
// (out x in).
type seParams struct {
	mid, se          int
	reduceW, reduceB []float32 // se x mid, se
	expandW, expandB []float32 // mid x se, mid
}

// ofaBlockParams is one active inverted-residual block.
type ofaBlockParams struct {
	shape               ofa.Block
	expand, dw, project convParams
	se                  *seParams // nil where the stage has none
}

// ofaParams is every parameter of one OFA network.
type ofaParams struct {
	arch             ofa.Arch
	stem             convParams // 3x3/2 3->24 + BN
	firstDW, firstPW convParams // first block: dw 3x3 24 + BN, 1x1 24->24 + BN
	blocks           []ofaBlockParams
	finalExpand      convParams // 1x1 192->1152 + BN
	mix              convParams // 1x1 1152->1536, no BN, no bias
	fcW, fcB         []float32  // NumClasses x FeatureMixWidth, NumClasses
}

// linear draws an out x in matrix and a bias, PyTorch's default uniform
// bound 1/sqrt(in).
func (g paramGen) linear(in, out int) (w, b []float32) {
	lim := 1 / math.Sqrt(float64(in))
	return g.uniform(out*in, -lim, lim), g.uniform(out, -lim, lim)
}

// newOFAParams draws all parameters of a's network from seed, in layer
// order. It panics if a does not validate.
func newOFAParams(a ofa.Arch, seed uint64) *ofaParams {
	if err := a.Validate(); err != nil {
		panic(fmt.Sprintf("engine: NewOFA: %v", err))
	}
	g := newParamGen(seed)
	p := &ofaParams{arch: a}
	p.stem = g.conv(ofa.InputChannels, ofa.StemChannels, 3, true)
	p.firstDW = g.conv(1, ofa.StemChannels, 3, true)
	p.firstPW = g.conv(ofa.StemChannels, ofa.FirstBlockChannels, 1, true)
	for _, b := range ofa.Blocks(nil, a) {
		bp := ofaBlockParams{shape: b}
		bp.expand = g.conv(b.In, b.Mid, 1, true)
		bp.dw = g.conv(1, b.Mid, b.K, true)
		if b.SE {
			s := &seParams{mid: b.Mid, se: b.SEMid}
			s.reduceW, s.reduceB = g.linear(b.Mid, b.SEMid)
			s.expandW, s.expandB = g.linear(b.SEMid, b.Mid)
			bp.se = s
		}
		bp.project = g.conv(b.Mid, b.Out, 1, true)
		p.blocks = append(p.blocks, bp)
	}
	p.finalExpand = g.conv(ofa.LastStageWidth, ofa.FinalExpandWidth, 1, true)
	p.mix = g.conv(ofa.FinalExpandWidth, ofa.FeatureMixWidth, 1, false)
	p.fcW, p.fcB = g.linear(ofa.FeatureMixWidth, ofa.NumClasses)
	return p
}
