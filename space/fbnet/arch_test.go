package fbnet

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The first two architectures of HELP's fbnet metainfo.pt: their strings
// (as in latency.csv) and op_idx_list.
var known = []struct {
	s   string
	idx [NumLayers]Choice
}{
	{"k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2",
		[NumLayers]Choice{7, 8, 1, 8, 4, 8, 8, 8, 7, 4, 1, 4, 7, 3, 2, 7, 3, 2, 4, 2, 4, 5}},
	{"k5_e1_g2-k3_e6-k5_e1_g2-k5_e1_g2-k3_e1-k5_e1-k5_e6-k5_e1_g2-k5_e1_g2-k3_e3-k3_e1-k3_e3-k5_e1-k5_e1_g2-k3_e1_g2-k3_e6-k5_e6-k3_e3-k5_e3-k3_e1-k5_e1-k3_e1",
		[NumLayers]Choice{5, 3, 5, 5, 0, 4, 7, 5, 5, 2, 0, 2, 4, 5, 1, 3, 7, 2, 6, 0, 4, 0}},
}

func TestParseKnown(t *testing.T) {
	for _, k := range known {
		a, err := Parse(k.s)
		if err != nil {
			t.Fatal(err)
		}
		if a != Arch(k.idx) {
			t.Errorf("Parse(%q) = %v, want HELP's op_idx_list %v", k.s, a, k.idx)
		}
		if a.String() != k.s {
			t.Errorf("String = %q, want %q", a.String(), k.s)
		}
	}
}

// helpArchEnc is HELP's arch_enc transcribed literally.
func helpArchEnc(arch Arch) []float64 {
	var feature []float64
	for _, i := range arch {
		onehot := make([]float64, 6)
		if i != 8 {
			if i < 4 {
				onehot[0] = 1
			} else if i < 8 {
				onehot[1] = 1
			}
			onehot[2+i%4] = 1
		}
		feature = append(feature, onehot...)
	}
	return feature
}

func TestEncode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]float64, EncodedLen)
	for range 1000 {
		var a Arch
		for i := range a {
			a[i] = Choice(rng.IntN(int(NumChoices)))
		}
		for i := range buf {
			buf[i] = 9 // garbage must be overwritten
		}
		got := Encode(buf, a)
		if len(got) != 132 || !slices.Equal(got, helpArchEnc(a)) {
			t.Fatalf("Encode(%v) = %v, want %v", a, got, helpArchEnc(a))
		}
	}
	// Per-choice rows, spelled out.
	want := map[Choice][6]float64{
		K3E1: {1, 0, 1, 0, 0, 0}, K3E1G2: {1, 0, 0, 1, 0, 0}, K3E3: {1, 0, 0, 0, 1, 0}, K3E6: {1, 0, 0, 0, 0, 1},
		K5E1: {0, 1, 1, 0, 0, 0}, K5E1G2: {0, 1, 0, 1, 0, 0}, K5E3: {0, 1, 0, 0, 1, 0}, K5E6: {0, 1, 0, 0, 0, 1},
		Skip: {},
	}
	for c, w := range want {
		var a Arch
		a[3] = c
		got := Encode(nil, a)
		if !slices.Equal(got[18:24], w[:]) {
			t.Errorf("layer encoding of %v = %v, want %v", c, got[18:24], w)
		}
	}
	a := MustParse(known[0].s)
	if n := testing.AllocsPerRun(100, func() { Encode(buf, a) }); n != 0 {
		t.Errorf("Encode allocates %v times", n)
	}
}

func TestChoiceProperties(t *testing.T) {
	for c := range NumChoices {
		name := c.String()
		k, e, g := c.Kernel(), c.Expansion(), c.Groups()
		if c == Skip {
			if k != 0 || e != 0 || g != 0 {
				t.Errorf("skip: %d %d %d", k, e, g)
			}
			continue
		}
		wantName := "k" + string(rune('0'+k)) + "_e" + string(rune('0'+e))
		if g == 2 {
			wantName += "_g2"
		}
		if name != wantName {
			t.Errorf("choice %d: %s has kernel %d, expansion %d, groups %d", c, name, k, e, g)
		}
	}
}

func TestParseErrors(t *testing.T) {
	valid := known[0].s
	for _, s := range []string{
		"",
		"skip",
		strings.Repeat("skip-", 21),
		strings.Repeat("skip-", 22) + "skip",
		strings.Replace(valid, "k5_e6", "k7_e6", 1),
		strings.Replace(valid, "-", "_", 1),
		strings.Repeat("k5_e1_g2-", 40),
	} {
		if _, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) error = %v, want ErrSyntax", s, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, k := range known {
		f.Add(k.s)
	}
	f.Add(strings.TrimSuffix(strings.Repeat("skip-", 22), "-"))
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		if len(Encode(nil, a)) != EncodedLen {
			t.Fatal("bad encoding length")
		}
	})
}
