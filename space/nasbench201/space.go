package nasbench201

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/helpwasm/helpwasm/space"
)

// Space is NAS-Bench-201 as a space.Space (and a space.Enumerable). Its
// Arch values are this package's Arch.
type Space struct{}

var _ space.Enumerable = Space{}

// Name is "nasbench201".
func (Space) Name() string { return "nasbench201" }

// Parse reads a cell string, ignoring surrounding white space.
func (Space) Parse(s string) (space.Arch, error) {
	a, err := Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", space.ErrArch, err)
	}
	return a, nil
}

// Random draws a cell uniformly.
func (Space) Random(r *rand.Rand) space.Arch { return FromIndex(r.IntN(NumArchs)) }

// NumArchs is 15,625.
func (Space) NumArchs() int { return NumArchs }

// ArchAt is FromIndex.
func (Space) ArchAt(i int) space.Arch { return FromIndex(i) }

// FLOPs is the package's FLOPs.
func (Space) FLOPs(a space.Arch) int64 { return FLOPs(arch(a)) }

// Params is the package's Params.
func (Space) Params(a space.Arch) int64 { return Params(arch(a)) }

// Features is the package's Features.
func (Space) Features(dst []float64, a space.Arch) []float64 { return Features(dst, arch(a)) }

// FeatureNames is the package's FeatureNames.
func (Space) FeatureNames() []string { return FeatureNames() }

// FeatureScale is the package's FeatureScale.
func (Space) FeatureScale() []float64 { return FeatureScale() }

// Encoder returns the GCN encoding under the node type order meta (a
// TypeOrder string); "" is DefaultTypeOrder, which the authors'
// checkpoint uses.
func (Space) Encoder(meta string) (space.Encoder, error) {
	if meta == "" {
		return Encoder{Order: DefaultTypeOrder}, nil
	}
	o, err := ParseTypeOrder(meta)
	if err != nil {
		return nil, err
	}
	return Encoder{Order: o}, nil
}

// Encoder is the GCN encoding under a node type order (see Encode).
type Encoder struct{ Order TypeOrder }

// Meta is the type order's string.
func (e Encoder) Meta() string { return e.Order.String() }

// Len is EncodedLen.
func (Encoder) Len() int { return EncodedLen }

// Encode is the package's Encode under e.Order.
func (e Encoder) Encode(dst []float64, a space.Arch) []float64 { return Encode(dst, arch(a), e.Order) }

// arch is a as this package's Arch; anything else is a programmer error.
func arch(a space.Arch) Arch {
	c, ok := a.(Arch)
	if !ok {
		panic(fmt.Sprintf("nasbench201: %T is not a NAS-Bench-201 architecture", a))
	}
	return c
}

var _ space.Slotted = Space{}

// Slots are the cell's six edges, in string order.
func (Space) Slots() []space.Slot {
	out := make([]space.Slot, NumEdges)
	for i, e := range Edges {
		out[i] = space.Slot{Name: fmt.Sprintf("node %d to %d", e.From, e.To), From: e.From, To: e.To}
	}
	return out
}

// shortNames label the operations on a drawing of the cell.
var shortNames = [NumOps]string{"none", "skip", "conv 1x1", "conv 3x3", "pool"}

// Choices are the five operations, in Op order.
func (Space) Choices() []space.Choice {
	out := make([]space.Choice, NumOps)
	for op := range Op(NumOps) {
		out[op] = space.Choice{Name: op.String(), Short: shortNames[op]}
	}
	return out
}

// Choice is the operation on edge slot.
func (Space) Choice(a space.Arch, slot int) int { return int(arch(a)[slot]) }

// WithChoice returns a with edge slot set to operation choice.
func (Space) WithChoice(a space.Arch, slot, choice int) space.Arch {
	c := arch(a)
	c[slot] = Op(choice)
	return c
}

// Example is a cell of every operation but none.
func (Space) Example() space.Arch {
	return MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
}
