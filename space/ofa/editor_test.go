package ofa

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/helpwasm/helpwasm/space"
)

// The editor's view of the space: every slot's choice reads back what
// WithChoice set and leaves the others alone; the stages follow Blocks;
// Layer and SlotUsed follow Active.
func TestEditorSlots(t *testing.T) {
	sp := Space{}
	slots := sp.Slots()
	if len(slots) != NumSlots || len(space.SlotChoices(sp, ResolutionSlot)) != NumResolutions ||
		len(space.SlotChoices(sp, DepthSlot(4))) != 3 || len(space.SlotChoices(sp, BlockSlot(19))) != 9 {
		t.Fatalf("%d slots", len(slots))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		a := Random(r)
		slot := r.IntN(NumSlots)
		choice := r.IntN(len(space.SlotChoices(sp, slot)))
		b := sp.WithChoice(a, slot, choice)
		if err := b.(Arch).Validate(); err != nil {
			t.Fatalf("WithChoice(%v, %d, %d) = %v: %v", a, slot, choice, b, err)
		}
		for s := range NumSlots {
			want := sp.Choice(a, s)
			if s == slot {
				want = choice
			}
			if got := sp.Choice(b, s); got != want {
				t.Fatalf("WithChoice(%v, %d, %d): slot %d reads %d, want %d", a, slot, choice, s, got, want)
			}
		}
		// The names say what the slot holds.
		x := b.(Arch)
		if name := space.SlotChoices(sp, ResolutionSlot)[sp.Choice(b, ResolutionSlot)].Name; name != strconv.Itoa(x.R) {
			t.Errorf("resolution %d named %s", x.R, name)
		}
		blocks := Blocks(nil, x)
		k := 0
		for i := range NumBlocks {
			l := sp.Layer(b, i)
			if used := sp.SlotUsed(b, BlockSlot(i)); used != x.Active(i) || l.Skip() == x.Active(i) {
				t.Fatalf("%v: block %d used %v, layer %+v, active %v", x, i, used, l, x.Active(i))
			}
			if !x.Active(i) {
				continue
			}
			if bl := blocks[k]; l.Kernel != bl.K || l.Expansion != bl.E || bl.Slot != i {
				t.Fatalf("%v: layer %d %+v, block %+v", x, i, l, bl)
			}
			if name := sp.Choices()[sp.Choice(b, BlockSlot(i))].Name; name != "k"+strconv.Itoa(l.Kernel)+"_e"+strconv.Itoa(l.Expansion) {
				t.Errorf("block %d named %s, is %+v", i, name, l)
			}
			k++
		}
		for s, st := range sp.Stages(b) {
			first := blocks[0]
			for _, bl := range blocks {
				if bl.Stage == s {
					first = bl
					break
				}
			}
			if st.Layers != BlocksPerStage || st.In != first.In || st.Out != first.Out || st.Stride != first.Stride || st.Size != first.Size {
				t.Fatalf("%v: stage %d %+v, first block %+v", x, s, st, first)
			}
		}
	}
	for s := range NumStages {
		if d := space.SlotChoices(sp, DepthSlot(s))[sp.Choice(sp.Example(), DepthSlot(s))].Name; d != strconv.Itoa(sp.Example().(Arch).D[s]) || slots[DepthSlot(s)].Name != "stage "+strconv.Itoa(s+1)+" depth" {
			t.Errorf("stage %d depth slot %q reads %s", s, slots[DepthSlot(s)].Name, d)
		}
	}
	for i := range NumBlocks {
		if want := "stage " + strconv.Itoa(i/4+1) + " block " + strconv.Itoa(i%4+1); slots[BlockSlot(i)].Name != want || slotBlock(BlockSlot(i)) != i {
			t.Errorf("block %d: slot %d %q", i, BlockSlot(i), slots[BlockSlot(i)].Name)
		}
	}
	if err := sp.Example().(Arch).Validate(); err != nil {
		t.Error(err)
	}
}
