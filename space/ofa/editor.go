package ofa

import (
	"fmt"
	"strconv"

	"github.com/helpwasm/helpwasm/space"
)

// What an editor needs (space.Slotted, space.Chain, space.Conditional):
// the resolution, the five depths and the 20 block slots as 26 slots, and
// the network as a chain of 5 stages with room for 4 blocks each, a
// block beyond its stage's depth drawn as skipped.

var (
	_ space.Chain       = Space{}
	_ space.Conditional = Space{}
)

// Slot indices, by stage so an editor can lay them out in rows: stage
// s's depth at 5s, its blocks at 5s+1 .. 5s+4, then the resolution.
const (
	SlotsPerStage  = 1 + BlocksPerStage        // 5
	ResolutionSlot = NumStages * SlotsPerStage // 25
	NumSlots       = ResolutionSlot + 1        // 26
)

// DepthSlot is the slot of stage s's depth.
func DepthSlot(s int) int { return s * SlotsPerStage }

// BlockSlot is the slot of block i (0..19, ks/e order).
func BlockSlot(i int) int { return i/BlocksPerStage*SlotsPerStage + 1 + i%BlocksPerStage }

// slotBlock is the block of slot, or -1 for a depth or the resolution.
func slotBlock(slot int) int {
	if slot >= ResolutionSlot || slot%SlotsPerStage == 0 {
		return -1
	}
	return slot/SlotsPerStage*BlocksPerStage + slot%SlotsPerStage - 1
}

// blockChoice is a block's kernel and expansion as one choice:
// kernel-major, k3_e3 .. k7_e6 (HELP's orders of both).
func blockChoice(k, e int) int { return choiceIndex(Kernels, k)*3 + choiceIndex(Expansions, e) }

// Slots are, per stage, "stage s depth" and "stage s block 1..4", then
// "resolution" (not a graph). The depth and resolution slots carry their
// own choices; the block slots hold Choices.
func (Space) Slots() []space.Slot {
	out := make([]space.Slot, 0, NumSlots)
	depths := make([]space.Choice, len(Depths))
	for i, d := range Depths {
		depths[i] = space.Choice{Name: strconv.Itoa(d), Short: strconv.Itoa(d)}
	}
	for s := range NumStages {
		out = append(out, space.Slot{Name: fmt.Sprintf("stage %d depth", s+1), From: -1, To: -1, Choices: depths})
		for j := range BlocksPerStage {
			out = append(out, space.Slot{Name: fmt.Sprintf("stage %d block %d", s+1, j+1), From: -1, To: -1})
		}
	}
	res := make([]space.Choice, NumResolutions)
	for i := range res {
		r := strconv.Itoa(MinResolution + ResolutionStep*i)
		res[i] = space.Choice{Name: r, Short: r}
	}
	return append(out, space.Slot{Name: "resolution", From: -1, To: -1, Choices: res})
}

// Choices are a block's nine kernel and expansion pairs, "k3_e3" to
// "k7_e6".
func (Space) Choices() []space.Choice {
	out := make([]space.Choice, 0, 9)
	for _, k := range Kernels {
		for _, e := range Expansions {
			out = append(out, space.Choice{Name: fmt.Sprintf("k%d_e%d", k, e), Short: fmt.Sprintf("k%d e%d", k, e)})
		}
	}
	return out
}

// Choice is the index of what slot holds in a, in that slot's choices.
func (Space) Choice(a space.Arch, slot int) int {
	x := arch(a)
	if slot == ResolutionSlot {
		return (x.R - MinResolution) / ResolutionStep
	}
	if i := slotBlock(slot); i >= 0 {
		return blockChoice(x.KS[i], x.E[i])
	}
	return choiceIndex(Depths, x.D[slot/SlotsPerStage])
}

// WithChoice returns a with slot set to its choice-th choice. A block
// beyond its stage's depth keeps its choice (unused until the depth
// grows), as Arch does.
func (Space) WithChoice(a space.Arch, slot, choice int) space.Arch {
	x := arch(a)
	if slot == ResolutionSlot {
		x.R = MinResolution + ResolutionStep*choice
	} else if i := slotBlock(slot); i >= 0 {
		x.KS[i], x.E[i] = Kernels[choice/3], Expansions[choice%3]
	} else {
		x.D[slot/SlotsPerStage] = Depths[choice]
	}
	return x
}

// SlotUsed reports whether slot is part of a's network: every slot but a
// block beyond its stage's depth.
func (Space) SlotUsed(a space.Arch, slot int) bool {
	i := slotBlock(slot)
	return i < 0 || arch(a).Active(i)
}

// Example is HELP's titan_rtx_64 search result of 76.0% ImageNet top-1
// (architecture_config/gpu_titan_rtx_64/latency_20.3ms_accuracy_76.0.json
// in HELP's repository), a network people would deploy.
func (Space) Example() space.Arch {
	return MustParse("r=176;d=2,3,3,3,3;ks=5,3,7,3,3,3,3,3,7,7,5,3,5,5,3,3,3,3,3,5;e=3,3,4,6,6,6,4,3,4,4,3,6,6,4,4,4,6,6,4,3")
}

// Stages are a's five stages: room for 4 blocks each, with the widths,
// strides and sizes at a's resolution, and what the stage's blocks do
// besides the convolutions.
func (Space) Stages(a space.Arch) []space.Stage {
	x := arch(a)
	out := make([]space.Stage, NumStages)
	in, size := FirstBlockChannels, StemSize(x.R)
	for s := range NumStages {
		note := "ReLU"
		if StageHSwish[s] {
			note = "h-swish"
		}
		if StageSE[s] {
			note = "SE, " + note
		}
		out[s] = space.Stage{Layers: BlocksPerStage, In: in, Out: StageWidth[s], Stride: StageStride[s], Size: size, Note: note}
		in, size = StageWidth[s], outSize(size, StageStride[s])
	}
	return out
}

// Layer is block slot i's kernel and expansion in a (one group), or the
// zero Block if it is beyond its stage's depth.
func (Space) Layer(a space.Arch, i int) space.Block {
	x := arch(a)
	if !x.Active(i) {
		return space.Block{}
	}
	return space.Block{Kernel: x.KS[i], Expansion: x.E[i], Groups: 1}
}
