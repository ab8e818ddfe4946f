package measure

import (
	"math"

	"github.com/helpwasm/helpwasm/internal/orderstat"
)

// medianMAD returns the median of xs and the median absolute deviation
// from it, without modifying xs.
func medianMAD(xs []float64) (med, mad float64) {
	med = orderstat.Median(xs)
	dev := make([]float64, len(xs))
	for i, v := range xs {
		dev[i] = math.Abs(v - med)
	}
	return med, orderstat.Median(dev)
}
