package chart

import (
	"math"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi   float64
		n        int
		want     []float64
		tlo, thi float64
	}{
		{0, 1, 5, []float64{0, 0.5, 1}, 0, 1},
		{3.2, 97, 5, []float64{0, 50, 100}, 0, 100},
		{12, 13, 5, []float64{12, 12.5, 13}, 12, 13},
		{5, 5, 3, []float64{4, 5, 6}, 4, 6}, // degenerate: widened
		{-1, 1, 3, []float64{-1, 0, 1}, -1, 1},
	} {
		got, tlo, thi := NiceTicks(tc.lo, tc.hi, tc.n)
		if len(got) != len(tc.want) || tlo != tc.tlo || thi != tc.thi {
			t.Errorf("NiceTicks(%v, %v, %d) = %v [%v, %v], want %v [%v, %v]", tc.lo, tc.hi, tc.n, got, tlo, thi, tc.want, tc.tlo, tc.thi)
			continue
		}
		for i := range got {
			if !approx.Close(got[i], tc.want[i], 1e-12) {
				t.Errorf("NiceTicks(%v, %v): tick %d = %v, want %v", tc.lo, tc.hi, i, got[i], tc.want[i])
			}
		}
	}
	if ticks, _, _ := NiceTicks(math.NaN(), 1, 5); ticks != nil {
		t.Errorf("NaN bound gave ticks %v", ticks)
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1: "1", 1.5: "1.5", 12.34: "12.3", 123.4: "123", 0.01234: "0.012", -0.0001: "0", math.NaN(): "0", 2.50: "2.5"} {
		if got := Num(v); got != want {
			t.Errorf("Num(%v) = %q, want %q", v, got, want)
		}
	}
}

var frame = Frame{W: 300, H: 200, Left: 40, Right: 10, Top: 10, Bottom: 30}

func TestScatterMapsCornersAndDiagonal(t *testing.T) {
	xs := []float64{0, 10, 5}
	ys := []float64{0, 10, 2}
	p := Scatter(frame, xs, ys, []string{"a", "b", "c"}, true)
	if len(p.Dots) != 3 {
		t.Fatalf("%d dots", len(p.Dots))
	}
	// Ticks 0..10 span the data exactly, so the extremes hit the corners.
	check := func(what string, got, want float64) {
		t.Helper()
		if !approx.Close(got, want, 1e-9) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("min x", p.Dots[0].X, frame.X0())
	check("min y", p.Dots[0].Y, frame.Y0())
	check("max x", p.Dots[1].X, frame.X1())
	check("max y", p.Dots[1].Y, frame.Y1())
	check("mid x", p.Dots[2].X, (frame.X0()+frame.X1())/2)
	if p.Dots[2].Title != "c" {
		t.Errorf("title %q", p.Dots[2].Title)
	}
	if want := "M40 170L290 10"; p.Diagonal != want {
		t.Errorf("diagonal %q, want %q", p.Diagonal, want)
	}
	if q := Scatter(frame, xs, ys, nil, false); q.Diagonal != "" {
		t.Error("diagonal drawn for different scales")
	}
	if q := Scatter(frame, xs, ys[:2], nil, true); len(q.Dots) != 0 {
		t.Error("mismatched lengths drew dots")
	}
}

func TestBarsHeights(t *testing.T) {
	bars := Bars(frame, []float64{0, 0.5, 1}, 0, []string{"x", "y", "z"})
	plotH := frame.Y0() - frame.Y1()
	for i, want := range []float64{0, plotH / 2, plotH} {
		if !approx.Close(bars[i].H, want, 1e-9) || !approx.Close(bars[i].Y+bars[i].H, frame.Y0(), 1e-9) {
			t.Errorf("bar %d: y %v h %v, want height %v on the baseline", i, bars[i].Y, bars[i].H, want)
		}
	}
	if bars[2].Label != "z" || bars[1].X <= bars[0].X {
		t.Errorf("bars out of order: %+v", bars)
	}
}

func TestHistogramCoversEdges(t *testing.T) {
	edges := []float64{1, 2, 3, 4}
	counts := []int{5, 10, 0}
	bars, xt, yt := Histogram(frame, edges, counts)
	if len(bars) != 3 || len(xt) == 0 || len(yt) == 0 {
		t.Fatalf("%d bars, %d x ticks, %d y ticks", len(bars), len(xt), len(yt))
	}
	if !approx.Close(bars[0].X, frame.X0(), 1e-9) || bars[2].H != 0 || bars[1].H <= bars[0].H {
		t.Errorf("bars %+v", bars)
	}
	if b, _, _ := Histogram(frame, edges, counts[:2]); b != nil {
		t.Error("inconsistent edges accepted")
	}
}

func TestPlaceKeepsAspect(t *testing.T) {
	px, py := Place(frame, []float64{0, 2}, []float64{0, 1})
	// Plot area is 250 x 160: x spans 2 units, y 1, so the scale is 125.
	if !approx.Close(px[1]-px[0], 250, 1e-9) || !approx.Close(py[0]-py[1], 125, 1e-9) {
		t.Errorf("placed %v %v", px, py)
	}
}

// Labels placed for a crowded map overlap neither each other nor any point.
func TestPlaceLabelsNoOverlap(t *testing.T) {
	f := Frame{W: 400, H: 300}
	var xs, ys, r []float64
	var texts []string
	var order []int
	for i := range 20 {
		// A tight cluster of 12 and a looser spread.
		x, y := 200+float64(i%4)*9, 150+float64(i/4)*7
		if i >= 12 {
			x, y = 40+float64(i)*15, 40+float64(i%3)*60
		}
		xs, ys, r = append(xs, x), append(ys, y), append(r, 6)
		texts = append(texts, "device_"+string(rune('a'+i)))
		order = append(order, i)
	}
	widths := make([]float64, len(texts))
	for i, s := range texts {
		widths[i] = 5.8 * float64(len(s))
	}
	ls := PlaceLabels(f, xs, ys, r, texts, widths, order, 12)
	var boxes []box
	placed := 0
	for i, l := range ls {
		if !l.Placed {
			continue
		}
		placed++
		b := labelBox(l.X, l.Y, 5.8*float64(len(texts[i])), 12, l.Anchor)
		if b.x0 < 0 || b.x1 > f.W || b.y0 < 0 || b.y1 > f.H {
			t.Errorf("label %d outside the frame: %+v", i, b)
		}
		for j := range xs {
			if b.overlaps(box{xs[j] - r[j], ys[j] - r[j], xs[j] + r[j], ys[j] + r[j]}) {
				t.Errorf("label %d covers point %d", i, j)
			}
		}
		for k, o := range boxes {
			if b.overlaps(o) {
				t.Errorf("label %d overlaps an earlier label %d", i, k)
			}
		}
		boxes = append(boxes, b)
	}
	if placed < 16 {
		t.Errorf("placed %d of 20 labels", placed)
	}
}
