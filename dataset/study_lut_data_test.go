package dataset

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/fbnet"
)

// The LUT study (HELPWASM_STUDY=1 go test ./dataset/ -run 'TestStudyLUT' -v)
// asks whether a per-layer, per-op lookup table (FBNet's own latency
// model: one cost per layer and non-skip choice, 22 x 8, fitted by ridge
// or NNLS to all of a device's rows) smooths a whole-ms known device
// better than the op-cost features do, and how far the whole-ms phones'
// noise is from their rounding (docs/RESULTS.md §20).

// lutFeatures: one-hot per layer and non-skip choice (22*8).
func lutFeatures(d *Data) [][]float64 {
	out := make([][]float64, len(d.Archs))
	for r, a := range d.Archs {
		arch := a.(fbnet.Arch)
		f := make([]float64, fbnet.NumLayers*8)
		for l, c := range arch {
			if c != fbnet.Skip {
				f[l*8+int(c)] = 1
			}
		}
		out[r] = f
	}
	return out
}

// ridgeFit: intercept unpenalised (centered), ridge lambda on coefficients.
func ridgeFit(xs [][]float64, y []float64, lambda float64) (float64, []float64) {
	n, p := len(xs), len(xs[0])
	mx := make([]float64, p)
	my := 0.0
	for i, x := range xs {
		for j, v := range x {
			mx[j] += v / float64(n)
		}
		my += y[i] / float64(n)
	}
	a := mat.NewSymDense(p, nil)
	b := mat.NewVecDense(p, nil)
	for i, x := range xs {
		for j := range p {
			xj := x[j] - mx[j]
			b.SetVec(j, b.AtVec(j)+xj*(y[i]-my))
			for k := j; k < p; k++ {
				a.SetSym(j, k, a.At(j, k)+xj*(x[k]-mx[k]))
			}
		}
	}
	for j := range p {
		a.SetSym(j, j, a.At(j, j)+lambda)
	}
	var w mat.VecDense
	if err := w.SolveVec(a, b); err != nil {
		panic(err)
	}
	coef := make([]float64, p)
	icpt := my
	for j := range p {
		coef[j] = w.AtVec(j)
		icpt -= coef[j] * mx[j]
	}
	return icpt, coef
}

func predLin(b float64, w []float64, xs [][]float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = b
		for j, v := range x {
			out[i] += w[j] * v
		}
	}
	return out
}

// TestStudyLUTCeiling fits S, the LUT and both to every non-query row of
// FBNet devices and ranks the query pool; it prints the fit's robust
// residual sd and the residual mean by index decile (drift).
func TestStudyLUTCeiling(t *testing.T) {
	if os.Getenv("HELPWASM_STUDY") == "" {
		t.Skip("set HELPWASM_STUDY")
	}
	d := loadStudy(t, "fbnet")
	sf := d.ScaledFeatures()
	lut := lutFeatures(d)
	both := make([][]float64, len(sf))
	for r := range sf {
		both[r] = slices.Concat(sf[r], lut[r])
	}
	var ws rank.Workspace
	for _, name := range []string{"1080ti_1", "pixel2", "essential_ph_1", "samsung_s7", "pixel3", "samsung_a50", "raspi4", "eyeriss"} {
		dev, _ := d.Device(name)
		q := map[int]bool{}
		for _, r := range dev.Query {
			q[r] = true
		}
		var rows []int
		for r := range d.Table.Len() {
			if !q[r] {
				rows = append(rows, r)
			}
		}
		y := pick(dev.Latency, rows)
		truth := pick(dev.Latency, dev.Query)
		var parts []string
		b, w, _ := opcost.NNLS(rowsOf(sf, rows), y, 0)
		sp := predLin(b, w, rowsOf(sf, dev.Query))
		parts = append(parts, fmt.Sprintf("S %.3f", ws.Spearman(sp, truth)))
		for _, lam := range []float64{0.1, 10, 100} {
			b, w := ridgeFit(rowsOf(lut, rows), y, lam)
			parts = append(parts, fmt.Sprintf("LUT%g %.3f", lam, ws.Spearman(predLin(b, w, rowsOf(lut, dev.Query)), truth)))
		}
		b, w, _ = opcost.NNLS(rowsOf(both, rows), y, 0.01)
		parts = append(parts, fmt.Sprintf("S+LUT nn %.3f", ws.Spearman(predLin(b, w, rowsOf(both, dev.Query)), truth)))
		// drift: mean residual of S fit by index bin over all rows.
		ball, wall, _ := opcost.NNLS(sf, dev.Latency, 0)
		res := make([]float64, 10)
		for r := range d.Table.Len() {
			res[r*10/d.Table.Len()] += (dev.Latency[r] - predLin(ball, wall, sf[r:r+1])[0]) / float64(d.Table.Len()/10)
		}
		rs := ""
		for _, v := range res {
			rs += fmt.Sprintf(" %+.2f", v)
		}
		ab := make([]float64, len(rows))
		fitted := predLin(b, w, rowsOf(both, rows))
		for i := range rows {
			ab[i] = math.Abs(y[i] - fitted[i])
		}
		slices.Sort(ab)
		parts = append(parts, fmt.Sprintf("resid robust sd %.2f ms (rounding alone 0.29), truth sd %.2f", 1.4826*ab[len(ab)/2], sdOf(truth)))
		lo, hi := slices.Min(truth), slices.Max(truth)
		t.Logf("%-14s range %.1f-%.1f distinct %d: %s\n   drift by index decile:%s", name, lo, hi, len(distinct(truth)), strings.Join(parts, "  "), rs)
	}
}

// TestStudyLUTColumns ranks F4's test devices' query pools by each
// known device's column: raw, smoothed by S, smoothed by the LUT.
func TestStudyLUTColumns(t *testing.T) {
	if os.Getenv("HELPWASM_STUDY") == "" {
		t.Skip("set HELPWASM_STUDY")
	}
	d := loadStudy(t, "fbnet")
	sf := d.ScaledFeatures()
	lut := lutFeatures(d)
	var ws rank.Workspace
	known := strings.Split(nasflat[3].train, ",")
	all := make([]int, d.Table.Len())
	for r := range all {
		all[r] = r
	}
	for _, name := range []string{"1080ti_1", "pixel2", "essential_ph_1"} {
		dev, _ := d.Device(name)
		truth := pick(dev.Latency, dev.Query)
		var parts []string
		for _, k := range known {
			c := d.Table.Latency(k)
			b, w, _ := opcost.NNLS(sf, c, 0)
			s := predLin(b, w, sf)
			lb, lw := ridgeFit(lut, c, 1)
			l := predLin(lb, lw, lut)
			parts = append(parts, fmt.Sprintf("%s raw %.3f S %.3f LUT %.3f", k, ws.Spearman(pick(c, dev.Query), truth), ws.Spearman(pick(s, dev.Query), truth), ws.Spearman(pick(l, dev.Query), truth)))
		}
		t.Logf("%s:\n  %s", name, strings.Join(parts, "\n  "))
	}
}

func sdOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m += x / float64(len(v))
	}
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m) / float64(len(v)-1)
	}
	return math.Sqrt(s)
}
