package opcost

import (
	"fmt"
	"math"
	"slices"
)

// HuberK is the Huber tuning constant in units of the residuals' robust
// standard deviation (1.4826 * median |residual|): 95% efficiency under
// Gaussian noise.
const HuberK = 1.345

// HuberRounds is the number of reweighting rounds HuberWeights runs.
const HuberRounds = 3

// HuberWeights returns Huber weights for the labelled points, for
// Options.Weights: starting from the fit with o (whose Weights are
// ignored), HuberRounds rounds of iteratively reweighted least squares,
// each giving point i the weight min(1, c/|r_i|) for its residual r_i
// (ms) from the previous round's fit to all points, with c = HuberK times
// the robust standard deviation 1.4826 * median |r|. A point that the
// others fit well keeps weight 1; a spike (a measurement disturbed by
// another process, a whole-ms device's rounding at its worst) counts in
// proportion to 1/|r|, not as its square.
//
// Every lambda of o's grid is searched in every round, by exact
// leave-one-out as Fit does. The weights depend on all the points, the
// one a later Fit leaves out included, so a robust fit's leave-one-out
// loss is slightly optimistic. xs, ms and o are not modified.
func HuberWeights(xs [][]float64, ms []float64, o Options) ([]float64, error) {
	o.Weights = nil
	m, err := Fit(xs, ms, o)
	if err != nil {
		return nil, fmt.Errorf("opcost: Huber weights, first fit: %w", err)
	}
	n := len(ms)
	res := make([]float64, n)
	abs := make([]float64, n)
	w := make([]float64, n)
	for round := range HuberRounds {
		for i, x := range xs {
			res[i] = ms[i] - m.Predict(x)
			abs[i] = math.Abs(res[i])
		}
		slices.Sort(abs)
		// max: a perfect fit leaves every weight at 1.
		c := HuberK * max(abs[n/2]/0.6745, 1e-9)
		for i, r := range res {
			w[i] = min(1, c/max(math.Abs(r), 1e-12))
		}
		if round == HuberRounds-1 {
			break
		}
		o.Weights = w
		if m, err = Fit(xs, ms, o); err != nil {
			return nil, fmt.Errorf("opcost: Huber weights, round %d: %w", round+1, err)
		}
	}
	return w, nil
}
