// Package orderstat is the one home of order statistics: quantiles and
// medians of float64 samples, for measure's statistic, rank's bootstrap
// intervals and every median a report prints.
//
// # Definition
//
// The q-quantile (0 <= q <= 1) interpolates linearly between the order
// statistics s[floor(h)] and s[floor(h)+1] at h = q*(n-1) (type 7 of
// Hyndman and Fan, numpy's and R's default); the median is the
// 0.5-quantile, the mean of the two middle values of an even count. Both
// are NaN for no values.
//
// # Inputs
//
// Quantile and Median never modify xs (they sort a copy);
// QuantileSorted and MedianSorted take values already sorted ascending
// and neither copy nor check them.
package orderstat

import (
	"math"
	"slices"
)

// Quantile is the q-quantile of xs, without modifying xs.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return QuantileSorted(s, q)
}

// QuantileSorted is the q-quantile of s, sorted ascending.
func QuantileSorted(s []float64, q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	h := q * float64(len(s)-1)
	i := int(math.Floor(h))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}

// Median is the median of xs, without modifying xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return MedianSorted(s)
}

// MedianSorted is the median of s, sorted ascending.
func MedianSorted(s []float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	return (s[(n-1)/2] + s[n/2]) / 2
}
