package engine

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/helpwasm/helpwasm/space/ofa"
)

// weightBytes is the network's weight memory by distinct backing array,
// added into seen (so a layer shared by several networks counts once).
func weightBytes(n *OFANet, seen map[*float32]bool) int {
	total := 0
	add := func(s []float32) {
		if len(s) > 0 && !seen[&s[0]] {
			seen[&s[0]] = true
			total += 4 * len(s)
		}
	}
	addPW := func(p *pointwise) {
		for _, a := range p.a {
			add(a.data)
		}
		add(p.bias)
	}
	add(n.stem.a.data)
	add(n.stem.bias)
	add(n.firstDW.wt)
	add(n.firstDW.bias)
	addPW(n.firstPW)
	for i := range n.blocks {
		b := &n.blocks[i]
		addPW(&b.expand)
		addPW(&b.project)
		add(b.dw.wt)
		add(b.dw.bias)
		if b.se != nil {
			add(b.se.reduceW)
			add(b.se.reduceB)
			add(b.se.expandW)
			add(b.se.expandB)
		}
	}
	addPW(&n.finalExpand)
	add(n.head.mixW)
	add(n.head.fcW)
	add(n.head.fcB)
	return total
}

// twoSharing is two networks with the same head and blocks in common:
// the same stage 1 and 2 choices at other resolutions and later depths.
func twoSharing() (a, b ofa.Arch) {
	a = ofa.MustParse("r=204;d=2,2,2,2,3;ks=7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,3;e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,6")
	b = a
	b.R, b.D[4], b.KS[16], b.E[16] = 160, 4, 3, 3
	return a, b
}

// Networks of one builder, run in any order, give exactly the logits of
// the same networks built alone (the same weights, and the shared
// scratch leaves nothing behind from one network to the next), allocate
// nothing per Forward, and share their identical layers' memory.
func TestOFABuilderMatchesNewOFA(t *testing.T) {
	a, b := twoSharing()
	small := ofaUniform(128, 2, 3, 3)
	const seed = 7
	var want [][]float32
	for _, x := range []ofa.Arch{a, b, small} {
		n := NewOFA(x, seed)
		n.Forward()
		want = append(want, append([]float32(nil), n.Output()...))
	}
	bld := NewOFABuilder()
	nets := []*OFANet{bld.New(a, seed), bld.New(b, seed), bld.New(small, seed)}
	for _, i := range []int{2, 0, 1, 0, 2, 1} {
		nets[i].Forward()
		checkIdentical(t, fmt.Sprintf("network %d in turn", i), nets[i].Output(), want[i])
	}
	if allocs := testing.AllocsPerRun(2, nets[1].Forward); allocs != 0 {
		t.Errorf("%v allocations per Forward, want 0", allocs)
	}
	apart, seen := 0, map[*float32]bool{}
	for i, n := range nets {
		alone := NewOFA(n.Arch(), seed)
		apart += weightBytes(alone, map[*float32]bool{})
		if i == 0 {
			weightBytes(n, seen)
		}
	}
	shared := 0
	for _, n := range nets {
		shared += weightBytes(n, seen)
	}
	// b differs from a in resolution and stage 5 (one block more, one
	// other): only its stage-5 blocks and stem are its own.
	if bOwn, bAlone := weightBytes(nets[1], map[*float32]bool{}), weightBytes(NewOFA(b, seed), map[*float32]bool{}); bOwn != bAlone {
		t.Errorf("b's weights %d bytes, alone %d", bOwn, bAlone)
	}
	t.Logf("weights: %.1f MB apart, %.1f MB from one builder", float64(apart)/1e6, float64(shared+weightBytes(nets[0], map[*float32]bool{}))/1e6)
	if 2*shared > apart {
		t.Errorf("b and small add %d bytes of weights to a's, want under half of the %d bytes of all three apart", shared, apart)
	}
}

// Two live copies of one architecture share no weights; once the first
// is closed, the next copy shares its layers.
func TestOFABuilderCopies(t *testing.T) {
	a, _ := twoSharing()
	bld := NewOFABuilder()
	first := bld.New(a, 1)
	second := bld.New(a, 1)
	seen := map[*float32]bool{}
	weightBytes(first, seen)
	if w, own := weightBytes(second, seen), weightBytes(second, map[*float32]bool{}); w != own {
		t.Errorf("the second live copy shares %d of its %d bytes of weights with the first", own-w, own)
	}
	first.Close()
	first.Close() // idempotent
	third := bld.New(a, 1)
	if w := weightBytes(third, seen); w > 100_000 {
		t.Errorf("after Close, a new copy has %d bytes of weights of its own, want only its stem's", w)
	}
	runtime.KeepAlive(first)
	runtime.KeepAlive(second)
}
