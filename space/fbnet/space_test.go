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

func TestChain(t *testing.T) {
	sp := Space{}
	if n := len(sp.Slots()); n != NumLayers {
		t.Fatalf("%d slots", n)
	}
	ls := Skeleton()
	i := 0
	for s, st := range sp.Stages(sp.Example()) {
		l := ls[i]
		if st.In != l.In || st.Out != l.Out || st.Stride != l.Stride || st.Size != l.Size {
			t.Errorf("stage %d %+v, first layer %+v", s, st, l)
		}
		for j := range st.Layers {
			if ls[i+j].Out != st.Out {
				t.Errorf("layer %d of stage %d puts out %d, stage %d", i+j, s, ls[i+j].Out, st.Out)
			}
		}
		i += st.Layers
	}
	if i != NumLayers {
		t.Errorf("stages cover %d layers", i)
	}
	a := sp.Example()
	for c := range NumChoices {
		b := sp.Block(int(c))
		if b.Skip() != (c == Skip) || b.Kernel != c.Kernel() || b.Expansion != c.Expansion() || b.Groups != c.Groups() {
			t.Errorf("Block(%v) = %+v", c, b)
		}
		w := sp.WithChoice(a, 5, int(c))
		if sp.Layer(w, 5) != b {
			t.Errorf("Layer(5) of %v = %+v, want %+v", w, sp.Layer(w, 5), b)
		}
		if sp.Choice(w, 5) != int(c) || sp.Choice(w, 4) != sp.Choice(a, 4) {
			t.Errorf("WithChoice(5, %v) = %v", c, w)
		}
		if sp.Choices()[c].Name != c.String() {
			t.Errorf("choice %d named %q", c, sp.Choices()[c].Name)
		}
	}
}
