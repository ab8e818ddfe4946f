package orderstat

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// kth is the k-th smallest of xs (0-based), by counting: the slow
// reference, which sorts nothing.
func kth(xs []float64, k int) float64 {
	for _, x := range xs {
		below, equal := 0, 0
		for _, y := range xs {
			switch {
			case y < x:
				below++
			case y == x:
				equal++
			}
		}
		if below <= k && k < below+equal {
			return x
		}
	}
	panic("kth: k out of range")
}

// slowQuantile is the type 7 quantile from its definition.
func slowQuantile(xs []float64, q float64) float64 {
	h := q * float64(len(xs)-1)
	lo := int(math.Floor(h))
	hi := min(lo+1, len(xs)-1)
	return kth(xs, lo) + (h-float64(lo))*(kth(xs, hi)-kth(xs, lo))
}

func TestQuantile(t *testing.T) {
	tests := []struct {
		xs   []float64
		q    float64
		want float64
	}{
		{[]float64{5, 1, 4, 2, 3}, 0, 1},
		{[]float64{5, 1, 4, 2, 3}, 0.25, 2},
		{[]float64{5, 1, 4, 2, 3}, 0.5, 3},
		{[]float64{5, 1, 4, 2, 3}, 0.625, 3.5},
		{[]float64{5, 1, 4, 2, 3}, 1, 5},
		{[]float64{4, 1, 3, 2}, 0.5, 2.5},
		{[]float64{4, 1, 3, 2}, 0.1, 1.3}, // numpy.quantile([1,2,3,4], 0.1)
		{[]float64{7}, 0.3, 7},
		{[]float64{2, 2, 2, 9}, 0.5, 2},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.xs)
		approx.Equal(t, "Quantile", Quantile(in, tt.q), tt.want, approx.Float64)
		if !slices.Equal(in, tt.xs) {
			t.Errorf("Quantile modified its input: %v, was %v", in, tt.xs)
		}
		s := slices.Sorted(slices.Values(tt.xs))
		approx.Equal(t, "QuantileSorted", QuantileSorted(s, tt.q), tt.want, approx.Float64)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{-1}, -1},
		{[]float64{0, 0, 10, 50}, 5},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.xs)
		approx.Equal(t, "Median", Median(in), tt.want, approx.Float64)
		if !slices.Equal(in, tt.xs) {
			t.Errorf("Median modified its input: %v, was %v", in, tt.xs)
		}
		approx.Equal(t, "MedianSorted", MedianSorted(slices.Sorted(slices.Values(tt.xs))), tt.want, approx.Float64)
	}
}

// Against the slow reference on random samples with ties, at random q
// and at the ends; the median is the 0.5-quantile.
func TestQuantileAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 1 + rng.IntN(40)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(20)) + 0.5*rng.Float64()*float64(trial%2)
		}
		for _, q := range []float64{0, 1, rng.Float64(), rng.Float64()} {
			approx.Equal(t, "Quantile", Quantile(xs, q), slowQuantile(xs, q), approx.Float64)
		}
		approx.Equal(t, "Median", Median(xs), slowQuantile(xs, 0.5), approx.Float64)
	}
}

func TestEmpty(t *testing.T) {
	for name, got := range map[string]float64{
		"Quantile": Quantile(nil, 0.5), "QuantileSorted": QuantileSorted(nil, 0.5),
		"Median": Median(nil), "MedianSorted": MedianSorted([]float64{}),
	} {
		if !math.IsNaN(got) {
			t.Errorf("%s of nothing = %v, want NaN", name, got)
		}
	}
}
