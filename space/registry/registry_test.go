package registry

import (
	"math/rand/v2"
	"testing"
)

// Every registered space round-trips random architectures through its
// strings, its engine counts the space's FLOPs, and its encoder fits its
// predictor configuration.
func TestEntries(t *testing.T) {
	for _, name := range Names() {
		e, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		sp := e.Space
		enc, err := sp.Encoder("")
		if err != nil {
			t.Fatalf("%s: default encoder: %v", name, err)
		}
		if cfg := e.Config(); cfg.Space != name || cfg.InputLen() != enc.Len() {
			t.Errorf("%s: config space %q input %d, encoder length %d", name, cfg.Space, cfg.InputLen(), enc.Len())
		}
		r := rand.New(rand.NewPCG(1, 2))
		for range 5 {
			a := sp.Random(r)
			b, err := sp.Parse(a.String())
			if err != nil || b != a {
				t.Fatalf("%s: Parse(%q) = %v, %v", name, a, b, err)
			}
			if got, want := e.Build(a, 1).MACs(), sp.FLOPs(a); got > want || got < want*9/10 {
				t.Errorf("%s %v: engine counts %d MACs, the space %d FLOPs", name, a, got, want)
			}
			if f := sp.Features(nil, a); len(f) != len(sp.FeatureNames()) || len(f) != len(sp.FeatureScale()) {
				t.Errorf("%s: %d features, %d names, %d scales", name, len(f), len(sp.FeatureNames()), len(sp.FeatureScale()))
			}
		}
		if _, err := sp.Parse("not an architecture"); err == nil {
			t.Errorf("%s: Parse accepted junk", name)
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup(nope) succeeded")
	}
}
