package ui

import (
	"fmt"
	"math"
	"strings"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/state"
)

// Explore shows predictions for the whole space and the constrained pick.
type Explore struct {
	App *state.App
}

var histFrame = chart.Frame{W: 640, H: 230, Left: 50, Right: 10, Top: 10, Bottom: 40}

func (c *Explore) hist() ([]chart.Bar, []chart.Tick, []chart.Tick) {
	h := c.App.Explored.Histogram
	return chart.Histogram(histFrame, h.Edges, h.Counts)
}

// Hist, HistX and HistY are the histogram's bars and axis ticks.
func (c *Explore) Hist() []BarView   { b, _, _ := c.hist(); return barViews(b, 0) }
func (c *Explore) HistX() []TickView { _, x, _ := c.hist(); return tickViews(x) }
func (c *Explore) HistY() []TickView { _, _, y := c.hist(); return tickViews(y) }

// Took says how long predicting everything took.
func (c *Explore) Took() string {
	e := c.App.Explored
	s := fmt.Sprintf("Predicted %d networks in %.0f ms in this page", e.Count, e.TookMS)
	if e.PlanMS > 0 {
		s += fmt.Sprintf(", after encoding the space once (%.0f ms)", e.PlanMS)
	}
	if e.MeanZ {
		s += ". HELP draws a random code for the device each time it predicts; here, as in every interactive prediction on this page, it uses the average code, so the predictions are quick and repeatable (the validation plots average 10 draws, as the paper does)"
	}
	return s + "."
}

// Min and Max bound the budget slider, rounded outwards to 3 decimals:
// rounded to nearest, the slider's far end could fall a hair below the
// slowest candidate, which then never fits.
func (c *Explore) Min() string {
	lo, _ := c.App.BudgetRange()
	return fmt.Sprintf("%.3f", math.Floor(lo*1000)/1000)
}

func (c *Explore) Max() string {
	_, hi := c.App.BudgetRange()
	return fmt.Sprintf("%.3f", math.Ceil(hi*1000)/1000)
}

// PickText names the pick under the budget.
func (c *Explore) PickText() string {
	p, ok := c.App.Pick()
	t := textOf(c.App.Space.Name())
	if !ok {
		return "None of " + strings.ToLower(t.Candidates[:1]) + t.Candidates[1:] + " is predicted to fit this budget."
	}
	s := fmt.Sprintf("Pick: %s, %.2f%% %s, predicted %s", p.Arch, p.Accuracy, t.Accuracy, msText(p.PredictedMS))
	if p.Note != "" {
		s += " (" + p.Note + ")"
	}
	return s + ". Press edit to load it into the editor, then measure it."
}

// nasFrame is the NAS plot's viewBox (0 0 640 300).
var nasFrame = chart.Frame{W: 640, H: 300, Left: 56, Right: 14, Top: 12, Bottom: 46}

// NASView is the NAS plot: MetaD2A's candidates by predicted latency and
// accuracy, the budget as a vertical line, the pick ringed.
type NASView struct {
	Dots                          []DotView
	XTicks, YTicks                []TickView
	BudgetX, Y0, Y1, X0, X1, W, H string
	BudgetLabel                   string
}

// NASPlot lays out the NAS plot (nil without candidates).
func (c *Explore) NASPlot() []NASView {
	if !c.HasCandidates() {
		return nil
	}
	cands := c.App.Explored.Candidates
	xs := make([]float64, len(cands))
	ys := make([]float64, len(cands))
	titles := make([]string, len(cands))
	for i, k := range cands {
		xs[i], ys[i] = k.PredictedMS, k.Accuracy
		titles[i] = fmt.Sprintf("%s: %.2f%% accuracy, predicted %s", k.Arch, k.Accuracy, msText(k.PredictedMS))
		if k.Note != "" {
			titles[i] += " (" + k.Note + ")"
		}
	}
	f := nasFrame
	p := chart.Scatter(f, xs, ys, titles, false)
	pick, ok := c.App.Pick()
	v := NASView{XTicks: tickViews(p.XTicks), YTicks: tickViews(p.YTicks),
		X0: chart.Num(f.X0()), X1: chart.Num(f.X1()), Y0: chart.Num(f.Y0()), Y1: chart.Num(f.Y1()),
		W: chart.Num(f.X1() - f.X0()), H: chart.Num(f.Y0() - f.Y1()),
		BudgetX:     chart.Num(min(max(p.XScale.At(c.App.BudgetMS), f.X0()), f.X1())),
		BudgetLabel: "budget " + msText(c.App.BudgetMS)}
	var picked DotView
	for i, d := range p.Dots {
		dv := DotView{X: chart.Num(d.X), Y: chart.Num(d.Y), Title: d.Title, Class: "cand"}
		if cands[i].PredictedMS > c.App.BudgetMS {
			dv.Class = "cand over"
		}
		if ok && cands[i].Arch == pick.Arch {
			dv.Class = "cand pick"
			picked = dv
			continue
		}
		v.Dots = append(v.Dots, dv)
	}
	if ok {
		v.Dots = append(v.Dots, picked) // on top
	}
	return []NASView{v}
}
