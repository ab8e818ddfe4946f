package ui

import (
	"fmt"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/state"
)

// Validation shows predicted against measured latency on held-out networks.
type Validation struct {
	App *state.App
}

// Plots are HELP's and the baselines' scatter plots.
func (c *Validation) Plots() []PlotView {
	var out []PlotView
	for i, cmp := range c.App.Result.Validation {
		out = append(out, plotView(fmt.Sprintf("plot-%d", i), cmp))
	}
	return out
}

// StepPlot is the scatter of the selected adaptation step (a slice so the
// markup can skip it when there is none).
func (c *Validation) StepPlot() []PlotView {
	steps := c.App.Result.Steps
	if c.App.Step < 0 || c.App.Step >= len(steps) {
		return nil
	}
	lo, hi := c.stepDomain()
	return []PlotView{plotViewIn("step-plot", steps[c.App.Step], lo, hi)}
}

// stepDomain is the range of every adaptation step's predicted and
// measured latencies: the steps share axes, so a point that moves between
// them moved in its prediction, not because an axis rescaled.
func (c *Validation) stepDomain() (lo, hi float64) {
	var vs [][]float64
	for _, st := range c.App.Result.Steps {
		for _, p := range st.Points {
			vs = append(vs, []float64{p.Predicted, p.Measured})
		}
	}
	return chart.Bounds(vs...)
}

// StepPlots are all the adaptation steps on shared axes, side by side.
func (c *Validation) StepPlots() []PlotView {
	lo, hi := c.stepDomain()
	var out []PlotView
	for i, st := range c.App.Result.Steps {
		out = append(out, plotViewIn(fmt.Sprintf("step-all-%d", i), st, lo, hi))
	}
	return out
}

// StepClass marks the selected step's button.
func (c *Validation) StepClass(i int) string {
	if i == c.App.Step {
		return "step selected"
	}
	return "step"
}
