package fbnet

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/space"
)

func TestSpace(t *testing.T) {
	sp := Space{}
	enc, err := sp.Encoder("")
	if err != nil || enc.Len() != 132 || enc.Meta() != "" {
		t.Fatalf("Encoder(\"\") = %v (len %d), %v", enc, enc.Len(), err)
	}
	if _, err := sp.Encoder("input,output"); err == nil {
		t.Error("Encoder accepted an unknown encoding")
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		a := sp.Random(r)
		b, err := sp.Parse(" " + a.String() + "\n")
		if err != nil || b != a {
			t.Fatalf("Parse(%q) = %v, %v", a, b, err)
		}
		c := a.(Arch)
		if !slices.Equal(enc.Encode(nil, a), Encode(nil, c)) {
			t.Fatalf("%v: encodings differ", a)
		}
		if sp.FLOPs(a) != FLOPs(c) || sp.Params(a) != Params(c) || !slices.Equal(sp.Features(nil, a), Features(nil, c)) {
			t.Fatalf("%v: costs or features differ from the package's", a)
		}
	}
	if got, want := len(sp.FeatureScale()), len(sp.FeatureNames()); got != want {
		t.Errorf("%d scales, %d names", got, want)
	}
	if _, err := sp.Parse("k3_e1"); !errors.Is(err, space.ErrArch) {
		t.Errorf("Parse(junk) error %v, want one wrapping space.ErrArch", err)
	}
}
