package rank

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/orderstat"
)

// exactBootstrap enumerates all n^n resamples of a small case: the
// distribution the seeded bootstrap estimates.
func exactBootstrap(a, b, y []float64, level float64) (lo, hi float64) {
	n := len(y)
	idx := make([]int, n)
	ra, rb, ry := make([]float64, n), make([]float64, n), make([]float64, n)
	var deltas []float64
	for {
		for i, j := range idx {
			ra[i], rb[i], ry[i] = a[j], b[j], y[j]
		}
		da, db := naiveSpearman(ra, ry), naiveSpearman(rb, ry)
		if !math.IsNaN(da) && !math.IsNaN(db) {
			deltas = append(deltas, da-db)
		}
		k := 0
		for k < n {
			idx[k]++
			if idx[k] < n {
				break
			}
			idx[k] = 0
			k++
		}
		if k == n {
			break
		}
	}
	slices.Sort(deltas)
	tail := (1 - level) / 2
	return orderstat.QuantileSorted(deltas, tail), orderstat.QuantileSorted(deltas, 1-tail)
}

func TestSpearmanDifferenceAgainstEnumeration(t *testing.T) {
	// 6 items: 6^6 = 46,656 resamples enumerated. A bootstrap of 20,000
	// draws estimates the 10% and 90% quantiles of that discrete
	// distribution to within 0.05 (the distribution's atoms on these
	// cases are about 0.03-0.1 apart, so a looser check would pass a
	// wrong resampler; a tighter one would flake on atom boundaries).
	r := rand.New(rand.NewPCG(3, 4))
	for c := range 5 {
		n := 6
		a, b, y := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			y[i] = float64(i) + r.Float64()
			a[i] = y[i] + 0.8*r.NormFloat64()
			b[i] = y[i] + 2*r.NormFloat64()
		}
		wantLo, wantHi := exactBootstrap(a, b, y, 0.8)
		got := SpearmanDifference(a, b, y, 20000, 0.8, uint64(c))
		if math.Abs(got.Lo-wantLo) > 0.05 || math.Abs(got.Hi-wantHi) > 0.05 {
			t.Errorf("case %d: interval [%.3f, %.3f], enumeration [%.3f, %.3f]", c, got.Lo, got.Hi, wantLo, wantHi)
		}
		if want := naiveSpearman(a, y) - naiveSpearman(b, y); math.Abs(got.Delta-want) > 1e-12 {
			t.Errorf("case %d: delta %v, want %v", c, got.Delta, want)
		}
	}
}

func TestSpearmanDifferenceResolves(t *testing.T) {
	n := 40
	y := make([]float64, n)
	good, noisy := make([]float64, n), make([]float64, n)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range y {
		y[i] = float64(i)
		good[i] = y[i] + 0.1*r.NormFloat64()
		noisy[i] = y[i] + 8*r.NormFloat64()
	}
	for _, tc := range []struct {
		name     string
		a, b     []float64
		resolved bool
		sign     float64
	}{
		{"better", good, noisy, true, 1},
		{"worse", noisy, good, true, -1},
		{"same", good, good, false, 0},
	} {
		d := SpearmanDifference(tc.a, tc.b, y, 2000, 0.95, 7)
		if d.Resolved() != tc.resolved {
			t.Errorf("%s: resolved %v, want %v (%+v)", tc.name, d.Resolved(), tc.resolved, d)
		}
		if tc.sign != 0 && math.Signbit(d.Delta) != math.Signbit(tc.sign) {
			t.Errorf("%s: delta %v has the wrong sign", tc.name, d.Delta)
		}
		if !(d.Lo <= d.Delta && d.Delta <= d.Hi) {
			t.Errorf("%s: delta %v outside its interval [%v, %v]", tc.name, d.Delta, d.Lo, d.Hi)
		}
		if d.Resamples != 2000 {
			t.Errorf("%s: %d resamples defined, want all 2000", tc.name, d.Resamples)
		}
	}
	// Seeded: the same inputs give the same interval.
	if x, z := SpearmanDifference(good, noisy, y, 500, 0.95, 9), SpearmanDifference(good, noisy, y, 500, 0.95, 9); x != z {
		t.Errorf("not deterministic: %+v, %+v", x, z)
	}
}

func TestSpearmanDifferenceUndefined(t *testing.T) {
	d := SpearmanDifference([]float64{1}, []float64{2}, []float64{3}, 100, 0.95, 1)
	if !math.IsNaN(d.Lo) || !math.IsNaN(d.Hi) || d.Resolved() {
		t.Errorf("one item: %+v, want NaN interval, unresolved", d)
	}
}
