package engine

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/space/fbnet"
)

// FBNet parameters before batch-norm folding, drawn like the NAS-Bench-201
// ones (params.go). A grouped convolution's convParams has cin = input
// channels per group (PyTorch's weight shape cout×cin/groups×k×k), so
// folded and the He-uniform fan-in apply unchanged; a depthwise one has
// cin = 1.

// fbBlockParams is one of the 22 layers: a block (expand, dw, project) or
// a skip, projecting (proj != nil) or the identity.
type fbBlockParams struct {
	choice              fbnet.Choice
	shape               fbnet.Layer
	expand, dw, project convParams
	proj                *convParams
}

// fbParams is every parameter of one FBNet network.
type fbParams struct {
	arch   fbnet.Arch
	stem   convParams
	blocks [fbnet.NumLayers]fbBlockParams
	head   convParams
	fcW    []float32 // NumClasses×HeadChannels
	fcB    []float32
}

// newFBParams draws all parameters of arch's network from seed, in layer
// order. It panics on an invalid choice.
func newFBParams(arch fbnet.Arch, seed uint64) *fbParams {
	g := newParamGen(seed)
	p := &fbParams{arch: arch}
	p.stem = g.conv(fbnet.InputChannels, fbnet.StemChannels, 3, true)
	for i, l := range fbnet.Skeleton() {
		c := arch[i]
		if c >= fbnet.NumChoices {
			panic(fmt.Sprintf("engine: NewFBNet: layer %d has invalid choice %d", i, c))
		}
		b := &p.blocks[i]
		b.choice, b.shape = c, l
		switch {
		case l.Projects(c):
			pp := g.conv(l.In, l.Out, 1, true)
			b.proj = &pp
		case c == fbnet.Skip:
		default:
			grp, mid := c.Groups(), l.In*c.Expansion()
			b.expand = g.conv(l.In/grp, mid, 1, true)
			b.dw = g.conv(1, mid, c.Kernel(), true)
			b.project = g.conv(mid/grp, l.Out, 1, true)
		}
	}
	p.head = g.conv(fbnet.FinalChannels, fbnet.HeadChannels, 1, true)
	lim := 1 / math.Sqrt(fbnet.HeadChannels)
	p.fcW = g.uniform(fbnet.NumClasses*fbnet.HeadChannels, -lim, lim)
	p.fcB = g.uniform(fbnet.NumClasses, -lim, lim)
	return p
}
