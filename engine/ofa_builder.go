package engine

import (
	"slices"
	"weak"

	"github.com/helpwasm/helpwasm/space/ofa"
)

// OFABuilder builds OFA networks that share the folded, packed weights
// of their identical layers and one set of activation and scratch
// buffers, each network's layers laid out as it would have them alone.
//
// Why: the page's quick OFA profile holds 22 networks at once (they are
// timed interleaved, round after round, so that a machine that speeds up
// or slows down does so for all of them), and built apart they are 606 MB
// of weights and 215 MB of buffers; a browser tab on a phone cannot hold
// that. Two OFA networks of one seed have the same weights wherever a
// block has the same slot, kernel and expansion (what decides its shape,
// ofaBlockStream), and every network has the same head (final expansion,
// feature mix and classifier, 14 MB); the quick profile's 22 networks
// have 152 distinct blocks among their 335, 137 MB. A shared layer is
// the very layer a network built alone would have, packed the same way
// and read in the same order, so each network does the same arithmetic
// over the same layout; what can change is what it finds in the cache,
// since other networks read the same layers (docs/RESULTS.md "ofamem
// branch" compares the timings: within the noise at load 10-15, not
// shown on a quiet machine). Networks run one at a time, so one set of
// activation buffers, sized for the largest, serves them all.
//
// Copies: networks of the same architecture and seed built while another
// is in use (a session's second instance of a network) share nothing with
// each other's layers: the n-th live copy of an architecture shares only
// with other networks' n-th copies, so an instance still has weights of
// its own. A network's copy slot is free again once it is closed (Close)
// or collected.
//
// Lifetime: the builder refers to layers weakly; a layer lives while a
// network uses it, and the garbage collector frees it with the last one.
//
// An OFABuilder and the networks it built are not safe for concurrent
// use: build and run them from one goroutine.
type OFABuilder struct {
	scratch *ofaScratch
	nets    map[ofaNetKey][]weak.Pointer[OFANet] // by copy
	blocks  map[ofaLayerKey]weak.Pointer[ofaBlockLayers]
	heads   map[ofaLayerKey]weak.Pointer[ofaHeadLayers]
}

// ofaNetKey names the networks that would be identical: the same
// canonical architecture and seed.
type ofaNetKey struct {
	arch ofa.Arch
	seed uint64
}

// ofaLayerKey names a shared layer: its seed, stream (ofaBlockStream or
// ofaStreamHead) and copy.
type ofaLayerKey struct {
	seed, stream uint64
	copy         int
}

// ofaBlockLayers is one block's folded, packed layers; the pointwise and
// depthwise layers' pixel counts are set per network (ofaBlock).
type ofaBlockLayers struct {
	expand, project pointwise
	dw              dwConv
	se              *seModule
}

// ofaHeadLayers is the head's folded, packed layers: the final expansion
// (pixel count set per network), feature mix 1536 x 1152 (no bias) and
// classifier 1000 x 1536, row-major.
type ofaHeadLayers struct {
	finalExpand    pointwise
	mixW, fcW, fcB []float32
}

// ofaScratch is the activation and scratch memory of a builder's
// networks, grown to the largest network built; a network takes
// prefixes of it in each Forward.
type ofaScratch struct {
	act  [2][]float32 // block inputs and outputs, ping-ponged
	mid  [2][]float32 // expanded tensors: expand out, depthwise out
	bs   []float32    // packed-operand and padded-plane scratch
	pool []float32    // 1152 pooled features
	mix  []float32    // 1536 mixed features
	// SE: channel means, scales and hidden units, of the widest block.
	means, scale, se []float32
}

// fit grows the buffers to at least these lengths. A grown buffer is a
// new slice; networks read the current ones at each Forward.
func (s *ofaScratch) fit(actLen, midLen, bsLen, maxMid int) {
	grow := func(b *[]float32, n int) {
		if len(*b) < n {
			*b = make([]float32, n)
		}
	}
	for i := range s.act {
		grow(&s.act[i], actLen)
		grow(&s.mid[i], midLen)
	}
	grow(&s.bs, bsLen)
	grow(&s.pool, ofa.FinalExpandWidth)
	grow(&s.mix, ofa.FeatureMixWidth)
	grow(&s.means, maxMid)
	grow(&s.scale, maxMid)
	grow(&s.se, maxMid)
}

// NewOFABuilder returns a builder that shares nothing yet.
func NewOFABuilder() *OFABuilder {
	return &OFABuilder{
		scratch: &ofaScratch{},
		nets:    map[ofaNetKey][]weak.Pointer[OFANet]{},
		blocks:  map[ofaLayerKey]weak.Pointer[ofaBlockLayers]{},
		heads:   map[ofaLayerKey]weak.Pointer[ofaHeadLayers]{},
	}
}

// New builds a's network with weights drawn from seed (the same weights
// as NewOFA's), sharing the layers it has in common with the builder's
// live networks of the same copy; the input buffer is its own, filled
// with deterministic values from the seed. It panics if a does not
// validate.
func (b *OFABuilder) New(a ofa.Arch, seed uint64) *OFANet {
	checkOFA(a)
	b.prune()
	k := ofaNetKey{a.Canonical(), seed}
	live := b.nets[k]
	c := slices.IndexFunc(live, func(w weak.Pointer[OFANet]) bool { return w.Value() == nil })
	if c < 0 {
		c = len(live)
		live = append(live, weak.Pointer[OFANet]{})
	}
	n := b.build(a, seed, c)
	live[c] = weak.Make(n)
	b.nets[k] = live
	return n
}

// Close frees the network's copy slot: a network of the same
// architecture built after it may share its layers. The network still
// runs; Close is idempotent.
func (n *OFANet) Close() {
	b := n.builder
	if b == nil {
		return
	}
	n.builder = nil
	if live := b.nets[n.key]; n.copy < len(live) && live[n.copy].Value() == n {
		live[n.copy] = weak.Pointer[OFANet]{}
	}
}

// prune forgets collected networks and layers.
func (b *OFABuilder) prune() {
	for k, live := range b.nets {
		if !slices.ContainsFunc(live, func(w weak.Pointer[OFANet]) bool { return w.Value() != nil }) {
			delete(b.nets, k)
		}
	}
	for k, w := range b.blocks {
		if w.Value() == nil {
			delete(b.blocks, k)
		}
	}
	for k, w := range b.heads {
		if w.Value() == nil {
			delete(b.heads, k)
		}
	}
}

// blockLayers returns copy c's layers of the block of shape sh, built on
// first use.
func (b *OFABuilder) blockLayers(sh ofa.Block, seed uint64, c int) *ofaBlockLayers {
	k := ofaLayerKey{seed: seed, stream: ofaBlockStream(sh), copy: c}
	if l := b.blocks[k].Value(); l != nil {
		return l
	}
	p := newOFABlockParams(sh, seed)
	a := actReLU
	if sh.HSwish {
		a = actHSwish
	}
	l := &ofaBlockLayers{
		expand:  *newPointwise(&p.expand, 1, 0, a == actReLU),
		dw:      *newDWConv(&p.dw, 0, 0, sh.Stride, a),
		project: *newPointwise(&p.project, 1, 0, false),
	}
	if p.se != nil {
		l.se = newSEModule(p.se)
	}
	b.blocks[k] = weak.Make(l)
	return l
}

// headLayers returns copy c's head, built on first use.
func (b *OFABuilder) headLayers(seed uint64, c int) *ofaHeadLayers {
	k := ofaLayerKey{seed: seed, stream: ofaStreamHead, copy: c}
	if l := b.heads[k].Value(); l != nil {
		return l
	}
	fe, mix, fcW, fcB := newOFAHeadParams(seed)
	l := &ofaHeadLayers{finalExpand: *newPointwise(&fe, 1, 0, false), mixW: mix.w, fcW: fcW, fcB: fcB}
	b.heads[k] = weak.Make(l)
	return l
}

// at returns p for n pixels; the copy shares p's weights.
func (p pointwise) at(n int) pointwise {
	p.n = n
	return p
}

// at returns d for h x w inputs; the copy shares d's weights.
func (d dwConv) at(h, w int) dwConv {
	d.h, d.w = h, w
	d.oh = (h+2*d.pad-d.k)/d.stride + 1
	d.ow = (w+2*d.pad-d.k)/d.stride + 1
	return d
}
