package ui

import (
	"fmt"

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

// Min and Max bound the budget slider.
func (c *Explore) Min() string { lo, _ := c.App.BudgetRange(); return fmt.Sprintf("%.3f", lo) }
func (c *Explore) Max() string { _, hi := c.App.BudgetRange(); return fmt.Sprintf("%.3f", hi) }

// PickText names the pick under the budget.
func (c *Explore) PickText() string {
	p, ok := c.App.Pick()
	if !ok {
		return "No MetaD2A candidate is predicted to fit this budget."
	}
	return fmt.Sprintf("Pick: %s, %.2f%% CIFAR-100 accuracy, predicted %s. Press edit to load it into the editor, then measure it.", p.Arch, p.Accuracy, msText(p.PredictedMS))
}
