// Package draw chooses the architectures a device profile measures
// besides the fixed reference and anchor ones: support architectures, whose
// timings adapt the predictor, and validation architectures, whose timings
// check its predictions. The page's worker and the CLI's profile command
// both draw through it, so a seed means the same sets in either.
//
// # Support
//
// Support architectures are drawn uniformly from the whole search space
// (space.Space's Random), outside the atlas pool and the fixed
// architectures, as HELP samples its support set from a device's training
// pool. For an enumerable space Draw checks first that enough remain; for
// a larger one it gives up after many rejected draws.
//
// # Validation
//
// Validation architectures come from the atlas pool (HELP's query pool), so
// the nearest-device baseline has latencies for them. They are a stratified
// sample with proportional allocation: the usable pool, ordered by FLOPs,
// is cut into as many equal-count strata as architectures are wanted, and
// one is drawn uniformly from each. Every pool architecture is as likely to
// be drawn as under simple random sampling, but a draw cannot bunch up in
// one part of the range.
//
// With 20 validation architectures that matters. Replaying the page's
// quick profile offline (experiments/replay, 200 draws, shipped weights)
// on 90 pool architectures timed in WebAssembly
// (experiments/data/wasm-a.json), HELP's validation Spearman averaged 0.948
// on 20 drawn uniformly (a tenth of draws below 0.877, 10 of 200 below
// 0.85) and 0.955 on 20 stratified (below 0.896, 5 of 200), against 0.956
// over all architectures but the support. Natively (native-a.json): 0.934
// (0.866, 15 of 200), 0.944 (0.889, 12 of 200) and 0.942. The stratified
// check is closer to the Spearman over everything measured, and steadier.
//
// Support stays uniform, as the predictor was meta-trained with it:
// stratifying it too helped a little on our engine's timings (0.958 on
// wasm-a.json) but lowered HELP's validation Spearman on all six meta-test
// devices simulated from their latency tables (12 quick profiles each in
// the worker's test fixture; eyeriss 0.805 against 0.854, fpga 0.939
// against 0.962).
package draw

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/space"
)

// Samples is what a profile measures besides the fixed architectures.
type Samples struct {
	Support    []space.Arch
	Validation []space.Arch
	// ValidationPool is each validation architecture's index in the
	// atlas's PoolArchs.
	ValidationPool []int
}

// ErrTooMany is wrapped when more architectures are asked for than the
// space or the pool can supply.
var ErrTooMany = errors.New("draw: not enough architectures")

// maxRejects bounds the support draws that hit a taken architecture, for
// spaces too large to count what is free.
const maxRejects = 1 << 16

// Draw picks support and validation architectures of sp for a profile,
// disjoint from each other and from at's reference and anchor
// architectures. The same seed gives the same samples.
func Draw(sp space.Space, at *atlas.Atlas, support, validation int, seed uint64) (Samples, error) {
	var s Samples
	if at.Space != sp.Name() {
		return s, fmt.Errorf("draw: atlas is for %q, the space is %q", at.Space, sp.Name())
	}
	if support < 0 || validation < 0 {
		return s, fmt.Errorf("draw: negative count (support %d, validation %d)", support, validation)
	}
	taken := map[space.Arch]bool{}
	for i, str := range append(slices.Clone(at.Reference), at.Anchors.Fastest, at.Anchors.Slowest) {
		a, err := sp.Parse(str)
		if err != nil {
			return s, fmt.Errorf("draw: atlas fixed architecture %d: %w", i, err)
		}
		taken[a] = true
	}
	type candidate struct {
		arch  space.Arch
		pool  int
		flops int64
	}
	var usable []candidate
	inPool := map[space.Arch]bool{}
	for i, str := range at.PoolArchs {
		a, err := sp.Parse(str)
		if err != nil {
			return s, fmt.Errorf("draw: atlas pool architecture %d: %w", i, err)
		}
		if !taken[a] && !inPool[a] {
			usable = append(usable, candidate{a, i, sp.FLOPs(a)})
		}
		inPool[a] = true
	}
	if validation > len(usable) {
		return s, fmt.Errorf("%w: %d validation architectures asked for, the atlas pool has %d usable", ErrTooMany, validation, len(usable))
	}
	rng := rand.New(rand.NewPCG(seed, 0x64726177)) // "draw"

	// Stable by pool index within equal FLOPs, so the strata do not depend
	// on the sort algorithm.
	slices.SortStableFunc(usable, func(x, y candidate) int { return cmp.Compare(x.flops, y.flops) })
	for k := range validation {
		lo, hi := len(usable)*k/validation, len(usable)*(k+1)/validation
		c := usable[lo+rng.IntN(hi-lo)]
		s.Validation = append(s.Validation, c.arch)
		s.ValidationPool = append(s.ValidationPool, c.pool)
	}

	// Support comes from outside the pool too; taken grows as it is drawn.
	for a := range inPool {
		taken[a] = true
	}
	if e, ok := sp.(space.Enumerable); ok {
		if free := e.NumArchs() - len(taken); support > free {
			return s, fmt.Errorf("%w: %d support architectures asked for, %d outside the pool", ErrTooMany, support, free)
		}
	}
	for rejects := 0; len(s.Support) < support; {
		a := sp.Random(rng)
		if !taken[a] {
			taken[a] = true
			s.Support = append(s.Support, a)
		} else if rejects++; rejects > maxRejects {
			return s, fmt.Errorf("%w: %d support draws hit architectures already taken", ErrTooMany, maxRejects)
		}
	}
	return s, nil
}
