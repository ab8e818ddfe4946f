package blend

import (
	"fmt"

	"github.com/helpwasm/helpwasm/opcost"
)

// Names of OpCostBasis's two candidates.
const (
	OpCostRobustName = "op-cost (robust)"
	BasisName        = "basis"
)

// OpCostBasisFit is the robust op-cost model and a known-device basis,
// stacked: latency = Intercept + w1 * op-cost + w2 * basis, w >= 0, the
// weights fitted to the two fits' leave-one-out predictions (Stack).
type OpCostBasisFit struct {
	// OpCost is the non-negative op-cost model on the space's features,
	// refitted with Weights (opcost.HuberWeights).
	OpCost  *opcost.Model
	Weights []float64
	// Basis is the non-negative fit on the known devices' latency
	// columns (ms), one feature per known device.
	Basis *opcost.Model
	// Blend is Stack over the two, in that order; Blend.Weights says how
	// much each counts, Blend.Interval is the stack's interval.
	Blend *Blend
	cands [2]Candidate
}

// OpCostBasis fits the op-cost model with Huber weights to labelled (raw
// features, one row per point, each feature divided by scale) and ms, and
// the known-device basis to basis (one row per point: the known devices'
// latencies of the same networks, each column divided by basisScale), and
// stacks them. It needs known devices' latencies for every network it
// predicts, so it is for evaluation on HELP's tables (or the atlas
// pool), not for arbitrary architectures; OpCostRobust is the same
// without the basis.
//
// Measured on the draws of helpwasm eval (package dataset's TestAutoData,
// 10 seeds, the basis' whole-ms known devices smoothed by their own
// op-cost fit; OpCostRobust in brackets): NAS-Bench-201 meta-test 0.9525
// (0.9528) random and 0.9565 (0.9590) designed support; leave one device
// out 0.9481 (0.9469); FBNet standard split 0.9742 (0.9703); NASFLAT's
// F1-F5 at 20 samples 0.918, 0.889, 0.892, 0.730, 0.726 (0.912, 0.890,
// 0.892, 0.703, 0.720). PredictTo reuses buffers of f: one goroutine at
// a time.
func OpCostBasis(labelled [][]float64, ms, scale []float64, basis [][]float64, basisScale []float64) (*OpCostBasisFit, error) {
	if len(basis) != len(labelled) {
		panic(fmt.Sprintf("blend: OpCostBasis: %d basis rows for %d labelled points", len(basis), len(labelled)))
	}
	f := &OpCostBasisFit{}
	var err error
	if f.Weights, f.OpCost, f.Basis, err = fitOpCostAndBasis(labelled, ms, scale, basis, basisScale); err != nil {
		return nil, err
	}
	f.cands = [2]Candidate{
		{Name: OpCostRobustName, LOO: f.OpCost.LOO},
		{Name: BasisName, LOO: f.Basis.LOO},
	}
	if f.Blend, err = Combine(ms, f.cands[:], Options{Mode: Stack}); err != nil {
		return nil, err
	}
	return f, nil
}

// PredictTo writes the stack's latency (ms) for networks with raw
// features xs and known-device latencies bs (row i of each is one
// network) to dst and returns it, growing dst only if it is too short.
func (f *OpCostBasisFit) PredictTo(dst []float64, xs, bs [][]float64) []float64 {
	if len(xs) != len(bs) {
		panic(fmt.Sprintf("blend: OpCostBasisFit.PredictTo: %d feature rows, %d basis rows", len(xs), len(bs)))
	}
	f.cands[0].Pred = f.OpCost.PredictTo(f.cands[0].Pred, xs)
	f.cands[1].Pred = f.Basis.PredictTo(f.cands[1].Pred, bs)
	return f.Blend.PredictTo(dst, f.cands[:])
}

// LOO is the stack's leave-one-out predictions (ms) of the labelled
// points.
func (f *OpCostBasisFit) LOO() []float64 { return f.Blend.LOO }

// fitOpCostAndBasis fits the two models every rule with known devices
// starts from: the Huber-weighted non-negative op-cost model (returning
// its weights) and the non-negative basis of the known devices' columns.
func fitOpCostAndBasis(labelled [][]float64, ms, scale []float64, basis [][]float64, basisScale []float64) (weights []float64, opc, bas *opcost.Model, err error) {
	o := opcost.Options{Scale: scale}
	if o.Weights, err = opcost.HuberWeights(labelled, ms, o); err != nil {
		return nil, nil, nil, fmt.Errorf("op-cost model: %w", err)
	}
	if opc, err = opcost.Fit(labelled, ms, o); err != nil {
		return nil, nil, nil, fmt.Errorf("op-cost model: %w", err)
	}
	if bas, err = opcost.Fit(basis, ms, opcost.Options{Scale: basisScale}); err != nil {
		return nil, nil, nil, fmt.Errorf("known-device basis: %w", err)
	}
	return o.Weights, opc, bas, nil
}
