package ui

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// Editor builds a cell and predicts and measures it.
type Editor struct {
	App *state.App
}

// Node positions of the cell graph (viewBox 0 0 360 230): the nodes in a
// row, edges between neighbours straight, longer edges as arcs.
var cellNodes = [4][2]float64{{30, 120}, {130, 120}, {230, 120}, {330, 120}}

// NodeView is a drawn cell node.
type NodeView struct{ X, Y, Label string }

// Nodes are the cell's 4 nodes.
func (c *Editor) Nodes() []NodeView {
	out := make([]NodeView, len(cellNodes))
	for i, p := range cellNodes {
		out[i] = NodeView{X: chart.Num(p[0]), Y: chart.Num(p[1]), Label: fmt.Sprint(i)}
	}
	return out
}

// EdgeView is a drawn and editable cell edge.
type EdgeView struct {
	Index        int
	ID, Name, Op string
	Short, Class string
	Path, LX, LY string
}

func short(op nasbench201.Op) string {
	switch op.String() {
	case "nor_conv_3x3":
		return "conv 3x3"
	case "nor_conv_1x1":
		return "conv 1x1"
	case "avg_pool_3x3":
		return "pool"
	case "skip_connect":
		return "skip"
	}
	return "none"
}

// Edges are the cell's 6 edges with their operations.
func (c *Editor) Edges() []EdgeView {
	out := make([]EdgeView, nasbench201.NumEdges)
	for i, e := range nasbench201.Edges {
		from, to := cellNodes[e.From], cellNodes[e.To]
		op := c.App.Arch[i]
		mx := (from[0] + to[0]) / 2
		var cy, ly float64 // quadratic control point y; label y
		switch e.To - e.From {
		case 1:
			cy, ly = 120, 112 // straight, label above
		case 2:
			cy, ly = 20, 64 // arc above, apex at y = 70
		default:
			cy, ly = 250, 200 // 0 -> 3: arc below, apex at y = 185
		}
		path := "M" + chart.Num(from[0]) + " " + chart.Num(from[1]) + "Q" + chart.Num(mx) + " " + chart.Num(cy) + " " + chart.Num(to[0]) + " " + chart.Num(to[1])
		lx := mx
		out[i] = EdgeView{Index: i, ID: fmt.Sprintf("edge-%d", i), Name: fmt.Sprintf("node %d to %d", e.From, e.To),
			Op: op.String(), Short: short(op), Class: "edge op-" + op.String(), Path: path, LX: chart.Num(lx), LY: chart.Num(ly)}
	}
	return out
}

// Ops are the operation names, in the space's order.
func (c *Editor) Ops() []string {
	var out []string
	for op := nasbench201.Op(0); op < nasbench201.NumOps; op++ {
		out = append(out, op.String())
	}
	return out
}

// Predicted is the editor's predicted latency, or what is missing.
func (c *Editor) Predicted() string {
	switch {
	case c.App.ArchError != "":
		return "-"
	case c.App.Prediction != nil:
		return msText(c.App.Prediction.MS)
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
		return fmt.Sprintf("The prediction took %.2f ms. Measure the network to see how close it is.", p.TookMS)
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
		s += fmt.Sprintf(" (%s now, machine %.2fx as slow)", msText(m.MS), m.Drift)
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
