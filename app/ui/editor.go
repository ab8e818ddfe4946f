package ui

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
	"github.com/helpwasm/helpwasm/space"
)

// Editor builds a cell and predicts and measures it.
type Editor struct {
	App *state.App
}

// The cell graph (viewBox 0 0 360 230) draws the space's slots as edges
// between its nodes, in a row: edges between neighbours straight, longer
// ones as arcs. Only data the space provides (space.Slotted) is used.

// nodeX is the x of node i of n in a row.
func nodeX(i, n int) float64 {
	if n < 2 {
		return 180
	}
	return 30 + 300*float64(i)/float64(n-1)
}

const nodeY = 120

// numNodes is the number of graph nodes the slots join (0: not a graph).
func (c *Editor) numNodes() int {
	n := 0
	for _, sl := range c.App.Space.Slots() {
		if sl.From < 0 || sl.To < 0 {
			return 0
		}
		n = max(n, sl.From+1, sl.To+1)
	}
	return n
}

// NodeView is a drawn cell node.
type NodeView struct{ X, Y, Label string }

// Nodes are the cell's nodes.
func (c *Editor) Nodes() []NodeView {
	n := c.numNodes()
	out := make([]NodeView, n)
	for i := range out {
		out[i] = NodeView{X: chart.Num(nodeX(i, n)), Y: chart.Num(nodeY), Label: fmt.Sprint(i)}
	}
	return out
}

// EdgeView is a drawn and editable slot (a cell edge).
type EdgeView struct {
	Index        int
	ID, Name, Op string
	Short, Class string
	Path, LX, LY string
	Ops          []string // what the slot may hold
	// Unused: the architecture leaves the slot out (an OFA block beyond
	// its stage's depth); its select is disabled.
	Unused bool
}

// Edges are the slots with their choices; Path is empty where the space
// is not drawn as a graph.
func (c *Editor) Edges() []EdgeView {
	sp := c.App.Space
	n := c.numNodes()
	cond, _ := sp.(space.Conditional)
	var out []EdgeView
	for i, sl := range sp.Slots() {
		choices := space.SlotChoices(sp, i)
		ch := choices[sp.Choice(c.App.Arch, i)]
		ev := EdgeView{Index: i, ID: fmt.Sprintf("edge-%d", i), Name: sl.Name, Op: ch.Name, Short: ch.Short, Class: "edge op-" + ch.Name}
		for _, o := range choices {
			ev.Ops = append(ev.Ops, o.Name)
		}
		ev.Unused = cond != nil && !cond.SlotUsed(c.App.Arch, i)
		if n > 0 {
			fx, tx := nodeX(sl.From, n), nodeX(sl.To, n)
			mx := (fx + tx) / 2
			var cy, ly float64 // quadratic control point y; label y
			switch sl.To - sl.From {
			case 1:
				cy, ly = 120, 112 // straight, label above
			case 2:
				cy, ly = 20, 64 // arc above, apex at y = 70
			default:
				cy, ly = 250, 200 // longer: arc below, apex at y = 185
			}
			ev.Path = "M" + chart.Num(fx) + " " + chart.Num(nodeY) + "Q" + chart.Num(mx) + " " + chart.Num(cy) + " " + chart.Num(tx) + " " + chart.Num(nodeY)
			ev.LX, ev.LY = chart.Num(mx), chart.Num(ly)
		}
		out = append(out, ev)
	}
	return out
}

// Predicted is the editor's predicted latency, or what is missing.
func (c *Editor) Predicted() string {
	switch {
	case c.App.ArchError != "":
		return "-"
	case c.App.Prediction != nil:
		return intervalText(c.App.Prediction.MS, c.App.Prediction.HalfWidthMS)
	case !c.App.HasProfile():
		return "?"
	}
	return "..."
}

// PredictNote explains the prediction line.
func (c *Editor) PredictNote() string {
	if !c.App.HasProfile() {
		return "Profile this device (or import a profile) to predict latencies; FLOPs and parameters need no profile."
	}
	if p := c.App.Prediction; p != nil {
		return fmt.Sprintf("Predicted by %s (auto's choice on this device); ± is a %.0f%% interval from its leave-one-out errors. HELP alone predicts %s. The predictions took %.2f ms. Measure the network to see how close they are.",
			p.Method, 100*p.Level, msText(p.HELPMS), p.TookMS)
	}
	return ""
}

// PredCell, MeasCell and ErrCell format a row of the measured table.
func (c *Editor) PredCell(ms float64) string {
	if ms <= 0 {
		return "-"
	}
	return msText(ms)
}

func (c *Editor) MeasCell(m protocol.Measured) string {
	s := msText(m.RescaledMS)
	if math.Abs(m.Drift-1) > 0.05 {
		s += fmt.Sprintf(" (timed %s; %s)", msText(m.MS), speedText(m.Drift, "the machine is", "than during the profile"))
	}
	if !m.Stable {
		s += " (noisy)"
	}
	return s
}

func (c *Editor) ErrCell(pred, meas float64) string {
	if pred <= 0 || meas <= 0 {
		return "-"
	}
	return fmt.Sprintf("%+.0f%%", 100*(pred-meas)/meas)
}

// Presets are the editor's named starting points (HELP's searched OFA
// networks), if the space has any.
func (c *Editor) Presets() []protocol.Candidate {
	if r := c.App.Ready; r != nil && r.Space == c.App.Space.Name() {
		return r.Presets
	}
	return nil
}

// PresetOf is the preset the editor's network is, "" if none.
func (c *Editor) PresetOf() string {
	if c.App.ArchError != "" {
		return ""
	}
	for _, p := range c.Presets() {
		if p.Arch == c.App.Arch.String() {
			return p.Arch
		}
	}
	return ""
}

// UsePreset loads a preset into the editor.
func (c *Editor) UsePreset(arch string) {
	if arch != "" {
		c.App.SetArchText(arch)
	}
}
