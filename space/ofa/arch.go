package ofa

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Sizes of the space.
const (
	NumStages      = 5  // searchable stages
	BlocksPerStage = 4  // room for blocks in each stage
	NumBlocks      = 20 // NumStages * BlocksPerStage entries in ks and e
	MinDepth       = 2
	MaxDepth       = 4
	MinResolution  = 128
	MaxResolution  = 224
	ResolutionStep = 4
	NumResolutions = (MaxResolution-MinResolution)/ResolutionStep + 1 // 25
)

// Kernels and Expansions list the choices of one block in HELP's one-hot
// order (utils.arch_encoding_ofa's ks_map and ex_map).
var (
	Kernels    = [3]int{3, 5, 7}
	Expansions = [3]int{3, 4, 6}
	Depths     = [3]int{2, 3, 4}
)

// Arch is one OFA MobileNetV3 subnetwork: the input resolution R, the
// depth of each stage and, for each of the 20 block slots, a kernel size
// and an expansion ratio. Stage s uses slots 4s..4s+D[s]-1; the others
// are inactive but kept, so that a string of HELP's table formats back
// unchanged (see Active for the network alone).
type Arch struct {
	R  int
	D  [NumStages]int
	KS [NumBlocks]int
	E  [NumBlocks]int
}

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("malformed OFA architecture")

// maxLen bounds a valid string (about 100 bytes) with room to spare.
const maxLen = 256

// Parse reads an architecture string
//
//	r=<resolution>;d=<5 depths>;ks=<20 kernel sizes>;e=<20 expansions>
//
// (lists comma-separated, fields in this order, no spaces). The error
// names the field, and the position in a list, at fault.
func Parse(s string) (Arch, error) {
	var a Arch
	if len(s) > maxLen {
		return a, fmt.Errorf("%w: %d bytes is longer than any valid string", ErrSyntax, len(s))
	}
	fields := strings.Split(s, ";")
	if len(fields) != 4 {
		return a, fmt.Errorf("%w %q: want 4 fields r=..;d=..;ks=..;e=.., got %d", ErrSyntax, s, len(fields))
	}
	for i, name := range [4]string{"r", "d", "ks", "e"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return a, fmt.Errorf("%w %q: field %d: want %s=...", ErrSyntax, s, i+1, name)
		}
		var err error
		switch name {
		case "r":
			a.R, err = parseInt(v)
			if err == nil {
				err = checkResolution(a.R)
			}
		case "d":
			err = parseList(a.D[:], v, Depths, "depth")
		case "ks":
			err = parseList(a.KS[:], v, Kernels, "kernel size")
		case "e":
			err = parseList(a.E[:], v, Expansions, "expansion ratio")
		}
		if err != nil {
			return a, fmt.Errorf("%w %q: %s: %v", ErrSyntax, s, name, err)
		}
	}
	return a, nil
}

// parseInt reads a small decimal integer: digits only, no sign, no
// leading zeros (so the string is canonical).
func parseInt(s string) (int, error) {
	if s == "" || len(s) > 4 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%q is not a small decimal number", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a small decimal number", s)
		}
	}
	return strconv.Atoi(s)
}

func checkResolution(r int) error {
	if r < MinResolution || r > MaxResolution || (r-MinResolution)%ResolutionStep != 0 {
		return fmt.Errorf("resolution %d: want %d..%d in steps of %d", r, MinResolution, MaxResolution, ResolutionStep)
	}
	return nil
}

// parseList reads len(dst) comma-separated values, each one of allowed.
func parseList(dst []int, s string, allowed [3]int, what string) error {
	items := strings.Split(s, ",")
	if len(items) != len(dst) {
		return fmt.Errorf("want %d values, got %d", len(dst), len(items))
	}
	for i, it := range items {
		v, err := parseInt(it)
		if err == nil && v != allowed[0] && v != allowed[1] && v != allowed[2] {
			err = fmt.Errorf("%s %d: want %d, %d or %d", what, v, allowed[0], allowed[1], allowed[2])
		}
		if err != nil {
			return fmt.Errorf("value %d: %v", i+1, err)
		}
		dst[i] = v
	}
	return nil
}

// Validate reports whether a holds only allowed values (Parse's checks,
// for an Arch built in code); the error names the field.
func (a Arch) Validate() error {
	if err := checkResolution(a.R); err != nil {
		return fmt.Errorf("ofa: r: %v", err)
	}
	for _, f := range [3]struct {
		v       []int
		allowed [3]int
		name    string
	}{{a.D[:], Depths, "d"}, {a.KS[:], Kernels, "ks"}, {a.E[:], Expansions, "e"}} {
		for i, v := range f.v {
			if v != f.allowed[0] && v != f.allowed[1] && v != f.allowed[2] {
				return fmt.Errorf("ofa: %s: value %d is %d, want %d, %d or %d", f.name, i+1, v, f.allowed[0], f.allowed[1], f.allowed[2])
			}
		}
	}
	return nil
}

// MustParse is Parse for strings known to be valid; it panics on error.
func MustParse(s string) Arch {
	a, err := Parse(s)
	if err != nil {
		panic("ofa: " + err.Error())
	}
	return a
}

// String formats a as Parse reads it.
func (a Arch) String() string {
	b := make([]byte, 0, 112)
	b = append(b, "r="...)
	b = strconv.AppendInt(b, int64(a.R), 10)
	b = appendList(append(b, ";d="...), a.D[:])
	b = appendList(append(b, ";ks="...), a.KS[:])
	b = appendList(append(b, ";e="...), a.E[:])
	return string(b)
}

func appendList(b []byte, v []int) []byte {
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return b
}

// Active reports whether block slot i (0..19) is part of a's network.
func (a Arch) Active(i int) bool { return i%BlocksPerStage < a.D[i/BlocksPerStage] }

// Canonical returns a with every inactive slot set to kernel 3 and
// expansion 3: two architectures build the same network exactly when
// their Canonical forms are equal.
func (a Arch) Canonical() Arch {
	for i := range a.KS {
		if !a.Active(i) {
			a.KS[i], a.E[i] = Kernels[0], Expansions[0]
		}
	}
	return a
}

// Random draws an architecture as OFA's sample_active_subnet does (every
// slot's kernel and expansion, and every stage's depth, uniformly and
// independently, inactive slots included) with a resolution uniform over
// the 25 of the space.
func Random(r *rand.Rand) Arch {
	var a Arch
	a.R = MinResolution + ResolutionStep*r.IntN(NumResolutions)
	for i := range a.D {
		a.D[i] = Depths[r.IntN(3)]
	}
	for i := range a.KS {
		a.KS[i] = Kernels[r.IntN(3)]
		a.E[i] = Expansions[r.IntN(3)]
	}
	return a
}

// EncodedLen is the length of HELP's encoding: one-hot kernel (3 per
// slot, 60), one-hot expansion (60), one-hot resolution (25).
const EncodedLen = 3*NumBlocks + 3*NumBlocks + NumResolutions // 145

// Encode writes HELP's arch_encoding_ofa of a (see the package comment)
// into dst[:EncodedLen], allocating only if dst is too short, and returns
// it. It panics if a does not Validate.
func Encode(dst []float64, a Arch) []float64 {
	if err := a.Validate(); err != nil {
		panic("ofa: Encode: " + err.Error())
	}
	if cap(dst) < EncodedLen {
		dst = make([]float64, EncodedLen)
	}
	dst = dst[:EncodedLen]
	clear(dst)
	for i := range a.KS {
		if !a.Active(i) {
			continue
		}
		dst[3*i+choiceIndex(Kernels, a.KS[i])] = 1
		dst[3*NumBlocks+3*i+choiceIndex(Expansions, a.E[i])] = 1
	}
	dst[6*NumBlocks+(a.R-MinResolution)/ResolutionStep] = 1
	return dst
}

func choiceIndex(c [3]int, v int) int {
	for i, x := range c {
		if x == v {
			return i
		}
	}
	panic(fmt.Sprintf("ofa: %d is not one of %v", v, c))
}
