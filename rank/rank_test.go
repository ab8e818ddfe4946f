package rank

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// naiveRanks is the textbook O(n^2) average rank: 1 + #smaller + (#equal-1)/2.
func naiveRanks(x []float64) []float64 {
	r := make([]float64, len(x))
	for i := range x {
		less, equal := 0, 0
		for j := range x {
			switch {
			case x[j] < x[i]:
				less++
			case x[j] == x[i]:
				equal++
			}
		}
		r[i] = float64(less) + float64(equal+1)/2
	}
	return r
}

func naiveSpearman(x, y []float64) float64 {
	return naivePearson(naiveRanks(x), naiveRanks(y))
}

func naivePearson(x, y []float64) float64 {
	n := float64(len(x))
	var sx, sy, sxy, sxx, syy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	for i := range x {
		dx, dy := x[i]-sx/n, y[i]-sy/n
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx) / math.Sqrt(syy)
}

// naiveKendall is tau-b from the definition, over all pairs.
func naiveKendall(x, y []float64) float64 {
	var conc, disc, tx, ty, n0 float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			n0++
			dx, dy := x[i]-x[j], y[i]-y[j]
			if dx == 0 {
				tx++
			}
			if dy == 0 {
				ty++
			}
			switch {
			case dx*dy > 0:
				conc++
			case dx*dy < 0:
				disc++
			}
		}
	}
	return (conc - disc) / math.Sqrt((n0-tx)*(n0-ty))
}

func TestKnownValues(t *testing.T) {
	tests := []struct {
		name              string
		x, y              []float64
		spearman, kendall float64
	}{
		// scipy.stats.kendalltau docstring example. By hand: 10 pairs; tied
		// in x: (12,12) and (2,2), so 8 untied; tied in y: (1,1), so 9
		// untied; C=2, D=6: (2-6)/sqrt(8*9) = -0.4714.
		{"scipy kendalltau", []float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0},
			naiveSpearman([]float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}), -4 / math.Sqrt(72)},
		// scipy.stats.spearmanr docstring: 0.8207826816681233. Ranks of y are
		// 1,2,3.5,5,3.5; by hand sum dx*dy = 8, sxx = 10, syy = 9.5.
		{"scipy spearmanr", []float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7},
			8 / math.Sqrt(10*9.5), naiveKendall([]float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7})},
		{"identical", []float64{3, 1, 2}, []float64{30, 10, 20}, 1, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1, -1},
		// Monotone transforms do not change ranks.
		{"monotone", []float64{0.1, 5, 2, 9}, []float64{math.Exp(0.1), math.Exp(5), math.Exp(2), math.Exp(9)}, 1, 1},
		// x=1..4, y=1,3,2,4: d^2 sum 2 -> 1-6*2/(4*15) = 0.8; C=5,D=1 -> 4/6.
		{"one swap", []float64{1, 2, 3, 4}, []float64{1, 3, 2, 4}, 0.8, 4.0 / 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			approx.Equal(t, "Spearman", Spearman(tc.x, tc.y), tc.spearman, approx.Float64)
			approx.Equal(t, "Kendall", Kendall(tc.x, tc.y), tc.kendall, approx.Float64)
		})
	}
	// The literal scipy outputs, to be sure the hand derivations above are
	// what scipy prints.
	approx.Equal(t, "scipy spearmanr", Spearman([]float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}), 0.8207826816681233, approx.Float64)
	approx.Equal(t, "scipy kendalltau", Kendall([]float64{12, 2, 1, 12, 2}, []float64{1, 4, 7, 1, 0}), -0.47140452079103173, approx.Float64)
}

func TestAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var w Workspace
	for trial := range 300 {
		n := 2 + rng.IntN(60)
		levels := 1 + rng.IntN(12) // few levels -> many ties
		x := make([]float64, n)
		y := make([]float64, n)
		for i := range x {
			if trial%2 == 0 {
				x[i] = float64(rng.IntN(levels))
				y[i] = float64(rng.IntN(levels)) + 0.5*x[i]
			} else {
				x[i] = rng.NormFloat64()
				y[i] = x[i] + rng.NormFloat64()
			}
		}
		xc, yc := slices.Clone(x), slices.Clone(y)
		checkSame(t, "Spearman", w.Spearman(x, y), naiveSpearman(x, y), x, y)
		checkSame(t, "Kendall", w.Kendall(x, y), naiveKendall(x, y), x, y)
		if !slices.Equal(x, xc) || !slices.Equal(y, yc) {
			t.Fatal("inputs were modified")
		}
		if got, want := Ranks(nil, x), naiveRanks(x); !slices.Equal(got, want) {
			t.Fatalf("Ranks(%v) = %v, want %v", x, got, want)
		}
	}
}

// checkSame requires equal values, or both NaN (a constant input).
func checkSame(t *testing.T, what string, got, want float64, x, y []float64) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			t.Fatalf("%s(%v, %v) = %v, want NaN", what, x, y, got)
		}
		return
	}
	if !approx.Close(got, want, approx.Float64) {
		t.Fatalf("%s(%v, %v) = %.15g, want %.15g", what, x, y, got, want)
	}
}

func TestUndefined(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		x, y []float64
	}{
		{"empty", nil, nil},
		{"single", []float64{1}, []float64{2}},
		{"constant x", []float64{2, 2, 2}, []float64{1, 2, 3}},
		{"constant y", []float64{1, 2, 3}, []float64{5, 5, 5}},
		{"NaN in x", []float64{1, nan, 3}, []float64{1, 2, 3}},
		{"NaN in y", []float64{1, 2, 3}, []float64{1, 2, nan}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if s := Spearman(tc.x, tc.y); !math.IsNaN(s) {
				t.Errorf("Spearman = %v, want NaN", s)
			}
			if k := Kendall(tc.x, tc.y); !math.IsNaN(k) {
				t.Errorf("Kendall = %v, want NaN", k)
			}
		})
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(x, y []float64) float64{"Spearman": Spearman, "Kendall": Kendall} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with lengths 2 and 3 did not panic", name)
				}
			}()
			f([]float64{1, 2}, []float64{1, 2, 3})
		}()
	}
}

func TestWorkspaceNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 1000)
	y := make([]float64, 1000)
	for i := range x {
		x[i] = float64(rng.IntN(50))
		y[i] = rng.Float64()
	}
	var w Workspace
	w.Spearman(x, y)
	w.Kendall(x, y)
	if a := testing.AllocsPerRun(10, func() { w.Spearman(x, y); w.Kendall(x, y) }); a != 0 {
		t.Errorf("Workspace allocates %v times per Spearman+Kendall, want 0", a)
	}
	// Shorter inputs reuse the larger buffers.
	approx.Equal(t, "Spearman on a prefix", w.Spearman(x[:100], y[:100]), naiveSpearman(x[:100], y[:100]), approx.Float64)
	approx.Equal(t, "Kendall on a prefix", w.Kendall(x[:100], y[:100]), naiveKendall(x[:100], y[:100]), approx.Float64)
}

var sink float64

func benchData(n int) (x, y []float64) {
	rng := rand.New(rand.NewPCG(5, 6))
	x = make([]float64, n)
	y = make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()
		y[i] = x[i] + rng.NormFloat64()
	}
	return x, y
}

func BenchmarkSpearman1000(b *testing.B) {
	x, y := benchData(1000)
	var w Workspace
	for b.Loop() {
		sink = w.Spearman(x, y)
	}
}

func BenchmarkKendall1000(b *testing.B) {
	x, y := benchData(1000)
	var w Workspace
	for b.Loop() {
		sink = w.Kendall(x, y)
	}
}

func BenchmarkKendallNaive1000(b *testing.B) {
	x, y := benchData(1000)
	for b.Loop() {
		sink = naiveKendall(x, y)
	}
}

func BenchmarkKendall15625(b *testing.B) {
	x, y := benchData(15625)
	var w Workspace
	for b.Loop() {
		sink = w.Kendall(x, y)
	}
}

// Perfect agreement is exactly 1 and perfect disagreement exactly -1 at
// every size: 4 concordant points once gave Kendall 1.0000000000000002,
// which a profile's validation rejects as out of [-1, 1].
func TestPerfectOrderExactlyOne(t *testing.T) {
	for n := 2; n <= 60; n++ {
		x, y, rev := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i], rev[i] = float64(i), 0.1*float64(i*i)+3, -float64(i)
		}
		if k, s := Kendall(x, y), Spearman(x, y); k != 1 || s != 1 {
			t.Errorf("n=%d: Kendall %v, Spearman %v, want exactly 1", n, k, s)
		}
		if k, s := Kendall(x, rev), Spearman(x, rev); k != -1 || s != -1 {
			t.Errorf("n=%d reversed: Kendall %v, Spearman %v, want exactly -1", n, k, s)
		}
	}
}
