package fbnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Choice is one layer's block choice; its value is HELP's op index.
type Choice uint8

// The nine choices in HELP's index order.
const (
	K3E1 Choice = iota
	K3E1G2
	K3E3
	K3E6
	K5E1
	K5E1G2
	K5E3
	K5E6
	Skip
	NumChoices
)

// NumLayers is the number of searchable layers.
const NumLayers = 22

var choiceNames = [NumChoices]string{"k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip"}

// String returns the choice's name as it appears in architecture strings.
func (c Choice) String() string {
	if c < NumChoices {
		return choiceNames[c]
	}
	return fmt.Sprintf("Choice(%d)", uint8(c))
}

// Kernel returns the depthwise kernel size (3 or 5), or 0 for Skip.
func (c Choice) Kernel() int {
	switch {
	case c < K5E1:
		return 3
	case c < Skip:
		return 5
	}
	return 0
}

// Expansion returns the expansion ratio (1, 3 or 6), or 0 for Skip.
func (c Choice) Expansion() int {
	if c >= Skip {
		return 0
	}
	return [4]int{1, 1, 3, 6}[c%4]
}

// Groups returns the group count of the block's 1x1 convolutions (2 for
// the _g2 choices, else 1), or 0 for Skip.
func (c Choice) Groups() int {
	switch {
	case c >= Skip:
		return 0
	case c%4 == 1:
		return 2
	}
	return 1
}

// ParseChoice returns the choice named s.
func ParseChoice(s string) (Choice, error) {
	for i, n := range choiceNames {
		if s == n {
			return Choice(i), nil
		}
	}
	return 0, fmt.Errorf("unknown layer choice %q (want one of %s)", s, strings.Join(choiceNames[:], ", "))
}

// Arch is one FBNet architecture: the choice of each layer.
type Arch [NumLayers]Choice

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("malformed FBNet architecture")

// Parse reads an architecture string (22 choice names joined by '-'). The
// error names the layer at fault.
func Parse(s string) (Arch, error) {
	var a Arch
	if len(s) > NumLayers*9 {
		return a, fmt.Errorf("%w: %d bytes is longer than any valid string", ErrSyntax, len(s))
	}
	names := strings.Split(s, "-")
	if len(names) != NumLayers {
		return a, fmt.Errorf("%w %q: want %d layers joined by '-', got %d", ErrSyntax, s, NumLayers, len(names))
	}
	for i, n := range names {
		c, err := ParseChoice(n)
		if err != nil {
			return a, fmt.Errorf("%w %q: layer %d: %v", ErrSyntax, s, i+1, err)
		}
		a[i] = c
	}
	return a, nil
}

// MustParse is Parse for strings known to be valid; it panics on error.
func MustParse(s string) Arch {
	a, err := Parse(s)
	if err != nil {
		panic("fbnet: " + err.Error())
	}
	return a
}

// String formats a as Parse reads it.
func (a Arch) String() string {
	var b strings.Builder
	for i, c := range a {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// Encoding sizes.
const (
	FeaturesPerLayer = 6
	EncodedLen       = NumLayers * FeaturesPerLayer
)

// Encode writes HELP's arch_enc of a (see the package comment) into
// dst[:EncodedLen], allocating only if dst is too short, and returns it.
// It panics if a holds a choice >= NumChoices.
func Encode(dst []float64, a Arch) []float64 {
	if cap(dst) < EncodedLen {
		dst = make([]float64, EncodedLen)
	}
	dst = dst[:EncodedLen]
	clear(dst)
	for i, c := range a {
		if c > Skip {
			panic(fmt.Sprintf("fbnet: Encode: layer %d has invalid choice %d", i, c))
		}
		if c == Skip {
			continue
		}
		v := dst[i*FeaturesPerLayer : (i+1)*FeaturesPerLayer]
		if c < K5E1 {
			v[0] = 1
		} else {
			v[1] = 1
		}
		v[2+c%4] = 1
	}
	return dst
}

// Random returns an architecture with each layer's choice drawn uniformly
// and independently from r.
func Random(r *rand.Rand) Arch {
	var a Arch
	for i := range a {
		a[i] = Choice(r.IntN(int(NumChoices)))
	}
	return a
}
