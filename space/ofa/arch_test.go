package ofa

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

const example = "r=204;d=2,2,2,2,3;ks=7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,3;e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,6"

func TestParseExample(t *testing.T) {
	a, err := Parse(example)
	if err != nil {
		t.Fatal(err)
	}
	if a.R != 204 || a.D != [5]int{2, 2, 2, 2, 3} || a.KS[0] != 7 || a.E[19] != 6 {
		t.Fatalf("Parse = %+v", a)
	}
	if a.String() != example {
		t.Fatalf("String = %q", a.String())
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	good := strings.Split(example, ";")
	with := func(i int, v string) string {
		f := slices.Clone(good)
		f[i] = v
		return strings.Join(f, ";")
	}
	for _, tc := range []struct{ s, want string }{
		{"", "want 4 fields"},
		{with(0, "r=130"), "r: resolution 130"},
		{with(0, "r=232"), "r: resolution 232"},
		{with(0, "r=124"), "r: resolution 124"},
		{with(0, "r=0204"), "r: \"0204\""},
		{with(0, "r=-4"), "r: \"-4\""},
		{with(0, "x=204"), "field 1: want r="},
		{with(1, "d=2,2,2,2"), "d: want 5 values, got 4"},
		{with(1, "d=2,2,5,2,2"), "d: value 3: depth 5"},
		{with(1, "d=1,2,2,2,2"), "d: value 1: depth 1"},
		{with(2, "ks=7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,4"), "ks: value 20: kernel size 4"},
		{with(2, "ks=7,5"), "ks: want 20 values, got 2"},
		{with(3, "e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,5"), "e: value 20: expansion ratio 5"},
		{with(3, "e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,"), "e: value 20: \"\""},
		{with(3, "ks=7"), "field 4: want e="},
		{example + ";", "want 4 fields"},
		{strings.Repeat("r", 300), "longer than any"},
	} {
		_, err := Parse(tc.s)
		if err == nil || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.40q...) = %v, want an ErrSyntax naming %q", tc.s, err, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	a := MustParse(example)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	b := a
	b.E[7] = 5
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), "e: value 8") {
		t.Errorf("Validate = %v", err)
	}
	b = a
	b.R = 226
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), "r:") {
		t.Errorf("Validate = %v", err)
	}
}

func TestRandomRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seenR := map[int]bool{}
	for range 2000 {
		a := Random(r)
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("Parse(%q) = %v, %v", a, b, err)
		}
		seenR[a.R] = true
	}
	if len(seenR) != NumResolutions {
		t.Errorf("%d resolutions drawn, want %d", len(seenR), NumResolutions)
	}
}

func TestCanonical(t *testing.T) {
	a := MustParse(example)
	c := a.Canonical()
	// Stage 0 has depth 2: slots 2 and 3 inactive.
	if c.KS[2] != 3 || c.E[3] != 3 || c.KS[1] != a.KS[1] || c.KS[18] != a.KS[18] || c.KS[19] != 3 {
		t.Fatalf("Canonical = %v", c)
	}
	if !slices.Equal(Encode(nil, a), Encode(nil, c)) || FLOPs(a) != FLOPs(c) {
		t.Error("Canonical changed the network")
	}
}

// TestEncodeByHand follows utils.arch_encoding_ofa on the example.
func TestEncodeByHand(t *testing.T) {
	a := MustParse(example)
	v := Encode(nil, a)
	if len(v) != 145 {
		t.Fatalf("len %d", len(v))
	}
	want := make([]float64, 145)
	ksMap := map[int]int{3: 0, 5: 1, 7: 2}
	exMap := map[int]int{3: 0, 4: 1, 6: 2}
	ks, ex := slices.Clone(a.KS[:]), slices.Clone(a.E[:])
	start, end := 0, 4
	for _, d := range a.D {
		for j := start + d; j < end; j++ {
			ks[j], ex[j] = 0, 0
		}
		start, end = start+4, end+4
	}
	for i := range 20 {
		if ks[i] != 0 {
			want[i*3+ksMap[ks[i]]] = 1
		}
		if ex[i] != 0 {
			want[60+i*3+exMap[ex[i]]] = 1
		}
	}
	want[120+(a.R-128)/4] = 1
	if !slices.Equal(v, want) {
		t.Fatalf("Encode =\n%v\nwant\n%v", v, want)
	}
	var ones float64
	for _, x := range v {
		ones += x
	}
	if ones != 2*11+1 { // 11 active blocks
		t.Errorf("%v ones", ones)
	}
	dst := make([]float64, 200)
	if got := Encode(dst, a); &got[0] != &dst[0] || len(got) != 145 {
		t.Error("Encode did not reuse dst")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(example)
	f.Add("r=128;d=2,2,2,2,2;ks=3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3;e=3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3")
	f.Add("r=224;d=4,4,4,4,4;ks=7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7;e=6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6")
	f.Add("r=204;d=2,2,2,2,3;ks=7;e=6")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		if len(Encode(nil, a)) != EncodedLen || FLOPs(a) <= 0 || Params(a) <= 0 {
			t.Fatal("bad encoding or cost")
		}
	})
}
