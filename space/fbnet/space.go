package fbnet

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/helpwasm/helpwasm/space"
)

// Space is FBNet as a space.Space. Its Arch values are this package's
// Arch.
type Space struct{}

var _ space.Space = Space{}

// Name is "fbnet".
func (Space) Name() string { return "fbnet" }

// Parse reads an architecture string (22 choices joined by "-"), ignoring
// surrounding white space.
func (Space) Parse(s string) (space.Arch, error) {
	a, err := Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", space.ErrArch, err)
	}
	return a, nil
}

// Random draws each layer's choice uniformly.
func (Space) Random(r *rand.Rand) space.Arch { return Random(r) }

// FLOPs is the package's FLOPs.
func (Space) FLOPs(a space.Arch) int64 { return FLOPs(arch(a)) }

// Params is the package's Params.
func (Space) Params(a space.Arch) int64 { return Params(arch(a)) }

// Features is the package's Features.
func (Space) Features(dst []float64, a space.Arch) []float64 { return Features(dst, arch(a)) }

// FeatureNames is the package's FeatureNames.
func (Space) FeatureNames() []string { return FeatureNames() }

// FeatureScale is the package's FeatureScales.
func (Space) FeatureScale() []float64 { return FeatureScales(nil) }

// Encoder returns HELP's arch_enc (Encode, EncodedLen values). It is the
// only encoding: meta must be "".
func (Space) Encoder(meta string) (space.Encoder, error) {
	if meta != "" {
		return nil, fmt.Errorf("fbnet: unknown encoding %q (the only one is HELP's arch_enc, recorded as \"\")", meta)
	}
	return Encoder{}, nil
}

// Encoder is HELP's arch_enc as a space.Encoder.
type Encoder struct{}

// Meta is "": the space's one encoding.
func (Encoder) Meta() string { return "" }

// Len is EncodedLen.
func (Encoder) Len() int { return EncodedLen }

// Encode is the package's Encode.
func (Encoder) Encode(dst []float64, a space.Arch) []float64 { return Encode(dst, arch(a)) }

// arch is a as this package's Arch; anything else is a programmer error.
func arch(a space.Arch) Arch {
	c, ok := a.(Arch)
	if !ok {
		panic(fmt.Sprintf("fbnet: %T is not an FBNet architecture", a))
	}
	return c
}

var _ space.Chain = Space{}

// Slots are the 22 layers, "layer 1" to "layer 22" (not a graph: From and
// To are -1).
func (Space) Slots() []space.Slot {
	out := make([]space.Slot, NumLayers)
	for i := range out {
		out[i] = space.Slot{Name: fmt.Sprintf("layer %d", i+1), From: -1, To: -1}
	}
	return out
}

// shortNames label the choices on a drawing of the network.
var shortNames = [NumChoices]string{"k3 e1", "k3 e1 g2", "k3 e3", "k3 e6", "k5 e1", "k5 e1 g2", "k5 e3", "k5 e6", "skip"}

// Choices are the nine layer choices, in Choice order.
func (Space) Choices() []space.Choice {
	out := make([]space.Choice, NumChoices)
	for c := range Choice(NumChoices) {
		out[c] = space.Choice{Name: c.String(), Short: shortNames[c]}
	}
	return out
}

// Choice is layer slot's choice.
func (Space) Choice(a space.Arch, slot int) int { return int(arch(a)[slot]) }

// WithChoice returns a with layer slot set to choice.
func (Space) WithChoice(a space.Arch, slot, choice int) space.Arch {
	c := arch(a)
	c[slot] = Choice(choice)
	return c
}

// Example is a network with every kind of block and two skips.
func (Space) Example() space.Arch {
	return MustParse("k3_e1-k3_e6-k5_e1_g2-skip-k3_e3-k5_e6-k3_e1_g2-k5_e3-k3_e6-k5_e1-skip-k3_e3-k5_e6-k3_e6-k3_e1-k5_e3-k5_e6-k3_e3-k3_e6-k5_e1_g2-k5_e6-k3_e6")
}

// Stages are the 7 stages of Skeleton (the same for every architecture).
func (Space) Stages(space.Arch) []space.Stage {
	ls := Skeleton()
	out := make([]space.Stage, NumStages)
	i := 0
	for s := range NumStages {
		l := ls[i]
		out[s] = space.Stage{Layers: stageLayers[s], In: l.In, Out: l.Out, Stride: l.Stride, Size: l.Size}
		i += stageLayers[s]
	}
	return out
}

// Block is choice's kernel, expansion and groups (the zero Block for Skip).
func (Space) Block(choice int) space.Block {
	c := Choice(choice)
	return space.Block{Kernel: c.Kernel(), Expansion: c.Expansion(), Groups: c.Groups()}
}

// Layer is the block of a's layer i.
func (sp Space) Layer(a space.Arch, i int) space.Block { return sp.Block(int(arch(a)[i])) }
