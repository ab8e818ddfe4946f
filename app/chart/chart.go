// Package chart turns numbers into SVG geometry for the page's charts: bar
// charts, scatter plots with axes, histograms and the 2-D device map. It
// computes coordinates only; the vugu components draw them, styled by
// classes (the page's CSP forbids inline styles).
//
// # Coordinates
//
// Every chart has a fixed viewBox of W x H user units with the plot area
// inside margins (Frame). SVG's y axis points down, so larger values get
// smaller y. Coordinates are formatted with Num so markup stays short.
package chart

import (
	"math"
	"strconv"
)

// Frame is a chart's viewBox and the margins around its plot area.
type Frame struct {
	W, H                     float64
	Left, Right, Top, Bottom float64
}

// ViewBox is the SVG viewBox attribute.
func (f Frame) ViewBox() string { return "0 0 " + Num(f.W) + " " + Num(f.H) }

// X0, X1, Y0, Y1 bound the plot area (Y0 is the bottom, in SVG units).
func (f Frame) X0() float64 { return f.Left }
func (f Frame) X1() float64 { return f.W - f.Right }
func (f Frame) Y0() float64 { return f.H - f.Bottom }
func (f Frame) Y1() float64 { return f.Top }

// Linear maps the domain [D0, D1] onto the range [R0, R1].
type Linear struct{ D0, D1, R0, R1 float64 }

// At maps v; a degenerate domain maps everything to the range's middle.
func (s Linear) At(v float64) float64 {
	if s.D1 == s.D0 {
		return (s.R0 + s.R1) / 2
	}
	return s.R0 + (v-s.D0)/(s.D1-s.D0)*(s.R1-s.R0)
}

// Tick is an axis tick: its position (SVG units) and label.
type Tick struct {
	Pos   float64
	Label string
}

// NiceTicks returns about n round values covering [lo, hi] (steps of 1, 2
// or 5 times a power of ten), and the extended bounds they span.
func NiceTicks(lo, hi float64, n int) (ticks []float64, tlo, thi float64) {
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, 0, 1
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		d := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-d, hi+d
	}
	if n < 2 {
		n = 2
	}
	raw := (hi - lo) / float64(n-1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	tlo = math.Floor(lo/step) * step
	thi = math.Ceil(hi/step) * step
	for v := tlo; v <= thi+step/2; v += step {
		ticks = append(ticks, math.Round(v/step)*step)
	}
	return ticks, tlo, thi
}

// Num formats an SVG coordinate or a label: at most 3 significant
// decimals, no trailing zeros.
func Num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	prec := 2
	switch a := math.Abs(v); {
	case a >= 100:
		prec = 0
	case a >= 10:
		prec = 1
	case a < 0.1 && a != 0:
		prec = 3
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if prec > 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Bar is a rectangle with a label and a title (hover text).
type Bar struct {
	X, Y, W, H   float64
	Label, Title string
}

// Bars draws values as vertical bars over the plot area, scaled from 0 to
// max(values) (or to top, if larger). Labels name the bars.
func Bars(f Frame, values []float64, top float64, labels []string) []Bar {
	for _, v := range values {
		top = math.Max(top, v)
	}
	if top <= 0 {
		top = 1
	}
	y := Linear{0, top, f.Y0(), f.Y1()}
	n := float64(len(values))
	slot := (f.X1() - f.X0()) / math.Max(n, 1)
	out := make([]Bar, len(values))
	for i, v := range values {
		h := f.Y0() - y.At(math.Max(v, 0))
		out[i] = Bar{X: f.X0() + float64(i)*slot + slot*0.1, Y: f.Y0() - h, W: slot * 0.8, H: h, Title: Num(v)}
		if i < len(labels) {
			out[i].Label = labels[i]
		}
	}
	return out
}

// Dot is a point of a scatter plot or map.
type Dot struct {
	X, Y  float64
	Title string // hover text
	Class string // CSS class, e.g. to mark this device
	Label string // text drawn beside the dot, if any
}

// Plot is a scatter plot: dots, axis ticks and an optional y = x line.
type Plot struct {
	Frame
	Dots           []Dot
	XTicks, YTicks []Tick
	Diagonal       string // SVG path data of y = x within the plot, or ""
	// XScale and YScale map data to SVG units (to place a budget line).
	XScale, YScale Linear
}

// Scatter lays out points (xs[i], ys[i]) with titles. If sameScale, both
// axes share one domain and the diagonal y = x is drawn, so a perfect
// predictor's points lie on it.
func Scatter(f Frame, xs, ys []float64, titles []string, sameScale bool) Plot {
	xlo, xhi := bounds(xs)
	ylo, yhi := bounds(ys)
	if sameScale {
		xlo, xhi = math.Min(xlo, ylo), math.Max(xhi, yhi)
		ylo, yhi = xlo, xhi
	}
	return scatter(f, xs, ys, titles, sameScale, xlo, xhi, ylo, yhi)
}

// ScatterSame is Scatter on one given domain [lo, hi] for both axes, with
// the diagonal: plots that share it can be compared point by point (the
// adaptation steps side by side, or one plot animated between them).
func ScatterSame(f Frame, xs, ys []float64, titles []string, lo, hi float64) Plot {
	return scatter(f, xs, ys, titles, true, lo, hi, lo, hi)
}

// Bounds is the finite range of the values of every slice.
func Bounds(vs ...[]float64) (lo, hi float64) {
	var all []float64
	for _, v := range vs {
		all = append(all, v...)
	}
	return bounds(all)
}

func scatter(f Frame, xs, ys []float64, titles []string, sameScale bool, xlo, xhi, ylo, yhi float64) Plot {
	p := Plot{Frame: f}
	if len(xs) == 0 || len(xs) != len(ys) {
		return p
	}
	xt, xlo, xhi := NiceTicks(xlo, xhi, 5)
	yt, ylo, yhi := NiceTicks(ylo, yhi, 5)
	sx := Linear{xlo, xhi, f.X0(), f.X1()}
	sy := Linear{ylo, yhi, f.Y0(), f.Y1()}
	p.XScale, p.YScale = sx, sy
	for _, v := range xt {
		p.XTicks = append(p.XTicks, Tick{Pos: sx.At(v), Label: Num(v)})
	}
	for _, v := range yt {
		p.YTicks = append(p.YTicks, Tick{Pos: sy.At(v), Label: Num(v)})
	}
	for i := range xs {
		d := Dot{X: sx.At(xs[i]), Y: sy.At(ys[i])}
		if i < len(titles) {
			d.Title = titles[i]
		}
		p.Dots = append(p.Dots, d)
	}
	if sameScale {
		lo, hi := math.Max(xlo, ylo), math.Min(xhi, yhi)
		p.Diagonal = "M" + Num(sx.At(lo)) + " " + Num(sy.At(lo)) + "L" + Num(sx.At(hi)) + " " + Num(sy.At(hi))
	}
	return p
}

func bounds(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if lo > hi {
		return 0, 1
	}
	return lo, hi
}

// Histogram draws bin counts as adjacent bars over edges (len(counts)+1
// bin edges), with x ticks at round values of the edges' range.
func Histogram(f Frame, edges []float64, counts []int) (bars []Bar, xticks, yticks []Tick) {
	if len(counts) == 0 || len(edges) != len(counts)+1 {
		return nil, nil, nil
	}
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	yt, _, ythi := NiceTicks(0, float64(top), 4)
	sx := Linear{edges[0], edges[len(edges)-1], f.X0(), f.X1()}
	sy := Linear{0, ythi, f.Y0(), f.Y1()}
	for i, c := range counts {
		x0, x1 := sx.At(edges[i]), sx.At(edges[i+1])
		y := sy.At(float64(c))
		bars = append(bars, Bar{X: x0, Y: y, W: math.Max(x1-x0-0.5, 0.5), H: f.Y0() - y,
			Title: strconv.Itoa(c) + " architectures at " + Num(edges[i]) + "-" + Num(edges[i+1]) + " ms"})
	}
	xt, _, _ := NiceTicks(edges[0], edges[len(edges)-1], 6)
	for _, v := range xt {
		if v >= edges[0] && v <= edges[len(edges)-1] {
			xticks = append(xticks, Tick{Pos: sx.At(v), Label: Num(v)})
		}
	}
	for _, v := range yt {
		yticks = append(yticks, Tick{Pos: sy.At(v), Label: Num(v)})
	}
	return bars, xticks, yticks
}

// Place fits points into the plot area keeping their aspect ratio (a map
// must not stretch one axis), centred.
func Place(f Frame, xs, ys []float64) (px, py []float64) {
	xlo, xhi := bounds(xs)
	ylo, yhi := bounds(ys)
	w, h := f.X1()-f.X0(), f.Y0()-f.Y1()
	dx, dy := math.Max(xhi-xlo, 1e-9), math.Max(yhi-ylo, 1e-9)
	scale := math.Min(w/dx, h/dy)
	cx, cy := (f.X0()+f.X1())/2, (f.Y0()+f.Y1())/2
	mx, my := (xlo+xhi)/2, (ylo+yhi)/2
	px, py = make([]float64, len(xs)), make([]float64, len(ys))
	for i := range xs {
		px[i] = cx + (xs[i]-mx)*scale
		py[i] = cy - (ys[i]-my)*scale
	}
	return px, py
}
