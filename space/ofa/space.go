package ofa

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/helpwasm/helpwasm/space"
)

// Space is OFA MobileNetV3 as a space.Space. Its Arch values are this
// package's Arch.
type Space struct{}

var _ space.Space = Space{}

// Name is "ofa".
func (Space) Name() string { return "ofa" }

// Parse reads an architecture string (see Parse), ignoring surrounding
// white space.
func (Space) Parse(s string) (space.Arch, error) {
	a, err := Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", space.ErrArch, err)
	}
	return a, nil
}

// Random is the package's Random.
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

// Encoder returns HELP's arch_encoding_ofa (Encode, EncodedLen values).
// It is the only encoding: meta must be "".
func (Space) Encoder(meta string) (space.Encoder, error) {
	if meta != "" {
		return nil, fmt.Errorf("ofa: unknown encoding %q (the only one is HELP's arch_encoding_ofa, recorded as \"\")", meta)
	}
	return Encoder{}, nil
}

// Encoder is HELP's arch_encoding_ofa as a space.Encoder.
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
		panic(fmt.Sprintf("ofa: %T is not an OFA architecture", a))
	}
	return c
}
