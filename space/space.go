// Package space says what the rest of helpwasm needs of a search space, so
// that measurement, support design, the device session, the worker, the UI
// and the CLI take a Space value and never import a concrete space.
//
// A concrete space (space/nasbench201, space/fbnet) implements Space in its
// own package; package space/registry maps a space's name to that value,
// its predictor configuration and its engine.
//
// # Architectures
//
// An Arch is a value of the concrete space's own architecture type, passed
// around opaquely. Its String form is canonical: Parse(a.String()) == a,
// and two architectures are equal exactly when their strings are. Arch
// values are comparable, so they can be map keys.
//
// # Units
//
// FLOPs counts multiply-accumulates of one batch-1 forward pass, as HELP's
// tables and the engines count them. Features are the space's structural
// features for the op-cost latency model (package opcost), in the units
// FeatureNames says; FeatureScale gives a positive normaliser per feature
// (its largest absolute value over the space, or a bound on it).
package space

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Arch is one architecture of a space (a concrete space's value).
type Arch interface {
	String() string
}

// Space is a search space.
type Space interface {
	// Name is the space's name in data directories, weights and profiles
	// ("nasbench201", "fbnet").
	Name() string
	// Parse reads an architecture string; the error names the part at
	// fault and wraps ErrArch.
	Parse(s string) (Arch, error)
	// Random draws an architecture uniformly from the space.
	Random(r *rand.Rand) Arch
	// Encoder returns the predictor's input encoding recorded in weights
	// as meta; "" is the space's default encoding.
	Encoder(meta string) (Encoder, error)
	// FLOPs is a's multiply-accumulate count, Params its parameter count.
	FLOPs(a Arch) int64
	Params(a Arch) int64
	// Features writes a's structural features into dst[:len(FeatureNames())]
	// (allocating only if dst is too short) and returns it.
	Features(dst []float64, a Arch) []float64
	FeatureNames() []string
	FeatureScale() []float64
}

// Encoder is a predictor's input encoding of a space's architectures.
type Encoder interface {
	// Meta is the encoding's description stored in weights files
	// (Space.Encoder reads it back).
	Meta() string
	// Len is the length of one encoding.
	Len() int
	// Encode writes a's encoding into dst[:Len()] (allocating only if dst
	// is too short) and returns it.
	Encode(dst []float64, a Arch) []float64
}

// Enumerable is a space small enough to list: NAS-Bench-201's 15,625.
type Enumerable interface {
	Space
	// NumArchs is the number of architectures; ArchAt(i) for i in
	// [0, NumArchs) lists each once, in the space's index order.
	NumArchs() int
	ArchAt(i int) Arch
}

// ErrArch is wrapped by every error a Space's Parse returns.
var ErrArch = errors.New("not an architecture of the space")

// ParseAll parses ss, naming the index of the first string at fault.
func ParseAll(sp Space, ss []string) ([]Arch, error) {
	out := make([]Arch, len(ss))
	for i, s := range ss {
		a, err := sp.Parse(s)
		if err != nil {
			return nil, &IndexError{Index: i, Err: err}
		}
		out[i] = a
	}
	return out, nil
}

// IndexError is an error about the architecture at Index of a list.
type IndexError struct {
	Index int
	Err   error
}

func (e *IndexError) Error() string { return fmt.Sprintf("architecture %d: %v", e.Index, e.Err) }
func (e *IndexError) Unwrap() error { return e.Err }

// Slotted is a space whose architectures are a fixed list of slots, each
// holding one of the same few choices (NAS-Bench-201's six edges, each one
// of five operations): what an architecture editor needs to know.
type Slotted interface {
	Space
	// Slots lists the slots in the order Choice and WithChoice index them.
	Slots() []Slot
	// Choices lists what every slot may hold.
	Choices() []Choice
	// Choice is the index in Choices of what slot holds in a.
	Choice(a Arch, slot int) int
	// WithChoice returns a with slot set to Choices()[choice].
	WithChoice(a Arch, slot, choice int) Arch
	// Example is an architecture to start an editor with.
	Example() Arch
}

// Slot is one slot of a Slotted space. A cell space draws its slots as
// edges of a graph from node From to node To (0-based); From = To = -1
// where the space is not a graph. Choices, if not nil, are what this slot
// holds instead of the space's Choices (OFA's resolution and depth slots
// beside its block slots); Choice and WithChoice then index them.
type Slot struct {
	Name     string
	From, To int
	Choices  []Choice
}

// SlotChoices returns what slot i of sp may hold: the slot's own Choices,
// or the space's.
func SlotChoices(sp Slotted, i int) []Choice {
	if c := sp.Slots()[i].Choices; c != nil {
		return c
	}
	return sp.Choices()
}

// Conditional is a Slotted space in which an architecture may leave some
// slots unused (an OFA block beyond its stage's depth): an editor shows
// them disabled.
type Conditional interface {
	Slotted
	// SlotUsed reports whether slot is part of a's network.
	SlotUsed(a Arch, slot int) bool
}

// Choice is one option of a slot: Name as in architecture strings, Short
// for a label on a drawing.
type Choice struct {
	Name, Short string
}

// Chain is a Slotted space whose architectures are one chain of layers,
// grouped in stages (FBNet's 22 searchable layers in 7 stages, OFA's room
// for 4 blocks in each of 5), each layer a block of a few kinds: what an
// editor needs to draw it as a strip of blocks. Slot From and To are -1
// in such a space.
type Chain interface {
	Slotted
	// Stages lists a's stages in order (their sizes may depend on a, as
	// OFA's on its resolution); their Layers counts add up to the
	// chain's layers.
	Stages(a Arch) []Stage
	// Layer describes what layer i (counted over all stages) computes in
	// a: the zero Block where a skips it.
	Layer(a Arch, i int) Block
}

// Stage is a run of consecutive layers of a Chain: In channels enter its
// first layer at resolution Size x Size, which has stride Stride; every
// layer puts out Out channels. Note, optional, says what else its layers
// do ("SE, h-swish").
type Stage struct {
	Layers       int
	In, Out      int
	Stride, Size int
	Note         string
}

// Block is what one layer choice computes: an inverted-residual block
// with a Kernel x Kernel depthwise convolution, its 1x1 convolutions
// widening by Expansion in Groups groups. The zero Block is a skip (the
// identity, or a 1x1 projection where the layer changes shape).
type Block struct {
	Kernel, Expansion, Groups int
}

// Skip reports whether b is the zero Block.
func (b Block) Skip() bool { return b == Block{} }
