package session_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/weights"
)

// fbnetProfile is a profile of a device whose latency is 0.5 ms plus 1 ms
// per 10 MFLOPs, in the FBNet space.
func fbnetProfile(s *session.Session) *measure.Profile {
	sp := s.Space()
	ms := func(a space.Arch) float64 { return 0.5 + float64(sp.FLOPs(a))/1e7 }
	at := s.Atlas()
	p := &measure.Profile{Format: measure.Format, Version: measure.Version, Space: sp.Name(), Protocol: measure.Protocol{Seed: 1}}
	for _, str := range at.Reference {
		a, _ := sp.Parse(str)
		p.Reference = append(p.Reference, measure.Timing{Arch: str, MS: ms(a)})
	}
	fa, _ := sp.Parse(at.Anchors.Fastest)
	sa, _ := sp.Parse(at.Anchors.Slowest)
	p.Anchors = measure.Anchors{Fastest: measure.Timing{Arch: fa.String(), MS: ms(fa)}, Slowest: measure.Timing{Arch: sa.String(), MS: ms(sa)}}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 10 {
		a := sp.Random(rng)
		p.Support = append(p.Support, measure.Timing{Arch: a.String(), MS: ms(a)})
	}
	return p
}

// A space that is not enumerable predicts its Config.Pool in bulk, and
// without one says it cannot.
func TestPredictAllPool(t *testing.T) {
	m, err := weights.Model("fbnet")
	if err != nil {
		t.Fatal(err)
	}
	at, err := weights.Atlas("fbnet")
	if err != nil {
		t.Fatal(err)
	}
	cfg := session.Config{Space: fbnet.Space{}, Model: m, Atlas: at,
		Build: func(space.Arch) measure.Item { return measure.ItemFunc(func() {}) }}
	s, err := session.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Adopt(context.Background(), fbnetProfile(s))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.PredictAll(nil, session.MethodAuto); !errors.Is(err, session.ErrNotEnumerable) {
		t.Errorf("PredictAll without a pool: %v, want ErrNotEnumerable", err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 50 {
		cfg.Pool = append(cfg.Pool, cfg.Space.Random(rng))
	}
	if s, err = session.New(cfg); err != nil {
		t.Fatal(err)
	}
	if s.Size() != 50 {
		t.Errorf("Size %d, want 50", s.Size())
	}
	if d, err = s.Adopt(context.Background(), fbnetProfile(s)); err != nil {
		t.Fatal(err)
	}
	for _, method := range session.Methods() {
		all, err := d.PredictAll(nil, method)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		one, err := d.Predict(method, cfg.Pool[7:8])
		if err != nil {
			t.Fatal(err)
		}
		// Bulk HELP uses z at its mean, Predict samples it: only close.
		if tol := 0.2 * one[0].MS; method != session.MethodHELP && method != session.MethodAuto && abs(all[7]-one[0].MS) > 1e-9*one[0].MS ||
			abs(all[7]-one[0].MS) > tol {
			t.Errorf("%s: bulk %v, single %v", method, all[7], one[0].MS)
		}
	}
	if i, ok := s.Index(cfg.Pool[7]); !ok || cfg.Pool[i] != cfg.Pool[7] || s.Arch(i) != cfg.Pool[7] {
		t.Errorf("Index(pool[7]) = %d, %v", i, ok)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
