package blend

import (
	"fmt"

	"github.com/helpwasm/helpwasm/opcost"
)

// Names of OpCost's two candidates.
const (
	OpCostNonNegative = "op-cost"
	OpCostSigned      = "op-cost (signed)"
)

// OpCostFit is the op-cost model fitted twice to a device's labelled
// points and Prefer's choice between the fits: the non-negative one (every
// feature costs time) unless the signed one (a feature may cost less than
// its baseline, as a dead NAS-Bench-201 edge does on a runtime that prunes
// it) has a leave-one-out loss DefaultMargin lower. It is what the package
// comment recommends as auto for a space with structural features.
type OpCostFit struct {
	NonNegative, Signed *opcost.Model
	// Blend is Prefer over the two, in that order; Blend.Method names
	// the fit chosen, Blend.Interval its prediction interval.
	Blend *Blend
	// Weights are the labelled points' weights in the non-negative and
	// the signed fit (OpCostRobust's Huber weights, in (0, 1]); nil for
	// OpCost, whose fits weight every point 1.
	Weights [2][]float64
	cands   [2]Candidate
}

// OpCost fits the op-cost model to labelled (raw features, one row per
// point) and ms with each feature divided by scale (Space.FeatureScale),
// non-negative and signed, and lets Prefer choose.
func OpCost(labelled [][]float64, ms, scale []float64) (*OpCostFit, error) {
	return opCost(labelled, ms, scale, false)
}

// OpCostRobust is OpCost with both fits made robust: each is refitted
// with the Huber weights of its own residuals (opcost.HuberWeights), so a
// spike among the labelled points (another process, a whole-ms device's
// rounding) counts in proportion to its size, not its square, and then
// Prefer chooses as OpCost does; the chosen fit's ms are used as they
// are (OpCost calibrates them to the labelled points by a line fitted
// unweighted, which a spike would bend). It needs only the space's features, so
// it suits the page as well as eval. Measured on the draws of helpwasm
// eval (package dataset's TestAutoData, 10 seeds; OpCost in brackets):
// NAS-Bench-201 meta-test 0.953 (0.952) random, 0.959 (0.956) designed
// support; leave-one-device-out over the 19 devices 0.947 (0.943): most of
// it on samsung_s7, whose labelled points hold spikes (0.878 against
// 0.821); FBNet standard split 0.970 (0.971). OpCostFit.Weights holds the
// two fits' weights.
func OpCostRobust(labelled [][]float64, ms, scale []float64) (*OpCostFit, error) {
	return opCost(labelled, ms, scale, true)
}

func opCost(labelled [][]float64, ms, scale []float64, robust bool) (*OpCostFit, error) {
	f := &OpCostFit{}
	var err error
	nn := opcost.Options{Scale: scale}
	sg := opcost.Options{Scale: scale, Signed: true}
	if robust {
		if nn.Weights, err = opcost.HuberWeights(labelled, ms, nn); err != nil {
			return nil, fmt.Errorf("op-cost model: %w", err)
		}
		if sg.Weights, err = opcost.HuberWeights(labelled, ms, sg); err != nil {
			return nil, fmt.Errorf("signed op-cost model: %w", err)
		}
		f.Weights = [2][]float64{nn.Weights, sg.Weights}
	}
	if f.NonNegative, err = opcost.Fit(labelled, ms, nn); err != nil {
		return nil, fmt.Errorf("op-cost model: %w", err)
	}
	if f.Signed, err = opcost.Fit(labelled, ms, sg); err != nil {
		return nil, fmt.Errorf("signed op-cost model: %w", err)
	}
	f.cands = [2]Candidate{
		{Name: OpCostNonNegative, LOO: f.NonNegative.LOO},
		{Name: OpCostSigned, LOO: f.Signed.LOO},
	}
	if f.Blend, err = Combine(ms, f.cands[:], Options{Mode: Prefer}); err != nil {
		return nil, err
	}
	if robust {
		// Combine's line to ms is fitted unweighted, and a spike bends
		// it; the chosen fit already predicts ms, robustly.
		f.Blend.AsIs(ms, f.cands[:])
	}
	return f, nil
}

// PredictTo writes the chosen fit's calibrated latency (ms) for each row
// of xs (raw features) to dst and returns it, growing dst only if it is
// too short.
func (f *OpCostFit) PredictTo(dst []float64, xs [][]float64) []float64 {
	f.cands[0].Pred = f.NonNegative.PredictTo(f.cands[0].Pred, xs)
	f.cands[1].Pred = f.Signed.PredictTo(f.cands[1].Pred, xs)
	return f.Blend.PredictTo(dst, f.cands[:])
}

// LOO is the chosen fit's calibrated leave-one-out predictions (ms) of the
// labelled points.
func (f *OpCostFit) LOO() []float64 { return f.Blend.LOO }
