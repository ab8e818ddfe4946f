package draw_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/weights"
)

// sp is the space the shipped atlas is of.
var sp = nasbench201.Space{}

func shipped(t *testing.T) *atlas.Atlas {
	t.Helper()
	at, err := weights.Atlas("nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestDraw(t *testing.T) {
	at := shipped(t)
	fixed := map[string]bool{at.Anchors.Fastest: true, at.Anchors.Slowest: true}
	for _, a := range at.Reference {
		fixed[a] = true
	}
	inPool := map[string]bool{}
	for _, a := range at.PoolArchs {
		inPool[a] = true
	}
	for _, tc := range []struct{ support, validation int }{{10, 20}, {30, 50}, {0, 7}, {5, 0}, {1, 1}} {
		s, err := draw.Draw(nasbench201.Space{}, at, tc.support, tc.validation, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Support) != tc.support || len(s.Validation) != tc.validation || len(s.ValidationPool) != tc.validation {
			t.Fatalf("%+v: got %d support, %d validation, %d pool indices", tc, len(s.Support), len(s.Validation), len(s.ValidationPool))
		}
		seen := map[space.Arch]bool{}
		for _, a := range slices.Concat(s.Support, s.Validation) {
			if seen[a] || fixed[a.String()] {
				t.Errorf("%+v: %s drawn twice or is a reference/anchor architecture", tc, a)
			}
			seen[a] = true
		}
		for _, a := range s.Support {
			if inPool[a.String()] {
				t.Errorf("%+v: support %s is in the pool", tc, a)
			}
		}
		// One per FLOPs stratum, so FLOPs never decrease along the draw.
		for i, a := range s.Validation {
			if at.PoolArchs[s.ValidationPool[i]] != a.String() {
				t.Errorf("%+v: validation[%d] = %s is not pool architecture %d", tc, i, a, s.ValidationPool[i])
			}
			if i > 0 && sp.FLOPs(a) < sp.FLOPs(s.Validation[i-1]) {
				t.Errorf("%+v: validation FLOPs decrease at %d: not one per stratum", tc, i)
			}
		}
		again, _ := draw.Draw(nasbench201.Space{}, at, tc.support, tc.validation, 3)
		if !slices.Equal(again.Support, s.Support) || !slices.Equal(again.Validation, s.Validation) {
			t.Errorf("%+v: the same seed drew different samples", tc)
		}
	}
	a, _ := draw.Draw(nasbench201.Space{}, at, 10, 20, 1)
	b, _ := draw.Draw(nasbench201.Space{}, at, 10, 20, 2)
	if slices.Equal(a.Validation, b.Validation) || slices.Equal(a.Support, b.Support) {
		t.Error("seeds 1 and 2 drew the same samples")
	}
}

// TestDrawSpansFLOPs: the stratified validation draw covers the pool's
// FLOPs range: its smallest and largest lie in the pool's first and last
// twentieth.
func TestDrawSpansFLOPs(t *testing.T) {
	at := shipped(t)
	var pool []int64
	for _, s := range at.PoolArchs {
		a, _ := nasbench201.Parse(s)
		pool = append(pool, nasbench201.FLOPs(a))
	}
	slices.Sort(pool)
	lo, hi := pool[len(pool)/20+1], pool[len(pool)-len(pool)/20-2]
	for seed := range uint64(20) {
		s, err := draw.Draw(nasbench201.Space{}, at, 0, 20, seed)
		if err != nil {
			t.Fatal(err)
		}
		first, last := sp.FLOPs(s.Validation[0]), sp.FLOPs(s.Validation[19])
		if first > lo || last < hi {
			t.Errorf("seed %d: validation FLOPs %d..%d, pool's outer twentieths end at %d and start at %d", seed, first, last, lo, hi)
		}
	}
}

func TestDrawErrors(t *testing.T) {
	at := shipped(t)
	if _, err := draw.Draw(nasbench201.Space{}, at, 0, len(at.PoolArchs)+1, 1); !errors.Is(err, draw.ErrTooMany) {
		t.Errorf("too many validation architectures: %v", err)
	}
	if _, err := draw.Draw(nasbench201.Space{}, at, nasbench201.NumArchs, 0, 1); !errors.Is(err, draw.ErrTooMany) {
		t.Errorf("too many support architectures: %v", err)
	}
	if _, err := draw.Draw(nasbench201.Space{}, at, -1, 0, 1); err == nil {
		t.Error("negative count accepted")
	}
	other := *at
	other.Space = "fbnet"
	if _, err := draw.Draw(nasbench201.Space{}, &other, 1, 1, 1); err == nil {
		t.Error("an FBNet atlas accepted")
	}
	broken := *at
	broken.PoolArchs = append([]string{"|bogus~0|"}, at.PoolArchs...)
	if _, err := draw.Draw(nasbench201.Space{}, &broken, 1, 1, 1); err == nil {
		t.Error("a malformed pool architecture accepted")
	}
}
