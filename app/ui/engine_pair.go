package ui

import (
	"fmt"
	"sort"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
)

// EnginePair draws the CPU profile's latencies against the GPU
// profile's on the networks both timed (state.App.EnginePair).
type EnginePair struct {
	App *state.App
}

// Plot is the scatter (a slice, empty without a comparison).
func (c *EnginePair) Plot() []PlotView {
	ep := c.App.EnginePair()
	if ep == nil {
		return nil
	}
	cmp := protocol.Comparison{Method: "GPU against CPU", Unit: "ms", Spearman: ep.Spearman, Points: ep.Points}
	v := plotView("engine-pair-scatter", cmp)
	// plotView's titles say predicted/measured; these are two devices.
	for i, p := range ep.Points {
		v.Dots[i].Title = fmt.Sprintf("%s: CPU %s ms, GPU %s ms", p.Arch, chart.Num(p.Predicted), chart.Num(p.Measured))
	}
	return []PlotView{v}
}

// Count is the number of networks both engines timed.
func (c *EnginePair) Count() string {
	if ep := c.App.EnginePair(); ep != nil {
		return fmt.Sprint(len(ep.Points))
	}
	return "0"
}

// Summary says in words how alike the two devices are.
func (c *EnginePair) Summary() string {
	ep := c.App.EnginePair()
	if ep == nil {
		return ""
	}
	alike := "they order the networks almost alike"
	switch {
	case ep.Spearman < 0.8:
		alike = "they order the networks quite differently: what is fast on one is not what is fast on the other"
	case ep.Spearman < 0.95:
		alike = "they order the networks somewhat differently"
	}
	return fmt.Sprintf("On the %d networks both timed, the GPU takes %s the CPU's time (median), from %s to %s (the table names the networks); rank correlation %.3f: %s.",
		len(ep.Points), ratioText(ep.MedianRatio), ratioText(ep.BestRatio), ratioText(ep.WorstRatio), ep.Spearman, alike)
}

// PairRow is a network of the table.
type PairRow struct{ Arch, CPU, GPU, Ratio string }

// Rows are the three networks where the GPU does relatively best and the
// three where it does worst.
func (c *EnginePair) Rows() []PairRow {
	ep := c.App.EnginePair()
	if ep == nil {
		return nil
	}
	pts := append([]protocol.XYPair(nil), ep.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Measured/pts[i].Predicted < pts[j].Measured/pts[j].Predicted })
	if len(pts) > 6 {
		pts = append(pts[:3], pts[len(pts)-3:]...)
	}
	out := make([]PairRow, len(pts))
	for i, p := range pts {
		out[i] = PairRow{Arch: p.Arch, CPU: msText(p.Predicted), GPU: msText(p.Measured), Ratio: ratioText(p.Measured / p.Predicted)}
	}
	return out
}

// ratioText is a speed ratio, "0.25x".
func ratioText(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0fx", r)
	}
	return fmt.Sprintf("%.2gx", r)
}
