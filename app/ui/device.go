package ui

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/helpwasm/helpwasm/app/chart"
	"github.com/helpwasm/helpwasm/app/protocol"
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

// mapFrame is the device map's viewBox; the margins leave room for labels.
var mapFrame = chart.Frame{W: 440, H: 320, Left: 60, Right: 60, Top: 24, Bottom: 24}

// DeviceKind is the kind of hardware a known device of HELP's is, by its
// name: "gpu", "cpu" (server CPUs), "mobile" (phones and the Raspberry
// Pi), "accel" (FPGA and ASIC), or "other".
func DeviceKind(name string) string {
	switch {
	case strings.HasPrefix(name, "1080ti"), strings.HasPrefix(name, "titan"), strings.HasPrefix(name, "2080ti"), strings.HasPrefix(name, "rtx"):
		return "gpu"
	case strings.HasPrefix(name, "silver_"), strings.HasPrefix(name, "gold_"), strings.HasPrefix(name, "xeon"):
		return "cpu"
	case strings.HasPrefix(name, "samsung_"), strings.HasPrefix(name, "pixel"), strings.HasPrefix(name, "essential"), strings.HasPrefix(name, "raspi"):
		return "mobile"
	case name == "fpga", name == "eyeriss", strings.HasPrefix(name, "edgetpu"):
		return "accel"
	}
	return "other"
}

// KindNames are the map legend's words for DeviceKind's kinds.
var KindNames = map[string]string{"gpu": "GPU", "cpu": "server CPU", "mobile": "phone or Raspberry Pi (ARM CPU)", "accel": "FPGA or ASIC accelerator", "other": "other"}

// MapDots places the known devices and this one, coloured by kind, each
// named beside its dot where the name fits without overlapping another
// (this device's first, then the nearest devices'); a name that does not
// fit stays in the dot's hover title.
func (c *Device) MapDots() []DotView {
	f := mapFrame
	pts := c.App.Result.Map
	xs := make([]float64, len(pts))
	ys := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p.X, p.Y
	}
	px, py := chart.Place(f, xs, ys)
	rank := map[string]int{}
	for i, n := range c.App.Result.Nearest {
		rank[n.Device] = i + 1
	}
	order := make([]int, len(pts))
	radius := make([]float64, len(pts))
	texts := make([]string, len(pts))
	widths := make([]float64, len(pts))
	for i, p := range pts {
		order[i] = i
		// Widths at the labels' font sizes (style.css: .map-label 12px,
		// the self label 14px bold with a 3px halo), taken generously:
		// digits and underscores run to about 0.64 em in a sans-serif, a
		// bold face to 0.7 em, and an estimate short of the real text lets
		// two labels overlap (the browser test measures them).
		radius[i], texts[i], widths[i] = 6, p.Device, 8*float64(len(p.Device))
		if p.Self {
			radius[i], widths[i] = 10, 10.5*float64(len(p.Device))+4
		}
	}
	prio := func(i int) int {
		switch {
		case pts[i].Self:
			return 0
		case rank[pts[i].Device] > 0:
			return rank[pts[i].Device]
		}
		return 1000
	}
	sort.SliceStable(order, func(a, b int) bool { return prio(order[a]) < prio(order[b]) })
	labels := chart.PlaceLabels(f, px, py, radius, texts, widths, order, 16)
	out := make([]DotView, 0, len(pts))
	var self DotView
	for i, p := range pts {
		kind := DeviceKind(p.Device)
		d := DotView{X: chart.Num(px[i]), Y: chart.Num(py[i]), Title: fmt.Sprintf("%s: %s, HELP's meta-%s device", p.Device, KindNames[kind], splitName(p.Split)),
			Class: "dev " + kind, LabelClass: "map-label"}
		if l := labels[i]; l.Placed {
			d.Label, d.LX, d.LY, d.Anchor = p.Device, chart.Num(l.X), chart.Num(l.Y), l.Anchor
			if l.Leader {
				d.Leader = true
				d.LX1, d.LY1, d.LX2, d.LY2 = chart.Num(l.LX1), chart.Num(l.LY1), chart.Num(l.LX2), chart.Num(l.LY2)
			}
		}
		if p.Split == "test" {
			d.Class += " unseen"
		}
		if p.Self {
			d.Title, d.Class, d.LabelClass = "this device", "dev self", "map-label self-label"
			self = d
			continue
		}
		out = append(out, d)
	}
	return append(out, self) // drawn last, on top
}

// MapKinds are the legend's entries: the kinds on the map, in a fixed order.
func (c *Device) MapKinds() []SpaceOption {
	seen := map[string]bool{}
	for _, p := range c.App.Result.Map {
		if !p.Self {
			seen[DeviceKind(p.Device)] = true
		}
	}
	var out []SpaceOption
	for _, k := range []string{"gpu", "cpu", "mobile", "accel", "other"} {
		if seen[k] {
			out = append(out, SpaceOption{Name: "key " + k, Label: KindNames[k]})
		}
	}
	return out
}

func splitName(s string) string {
	switch s {
	case "train":
		return "training"
	case "valid":
		return "validation"
	case "test":
		return "test (unseen in training)"
	}
	return s
}

// Similarity is a nearest device's correlation to three decimals.
func Similarity(r float64) string { return fmt.Sprintf("%.3f", r) }

// Title heads the device card: which of this device's engines the
// profile timed.
func (c *Device) Title() string {
	if r := c.App.Result; r.Engine == protocol.EngineGPU {
		return "Your device's GPU (" + r.Adapter + ")"
	}
	return "Your device"
}

// Details lists timing facts and any unstable measurements.
func (c *Device) Details() string {
	r := c.App.Result
	s := fmt.Sprintf("Latency scale (anchors): %s to %s. Clock resolution %s. One prediction takes %.2f ms. Timed with %s.",
		msText(r.ScaleMS[0]), msText(r.ScaleMS[1]), usText(r.ClockStepUS), r.PredictOneMS, strings.TrimSuffix(r.Meta.Runtime, "."))
	if r.PhaseMS.Total > 0 {
		s += fmt.Sprintf(" Phases: reference and support %.1f s, adaptation and fitting %.2f s, validation %.1f s.",
			r.PhaseMS.Labelled/1000, r.PhaseMS.Adapt/1000, r.PhaseMS.Validation/1000)
	}
	if r.Drift > 0 && math.Abs(r.Drift-1) > 0.05 {
		s += " While the validation networks were timed, " + speedText(r.Drift, "the machine ran", "than while the reference and support networks were") + "; their timings were rescaled to match."
	}
	if n := len(r.Unstable); n > 0 && r.Engine == protocol.EngineGPU {
		s += fmt.Sprintf(" %d of %d timings were noisy (kept, and flagged in the exported profile; the GPU's quick profile does not re-measure).",
			n, len(r.Reference)+len(r.Anchors)+len(r.Support))
	} else if n > 0 {
		s += fmt.Sprintf(" %d of %d timings stayed noisy after re-measuring (kept, and flagged in the exported profile); a busy machine or a throttled tab causes this.",
			n, len(r.Reference)+len(r.Anchors)+len(r.Support))
	}
	return s
}
