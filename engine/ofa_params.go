package engine

import (
	"fmt"
	"math"
	"math/rand/v2"

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

// Each part of the network draws from its own stream, named by what
// decides its shape (ofaStream): the stem and the first block, each block
// by its slot, kernel and expansion, and the head. Two networks of one
// seed therefore have identical weights wherever their layers have the
// same shape, which is what lets an OFABuilder build such a layer once
// for both.
const (
	ofaStreamStem = 1
	ofaStreamHead = 2
)

// ofaBlockStream names the stream of a block: its shape follows from
// its slot, kernel and expansion.
func ofaBlockStream(b ofa.Block) uint64 {
	return 1000 + uint64(b.Slot)*100 + uint64(b.K)*10 + uint64(b.E)
}

// ofaGen is the generator of one stream of seed's weights.
func ofaGen(seed, stream uint64) paramGen {
	// The second PCG word separates the streams (stream 0 is newParamGen's).
	return paramGen{rand.New(rand.NewPCG(seed, paramStream+stream*0x9e3779b97f4a7c15))}
}

// newOFAStemParams draws the stem and the first block.
func newOFAStemParams(seed uint64) (stem, firstDW, firstPW convParams) {
	g := ofaGen(seed, ofaStreamStem)
	return g.conv(ofa.InputChannels, ofa.StemChannels, 3, true),
		g.conv(1, ofa.StemChannels, 3, true),
		g.conv(ofa.StemChannels, ofa.FirstBlockChannels, 1, true)
}

// newOFABlockParams draws the block of shape b.
func newOFABlockParams(b ofa.Block, seed uint64) ofaBlockParams {
	g := ofaGen(seed, ofaBlockStream(b))
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
	return bp
}

// newOFAHeadParams draws the final expansion, feature mix and classifier.
func newOFAHeadParams(seed uint64) (finalExpand, mix convParams, fcW, fcB []float32) {
	g := ofaGen(seed, ofaStreamHead)
	finalExpand = g.conv(ofa.LastStageWidth, ofa.FinalExpandWidth, 1, true)
	mix = g.conv(ofa.FinalExpandWidth, ofa.FeatureMixWidth, 1, false)
	fcW, fcB = g.linear(ofa.FeatureMixWidth, ofa.NumClasses)
	return finalExpand, mix, fcW, fcB
}

// newOFAParams draws all parameters of a's network from seed, as NewOFA
// and every OFABuilder build it. It panics if a does not validate.
func newOFAParams(a ofa.Arch, seed uint64) *ofaParams {
	checkOFA(a)
	p := &ofaParams{arch: a}
	p.stem, p.firstDW, p.firstPW = newOFAStemParams(seed)
	for _, b := range ofa.Blocks(nil, a) {
		p.blocks = append(p.blocks, newOFABlockParams(b, seed))
	}
	p.finalExpand, p.mix, p.fcW, p.fcB = newOFAHeadParams(seed)
	return p
}

func checkOFA(a ofa.Arch) {
	if err := a.Validate(); err != nil {
		panic(fmt.Sprintf("engine: NewOFA: %v", err))
	}
}
