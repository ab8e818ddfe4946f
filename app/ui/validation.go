package ui

import (
	"fmt"

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
	return []PlotView{plotView("step-plot", steps[c.App.Step])}
}

// StepClass marks the selected step's button.
func (c *Validation) StepClass(i int) string {
	if i == c.App.Step {
		return "step selected"
	}
	return "step"
}
