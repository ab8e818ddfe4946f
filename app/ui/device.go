package ui

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/state"
)

// Device shows the profiled device: embedding, map and nearest devices.
type Device struct {
	App *state.App
}

// EmbeddingBars draws the normalised reference latencies.
func (c *Device) EmbeddingBars() []BarView {
	f := chart.Frame{W: 400, H: 220, Left: 30, Right: 5, Top: 10, Bottom: 40}
	r := c.App.Result
	labels := make([]string, len(r.Embedding))
	for i := range labels {
		labels[i] = fmt.Sprint(i + 1)
	}
	bars := chart.Bars(f, r.Embedding, 1, labels)
	for i := range bars {
		if i < len(r.Reference) {
			bars[i].Title = fmt.Sprintf("%d: %s, %s (%.2f)", i+1, r.Reference[i].Arch, msText(r.Reference[i].MS), r.Embedding[i])
		}
	}
	return barViews(bars, f.Y0()+16)
}

// MapDots places the known devices and this one.
func (c *Device) MapDots() []DotView {
	f := chart.Frame{W: 400, H: 300, Left: 20, Right: 90, Top: 20, Bottom: 20}
	pts := c.App.Result.Map
	xs := make([]float64, len(pts))
	ys := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.X, p.Y
	}
	px, py := chart.Place(f, xs, ys)
	out := make([]DotView, 0, len(pts))
	// Label only this device and its three nearest neighbours; the rest
	// name themselves on hover, so labels do not pile up.
	labelled := map[string]bool{}
	for i, n := range c.App.Result.Nearest {
		if i < 3 {
			labelled[n.Device] = true
		}
	}
	var self DotView
	for i, p := range pts {
		d := DotView{X: chart.Num(px[i]), Y: chart.Num(py[i]), Title: p.Device + " (" + p.Split + ")",
			LX: chart.Num(px[i] + 9), LY: chart.Num(py[i]), Anchor: "start", Class: "dev " + p.Split, LabelClass: "map-label"}
		if labelled[p.Device] || p.Self {
			d.Label = p.Device
		}
		if p.Self {
			// Above its (larger) dot, clear of the neighbours' labels.
			d.Title, d.LX, d.LY, d.Anchor, d.LabelClass = p.Device, d.X, chart.Num(py[i]-16), "middle", "map-label self-label"
			d.Class = "dev self"
			self = d
			continue
		}
		out = append(out, d)
	}
	return append(out, self) // drawn last, on top
}

// Details lists timing facts and any unstable measurements.
func (c *Device) Details() string {
	r := c.App.Result
	s := fmt.Sprintf("Latency scale (anchors): %s to %s. Clock resolution %.0f us. One prediction takes %.2f ms. %s",
		msText(r.ScaleMS[0]), msText(r.ScaleMS[1]), r.ClockStepUS, r.PredictOneMS, r.Meta.Runtime)
	if r.PhaseMS.Total > 0 {
		s += fmt.Sprintf(" Phases: reference and support %.1f s, adaptation and fitting %.2f s, validation %.1f s.",
			r.PhaseMS.Labelled/1000, r.PhaseMS.Adapt/1000, r.PhaseMS.Validation/1000)
	}
	if r.Drift > 0 && math.Abs(r.Drift-1) > 0.05 {
		s += fmt.Sprintf(" The machine ran %.2fx as slow while timing the validation samples as during the reference and support phase; their timings were rescaled to match.", r.Drift)
	}
	if n := len(r.Unstable); n > 0 {
		s += fmt.Sprintf(" %d of %d timings stayed noisy after re-measuring (kept, and flagged in the exported profile); a busy machine or a throttled tab causes this.",
			n, len(r.Reference)+len(r.Anchors)+len(r.Support))
	}
	return s
}
