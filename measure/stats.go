package measure

import (
	"math"
	"slices"
)

// median returns the median of xs without modifying it; NaN if empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianMAD returns the median of xs and the median absolute deviation
// from it, without modifying xs.
func medianMAD(xs []float64) (med, mad float64) {
	med = median(xs)
	dev := make([]float64, len(xs))
	for i, v := range xs {
		dev[i] = math.Abs(v - med)
	}
	return med, median(dev)
}

// Quantile returns the q-quantile of xs (0 <= q <= 1), interpolating
// linearly between order statistics, without modifying xs; NaN if empty.
// Quantile(xs, 0.5) equals the median. It is the statistic Measure takes
// (Options.Quantile), exported so other tools summarise samples alike.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
}
