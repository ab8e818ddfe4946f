package ui

import (
	"fmt"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space"
)

// spaceText is what the page says about a search space. The UI knows the
// spaces by name only (it imports no concrete space); a space without an
// entry here gets plain text built from its name.
type spaceText struct {
	Title  string // "NAS-Bench-201"
	A      string // its indefinite article: "a", "an"
	Option string // the space switch's label
	About  string // the editor's explanation
	Listed string // what explore predicts, e.g. "all 15,625 networks"
	// Candidates names the networks of the latency-budget pick and
	// Accuracy their accuracy's kind, where the space has them.
	Candidates, Accuracy string
}

var spaceTexts = map[string]spaceText{
	"nasbench201": {
		Title:      "NAS-Bench-201",
		A:          "a",
		Option:     "NAS-Bench-201: 15,625 small cell networks",
		About:      "A NAS-Bench-201 network stacks 15 copies of one cell. The cell has 4 nodes; each of its 6 edges applies one operation, and each node sums its incoming edges. Pick the operations, or paste an architecture string.",
		Listed:     "all 15,625 networks",
		Candidates: "MetaD2A's candidate networks",
		Accuracy:   "CIFAR-100 accuracy",
	},
	"fbnet": {
		Title:  "FBNet",
		A:      "an",
		Option: "FBNet: 22 MobileNet-style layers (9^22 networks)",
		About:  "An FBNet network (the CIFAR-100 version HW-NAS-Bench measured) is a stem, 22 searchable layers in 7 stages, and a head. Each layer is an inverted-residual block: a 1x1 convolution widening the channels by the expansion e (1, 3 or 6, in 1 or 2 groups), a k x k depthwise convolution (k = 3 or 5), and a 1x1 convolution back; or a skip. Box height shows the expansion, colour the kernel; a split box has grouped 1x1 convolutions. Pick each layer's block, or paste an architecture string (22 choices joined by '-').",
		Listed: "HELP's 5,000 networks",
	},
	"ofa": {
		Title:      "OFA MobileNetV3",
		A:          "an",
		Option:     "OFA MobileNetV3: 5 stages of 2-4 blocks, 128-224 px (5×10^20 networks)",
		About:      "An OFA MobileNetV3 network (Once-for-All, width 1.2, ImageNet's 1,000 classes) is a stem, five stages of 2 to 4 inverted-residual blocks, and a head. Each block widens its channels by the expansion e (3, 4 or 6) with a 1x1 convolution, applies a k x k depthwise convolution (k = 3, 5 or 7), squeeze-and-excitation in the stages marked SE, and a 1x1 convolution back. Box height shows the expansion, colour the kernel; a thin bar is a block the stage's depth leaves out. Pick the input resolution, each stage's depth and each block, start from a network HELP's search found, or paste an architecture string (r=..;d=..;ks=..;e=..).",
		Listed:     "HELP's 5,000 networks",
		Candidates: "The networks HELP's latency-constrained search found (HELP's Table 5)",
		Accuracy:   "ImageNet top-1",
	},
}

func textOf(name string) spaceText {
	if t, ok := spaceTexts[name]; ok {
		return t
	}
	return spaceText{Title: name, A: "a", Option: name, About: "Pick each slot's choice, or paste an architecture string.", Listed: "the listed networks"}
}

// SpaceTitle is a space's name for visitors ("NAS-Bench-201" for
// "nasbench201"), for the state's sentences (state.App.SpaceTitle).
func SpaceTitle(name string) string { return textOf(name).Title }

// SpaceOption is one entry of the space switch.
type SpaceOption struct{ Name, Label string }

// stripFrame: the FBNet strip's geometry (viewBox 0 0 stripW 172).
const (
	boxW, boxGap, stageGap = 30.0, 4.0, 12.0
	boxMid                 = 72.0 // vertical centre of the boxes
	stripH                 = 172.0
)

// BlockView is one drawn layer of a Chain space.
type BlockView struct {
	Index              int
	X, Y, W, H, Mid    string // box; Mid the split line's x
	KY, EY, SplitY2    string // the kernel and expansion labels' y; the split line's end
	Class, Kernel, Exp string
	Split              bool // grouped 1x1 convolutions
	Title              string
}

// StageView is a stage's caption under its layers.
type StageView struct{ X, Y1, Y2, Line1, Line2 string }

// chainLayout places the layers of sp in rows (1, or 2 for a phone,
// breaking between stages near the middle): x and row of each layer's
// box, x and row of each stage's caption, and the widest row's width.
func chainLayout(sp space.Chain, a space.Arch, rows int) (xs []float64, row []int, stageX []float64, stageRow []int, width float64) {
	stages := sp.Stages(a)
	total := 0
	for _, st := range stages {
		total += st.Layers
	}
	x, r, done := 4.0, 0, 0
	for s, st := range stages {
		if s > 0 {
			if rows > 1 && r == 0 && 2*done+st.Layers > total {
				width = max(width, x-boxGap)
				x, r = 4.0, 1
			} else {
				x += stageGap - boxGap
			}
		}
		x0 := x
		for range st.Layers {
			xs = append(xs, x)
			row = append(row, r)
			x += boxW + boxGap
		}
		done += st.Layers
		stageX = append(stageX, (x0+x-boxGap)/2)
		stageRow = append(stageRow, r)
	}
	return xs, row, stageX, stageRow, max(width, x-boxGap) + 4
}

// Chain returns the editor's space as a chain of blocks, if it is one.
func (c *Editor) Chain() (space.Chain, bool) {
	ch, ok := c.App.Space.(space.Chain)
	return ch, ok
}

// IsChain says whether the editor draws a strip of blocks.
func (c *Editor) IsChain() bool { _, ok := c.Chain(); return ok }

// StripViewBox is the strip's viewBox (rows: 1, or 2 for a phone).
func (c *Editor) StripViewBox(rows int) string {
	ch, ok := c.Chain()
	if !ok {
		return "0 0 1 1"
	}
	_, _, _, _, w := chainLayout(ch, c.App.Arch, rows)
	return "0 0 " + chart.Num(w) + " " + chart.Num(stripH*float64(rows))
}

// Blocks are the drawn layers of a chain space, in rows.
func (c *Editor) Blocks(rows int) []BlockView {
	ch, ok := c.Chain()
	if !ok {
		return nil
	}
	xs, rs, _, _, _ := chainLayout(ch, c.App.Arch, rows)
	var views []BlockView
	layer := 0
	for _, st := range ch.Stages(c.App.Arch) {
		out := (st.Size + st.Stride - 1) / st.Stride // the layers' size, same padding
		for j := range st.Layers {
			b := ch.Layer(c.App.Arch, layer)
			x, dy := xs[layer], stripH*float64(rs[layer])
			mid := boxMid + dy
			v := BlockView{Index: layer, X: chart.Num(x), W: chart.Num(boxW), Mid: chart.Num(x + boxW/2),
				KY: chart.Num(14 + dy), EY: chart.Num(136 + dy), SplitY2: chart.Num(120 + dy)}
			stride := 1
			if j == 0 {
				stride = st.Stride
			}
			where := fmt.Sprintf("layer %d: %d to %d channels at %dx%d, stride %d", layer+1, inOf(st, j), st.Out, st.Size, st.Size, stride)
			if j > 0 {
				where = fmt.Sprintf("layer %d: %d channels at %dx%d", layer+1, st.Out, out, out)
			}
			if b.Skip() {
				h := 4.0
				v.Y, v.H = chart.Num(mid-h/2), chart.Num(h)
				v.Class, v.Kernel = "block skip", "skip"
				if j == 0 && (st.Stride != 1 || st.In != st.Out) {
					v.Kernel = "1x1"
					v.Title = where + ": skip, a 1x1 convolution here because the shape changes"
				} else {
					v.Title = where + ": skip (the identity)"
				}
			} else {
				h := map[int]float64{1: 36, 3: 62, 6: 96}[b.Expansion]
				if h == 0 {
					h = 36 + 10*float64(b.Expansion)
				}
				v.Y, v.H = chart.Num(mid-h/2), chart.Num(h)
				v.Class = fmt.Sprintf("block k%d", b.Kernel)
				v.Kernel, v.Exp = fmt.Sprintf("k%d", b.Kernel), fmt.Sprintf("e%d", b.Expansion)
				v.Split = b.Groups > 1
				v.Title = fmt.Sprintf("%s: kernel %d, expansion %d, %d group(s)", where, b.Kernel, b.Expansion, b.Groups)
			}
			views = append(views, v)
			layer++
		}
	}
	return views
}

func inOf(st space.Stage, j int) int {
	if j == 0 {
		return st.In
	}
	return st.Out
}

// Stages are the captions of a chain space's stages, in rows.
func (c *Editor) Stages(rows int) []StageView {
	ch, ok := c.Chain()
	if !ok {
		return nil
	}
	_, _, sx, sr, _ := chainLayout(ch, c.App.Arch, rows)
	var out []StageView
	for s, st := range ch.Stages(c.App.Arch) {
		size := (st.Size + st.Stride - 1) / st.Stride // same padding
		l2 := fmt.Sprintf("%d×%d", size, size)
		if st.Stride != 1 {
			l2 = fmt.Sprintf("/%d→", st.Stride) + l2
		}
		l1 := fmt.Sprintf("%d ch", st.Out)
		if st.Note != "" {
			l1 += ", " + st.Note
		}
		dy := stripH * float64(sr[s])
		out = append(out, StageView{X: chart.Num(sx[s]), Y1: chart.Num(154 + dy), Y2: chart.Num(168 + dy), Line1: l1, Line2: l2})
	}
	return out
}

// About explains the editor's space.
func (c *Editor) About() string { return textOf(c.App.Space.Name()).About }

// Title is the editor's heading.
func (c *Editor) Title() string {
	t := textOf(c.App.Space.Name())
	return "Build " + t.A + " " + t.Title + " network"
}

// Spaces are the options of the space switch.
func (c *Root) Spaces() []SpaceOption {
	var out []SpaceOption
	for _, n := range c.App.SpaceNames() {
		out = append(out, SpaceOption{Name: n, Label: textOf(n).Option})
	}
	return out
}

// SpaceName is the page's space.
func (c *Root) SpaceName() string { return c.App.Space.Name() }

// QuickLabel describes the quick profile in the page's space.
func (c *Root) QuickLabel() string {
	sup, v := c.App.SizesOf(protocol.ModeQuick)
	s := fmt.Sprintf("quick: 10 reference + %d support + %d validation networks", sup, v)
	e := c.App.PlanOf(protocol.ModeQuick).Effort
	if c.App.Engine() == protocol.EngineGPU {
		return s + fmt.Sprintf(", %d rounds, ", e.ValidationRounds) + gpuQuickDuration
	}
	if d := plan.Quick.Effort; e.LabelledRounds != d.LabelledRounds || e.ValidationRounds != d.ValidationRounds {
		s += fmt.Sprintf(", %d and %d timed rounds (fewer: these networks are larger)", e.LabelledRounds, e.ValidationRounds)
	} else if v != plan.Quick.Validation {
		s += " (fewer: these networks are larger)"
	}
	return s + ", " + quickDuration(c.App.Space.Name())
}

// ThoroughLabel is the thorough option's text.
func (c *Root) ThoroughLabel() string {
	sup, v := c.App.SizesOf(protocol.ModeThorough)
	return fmt.Sprintf("thorough: 10 reference + %d support + %d validation networks, longer timings, %s", sup, v, thoroughDuration(c.App.Space.Name()))
}

// gpuQuickDuration is how long the GPU's quick profile takes: on the
// software SwiftShader, 28-37 s in headless Chromium on the shared 2-core
// machine (docs/RESULTS.md, gpu-page branch); on a visitor's real GPU we
// have not measured it.
const gpuQuickDuration = "under a minute on a software GPU"

// How long profiles take: the one statement the page and the README make,
// from the timed runs in docs/RESULTS.md (headless Chromium on a 2-core
// machine: NAS-Bench-201 quick 13-17 s idle with 20 validation networks, so 16-22 s
// with 40 by the phases timed there (docs/RESULTS.md §15); 6-14 s on a faster one;
// thorough 40-132 s; FBNet quick 48-73 s).
func quickDuration(space string) string {
	switch space {
	case "fbnet":
		return "about a minute"
	case "ofa":
		return "about a minute"
	}
	return "15-25 seconds"
}

// thoroughDuration: OFA's thorough plan (32 and 22 networks of 70-430
// ms, 17 runs each) was not timed; by the forward times it is several
// minutes.
func thoroughDuration(space string) string {
	if space == "ofa" {
		return "several minutes"
	}
	return "1-2 minutes"
}

// Lead is the page's opening paragraph.
func (c *Root) Lead() string {
	t := textOf(c.App.Space.Name())
	return fmt.Sprintf("This page times a few real neural networks in your browser, using its own Go engine compiled to WebAssembly, and adapts HELP, a latency predictor meta-trained on measurements from other hardware (GPUs, CPUs, phones), to yours from those timings. It then predicts the latency of %s of the %s search space and checks itself against networks it did not see. %s Nothing leaves your browser.",
		t.Listed, t.Title, durationNote(c.App.Space.Name()))
}

// durationNote says how long a quick profile takes in a space.
func durationNote(name string) string {
	switch name {
	case "fbnet":
		return fmt.Sprintf("An FBNet network is 10-50x the work of a NAS-Bench-201 cell, so its quick profile validates on %d networks instead of %d and takes %s on a laptop.", plan.FBNetQuick.Validation, plan.Quick.Validation, quickDuration(name))
	case "ofa":
		e := plan.OFAQuick.Effort
		return fmt.Sprintf("An OFA network takes a tenth to half a second in this engine, so its quick profile times each network %d times (instead of %d) and validates on %d, and takes %s on a laptop; the page shows the time left.", e.LabelledRounds, plan.Quick.Effort.LabelledRounds, plan.OFAQuick.Validation, quickDuration(name))
	}
	return "A quick profile takes " + quickDuration(name) + " on a laptop (longer on a phone or a busy machine); the page shows the time left."
}

// Title and Button describe explore in the page's space.
func (c *Explore) Title() string  { return "Explore " + textOf(c.App.Space.Name()).Listed }
func (c *Explore) Button() string { return "Predict " + textOf(c.App.Space.Name()).Listed }

// Intro explains explore.
func (c *Explore) Intro() string {
	t := textOf(c.App.Space.Name())
	if c.HasCandidates() && c.App.Space.Name() == "nasbench201" {
		return "Predict the latency of every network in the search space on this device, then pick the most accurate network that fits a latency budget from MetaD2A's proposals (CIFAR-100 accuracy from the HELP data)."
	}
	if c.HasCandidates() {
		return fmt.Sprintf("Predict the latency on this device of %s that HELP's data lists for %s (the space itself is far too large to list) and see the fastest; then pick, under a latency budget, the most accurate of the networks HELP's own search found for other devices (%s from the HELP data; HELP's 5,000 have no accuracies).", t.Listed, t.Title, t.Accuracy)
	}
	return fmt.Sprintf("Predict the latency on this device of %s that HELP's data lists for %s (the space itself is far too large to list), and see the fastest.", textOf(c.App.Space.Name()).Listed, textOf(c.App.Space.Name()).Title)
}

// HasCandidates says whether the space has networks with a known accuracy
// for the latency-budget pick.
func (c *Explore) HasCandidates() bool {
	if e := c.App.Explored; e != nil {
		return len(e.Candidates) > 0
	}
	return c.App.Ready != nil && c.App.Ready.Candidates > 0
}

// NoCandidates explains the missing pick.
func (c *Explore) NoCandidates() string {
	return fmt.Sprintf("No latency-budget pick in %s: HELP's data has no accuracies for these networks (NAS-Bench-201 has MetaD2A's candidates with their CIFAR-100 accuracy). The fastest predicted networks are above.", textOf(c.App.Space.Name()).Title)
}

// UnusedClass marks the select of a slot the architecture leaves out.
func (c *Editor) UnusedClass(e EdgeView) string {
	if e.Unused {
		return " unused"
	}
	return ""
}

// StripLabel describes the strip for screen readers.
func (c *Editor) StripLabel() string {
	ch, ok := c.Chain()
	if !ok {
		return ""
	}
	n, used := 0, 0
	for _, st := range ch.Stages(c.App.Arch) {
		for range st.Layers {
			if !ch.Layer(c.App.Arch, n).Skip() {
				used++
			}
			n++
		}
	}
	return fmt.Sprintf("the network's %d layers (%d of them blocks), grouped by stage", n, used)
}

// SelectsClass lays out the editor's drawing and selects: side by side
// for a cell, the selects alone in a wide grid under a chain's strip.
func (c *Editor) SelectsClass() string {
	if c.IsChain() {
		return "chain-selects"
	}
	return "grid2"
}

// EdgeSelectsClass is the selects' grid: a chain's in a wide grid, and
// by stage where slots can be unused (OFA's slots come a stage at a time,
// its depth and 4 blocks: one row of 5 per stage on a wide screen).
func (c *Editor) EdgeSelectsClass() string {
	if _, ok := c.App.Space.(space.Conditional); ok && c.IsChain() {
		return "edge-selects layers by-stage"
	}
	if c.IsChain() {
		return "edge-selects layers"
	}
	return "edge-selects"
}

// CandidatesCaption explains the budget plot.
func (c *Explore) CandidatesCaption() string {
	t := textOf(c.App.Space.Name())
	return fmt.Sprintf("%s: %s against the latency predicted on this device. Left of the dashed budget line they fit; the ringed one is the pick, the most accurate that fits.", t.Candidates, t.Accuracy)
}

// AccuracyLabel is the budget plot's y axis label.
func (c *Explore) AccuracyLabel() string { return textOf(c.App.Space.Name()).Accuracy + " (%)" }
