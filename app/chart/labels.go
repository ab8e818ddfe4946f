package chart

import "math"

// Label placement for the device map: every point gets its name beside it
// where the name overlaps no other label, no other point and stays inside
// the frame; points are served in priority order, so the most important
// names get the best places.

// Label is a placed name: where its text starts (X, Y: the text's
// vertical middle), its anchor ("start", "middle" or "end"), and whether
// a leader line joins it to a point it had to move away from.
type Label struct {
	X, Y   float64
	Anchor string
	Placed bool // false: no free place was found (the point keeps its hover title)
	Leader bool // drawn away from the point: join them with a line
	// LX1, LY1 to LX2, LY2 is the leader line, if any.
	LX1, LY1, LX2, LY2 float64
}

// box is an axis-aligned rectangle.
type box struct{ x0, y0, x1, y1 float64 }

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// PlaceLabels places texts[i] (widths[i] units wide, lineH units tall)
// beside the point (xs[i], ys[i]) of radius r[i], in the order
// given by order (indices into xs; every point is an obstacle, whether
// labelled or not). It tries eight places around the point, then the same
// further out with a leader line.
func PlaceLabels(f Frame, xs, ys, r []float64, texts []string, widths []float64, order []int, lineH float64) []Label {
	out := make([]Label, len(xs))
	var taken []box
	for i := range xs {
		taken = append(taken, box{xs[i] - r[i], ys[i] - r[i], xs[i] + r[i], ys[i] + r[i]})
	}
	for _, i := range order {
		if texts[i] == "" {
			continue
		}
		w := widths[i]
		for _, far := range []float64{0, 14, 28} {
			d := r[i] + 3 + far
			// Right, left, above, below, then the diagonals.
			cands := []struct {
				x, y   float64
				anchor string
			}{
				{xs[i] + d, ys[i], "start"}, {xs[i] - d, ys[i], "end"},
				{xs[i], ys[i] - d - lineH/2, "middle"}, {xs[i], ys[i] + d + lineH/2, "middle"},
				{xs[i] + d*0.7, ys[i] - d*0.7 - lineH/2, "start"}, {xs[i] + d*0.7, ys[i] + d*0.7 + lineH/2, "start"},
				{xs[i] - d*0.7, ys[i] - d*0.7 - lineH/2, "end"}, {xs[i] - d*0.7, ys[i] + d*0.7 + lineH/2, "end"},
			}
			for _, c := range cands {
				b := labelBox(c.x, c.y, w, lineH, c.anchor)
				if b.x0 < 0 || b.x1 > f.W || b.y0 < 0 || b.y1 > f.H || collides(b, taken, -1) {
					continue
				}
				l := Label{X: c.x, Y: c.y, Anchor: c.anchor, Placed: true}
				if far > 0 {
					l.Leader = true
					// From the dot's edge towards the label's nearest point.
					tx, ty := min(max(xs[i], b.x0), b.x1), min(max(ys[i], b.y0), b.y1)
					l.LX1, l.LY1, l.LX2, l.LY2 = towards(xs[i], ys[i], tx, ty, r[i]), towardsY(xs[i], ys[i], tx, ty, r[i]), tx, ty
				}
				out[i] = l
				taken = append(taken, b)
				break
			}
			if out[i].Placed {
				break
			}
		}
	}
	return out
}

func labelBox(x, y, w, h float64, anchor string) box {
	x0 := x
	switch anchor {
	case "middle":
		x0 = x - w/2
	case "end":
		x0 = x - w
	}
	return box{x0 - 1, y - h/2, x0 + w + 1, y + h/2}
}

func collides(b box, taken []box, skip int) bool {
	for j, t := range taken {
		if j != skip && b.overlaps(t) {
			return true
		}
	}
	return false
}

// towards and towardsY are the point at distance r from (x, y) in the
// direction of (tx, ty).
func towards(x, y, tx, ty, r float64) float64 {
	dx, dy := tx-x, ty-y
	n := hypot(dx, dy)
	if n == 0 {
		return x
	}
	return x + dx*r/n
}

func towardsY(x, y, tx, ty, r float64) float64 {
	dx, dy := tx-x, ty-y
	n := hypot(dx, dy)
	if n == 0 {
		return y
	}
	return y + dy*r/n
}
func hypot(x, y float64) float64 { return math.Hypot(x, y) }
