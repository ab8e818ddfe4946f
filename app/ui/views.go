package ui

import (
	"fmt"
	"strings"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/protocol"
)

// Views: chart geometry as the strings the markup needs.

// BarView is a bar of a chart.
type BarView struct{ X, Y, W, H, Title, Label, LX, LY string }

func barViews(bars []chart.Bar, labelY float64) []BarView {
	out := make([]BarView, len(bars))
	for i, b := range bars {
		out[i] = BarView{X: chart.Num(b.X), Y: chart.Num(b.Y), W: chart.Num(b.W), H: chart.Num(b.H),
			Title: b.Title, Label: b.Label, LX: chart.Num(b.X + b.W/2), LY: chart.Num(labelY)}
	}
	return out
}

// TickView is an axis tick.
type TickView struct{ Pos, Label string }

func tickViews(ts []chart.Tick) []TickView {
	out := make([]TickView, len(ts))
	for i, t := range ts {
		out[i] = TickView{Pos: chart.Num(t.Pos), Label: t.Label}
	}
	return out
}

// DotView is a point.
type DotView struct {
	X, Y, Title, Class, Label, LX, LY, Anchor, LabelClass string
	// Leader joins a label placed away from its dot (LX1, LY1 to LX2, LY2).
	Leader             bool
	LX1, LY1, LX2, LY2 string
}

// PlotView is a scatter plot of predicted against measured latency.
type PlotView struct {
	ID, Method, Spearman, Kendall, XLabel string
	// Error is the median absolute error ("12%"), or "-" where the
	// method's ms are not this device's (the nearest device).
	Error            string
	Dots             []DotView
	XTicks, YTicks   []TickView
	Diagonal         string
	X0, X1, Y0, Y1   string // plot area
	PW, PH           string // its width and height
	XLabelX, YLabelY string
	XTickY, YTickX   string // where the tick labels sit
	XLabelY          string // the x axis label's baseline
}

// scatterFrame is the viewBox of every scatter plot (0 0 300 270): the top
// margin holds the dashed diagonal's legend, the others tick and axis
// labels sized for a projector (13 and 14 units).
var scatterFrame = chart.Frame{W: 300, H: 270, Left: 54, Right: 18, Top: 26, Bottom: 48}

func plotView(id string, c protocol.Comparison) PlotView { return plotViewIn(id, c, 0, 0) }

// plotViewIn is plotView on the domain [lo, hi] of both axes (for an
// on-scale comparison; hi <= lo: the comparison's own).
func plotViewIn(id string, c protocol.Comparison, lo, hi float64) PlotView {
	xs := make([]float64, len(c.Points))
	ys := make([]float64, len(c.Points))
	titles := make([]string, len(c.Points))
	for i, p := range c.Points {
		xs[i], ys[i] = p.Predicted, p.Measured
		titles[i] = fmt.Sprintf("%s: predicted %s %s, measured %s ms", p.Arch, chart.Num(p.Predicted), c.Unit, chart.Num(p.Measured))
	}
	f := scatterFrame
	p := chart.Scatter(f, xs, ys, titles, c.OnScale)
	if c.OnScale && hi > lo {
		p = chart.ScatterSame(f, xs, ys, titles, lo, hi)
	}
	v := PlotView{ID: id, Method: c.Method, Spearman: fmt.Sprintf("%.3f", c.Spearman), Kendall: fmt.Sprintf("%.3f", c.Kendall), Error: apeText(c),
		XLabel: "predicted (" + c.Unit + ")", Diagonal: p.Diagonal,
		XTicks: tickViews(p.XTicks), YTicks: tickViews(p.YTicks),
		X0: chart.Num(f.X0()), X1: chart.Num(f.X1()), Y0: chart.Num(f.Y0()), Y1: chart.Num(f.Y1()),
		PW: chart.Num(f.X1() - f.X0()), PH: chart.Num(f.Y0() - f.Y1()),
		XLabelX: chart.Num((f.X0() + f.X1()) / 2), YLabelY: chart.Num((f.Y0() + f.Y1()) / 2),
		XTickY: chart.Num(f.Y0() + 19), YTickX: chart.Num(f.X0() - 6), XLabelY: chart.Num(f.H - 6)}
	switch {
	case c.Unit != "ms":
		v.XLabel = c.Unit + " (a proxy, not a latency)"
	case !c.OnScale:
		v.XLabel = "that device's latency (ms)"
	}
	for _, d := range p.Dots {
		v.Dots = append(v.Dots, DotView{X: chart.Num(d.X), Y: chart.Num(d.Y), Title: d.Title})
	}
	return v
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }
func f2(v float64) string { return fmt.Sprintf("%.2f", v) }

// msText formats a latency for reading, with sensible precision.
func msText(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

// usText formats a duration in microseconds: "5 µs".
func usText(us float64) string { return fmt.Sprintf("%.0f µs", us) }

// speedText says how much slower (ratio > 1) or faster (< 1) something
// ran, in words: "the machine is 1.55x slower than during the profile",
// "the machine ran 6% faster than ...".
func speedText(ratio float64, subject, than string) string {
	switch {
	case ratio >= 1.1:
		return fmt.Sprintf("%s %.2fx slower %s", subject, ratio, than)
	case ratio > 1:
		return fmt.Sprintf("%s %.0f%% slower %s", subject, 100*(ratio-1), than)
	case ratio <= 1/1.1:
		return fmt.Sprintf("%s %.2fx faster %s", subject, 1/ratio, than)
	}
	return fmt.Sprintf("%s %.0f%% faster %s", subject, 100*(1/ratio-1), than)
}

// apeText is a comparison's median absolute error in percent, or "-".
func apeText(c protocol.Comparison) string {
	if !c.HasAPE {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*c.MedianAPE)
}

// intervalText is a prediction with its interval: "21.5 ms ± 2.1".
func intervalText(ms, halfWidth float64) string {
	if halfWidth <= 0 {
		return msText(ms)
	}
	return msText(ms) + " ± " + strings.TrimSuffix(msText(halfWidth), " ms")
}
