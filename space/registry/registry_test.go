package registry

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
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
		// Fresh weights of the space fit it; the protocol's reference
		// architectures are as many as their embedding has values.
		m := predictor.New(e.Config(), 1)
		if got, err := e.Encoder(m); err != nil || got.Len() != enc.Len() {
			t.Errorf("%s: Encoder(fresh weights) = %v, %v", name, got, err)
		}
		if proto, err := latency.Standard(name); err != nil || proto.References != e.Config().EmbedDim {
			t.Errorf("%s: protocol %d reference architectures (%v), predictor embedding %d", name, proto.References, err, e.Config().EmbedDim)
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

// TestEncoderRefusesMisfits: weights whose node features, node count (at
// the same input length), embedding or encoding differ from the space are
// refused before any architecture reaches them (eval -orders and bench
// -weights used to panic: "encoding length 153, want 126").
func TestEncoderRefusesMisfits(t *testing.T) {
	e, err := Lookup("nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		edit func(*predictor.Model)
		want string
	}{
		{func(m *predictor.Model) { m.Config.NodeFeatures = 5 }, "5 node features"},
		{func(m *predictor.Model) { m.Config.NumNodes, m.Config.NodeFeatures = 3, 48 }, "3 nodes"},
		{func(m *predictor.Model) { m.Config.EmbedDim = 11 }, "embedding has 11"},
		{func(m *predictor.Model) { m.Config.Space = "fbnet" }, `space "fbnet"`},
		{func(m *predictor.Model) { m.Meta.Encoding = "not,an,order" }, "encoding"},
	} {
		m := predictor.New(e.Config(), 1)
		tt.edit(m)
		if _, err := e.Encoder(m); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want one containing %q", err, tt.want)
		}
	}
}
