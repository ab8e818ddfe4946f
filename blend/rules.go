package blend

import (
	"fmt"
	"math"

	"github.com/helpwasm/helpwasm/opcost"
)

// Rule is one way of turning the robust op-cost model and a known-device
// basis into one predictor. BasisRules fits what every rule needs once;
// package dataset's Suite chooses the rule for a target by running each
// on the known devices themselves (meta-selection). Every rule keeps the
// op-cost model: known devices unlike the target (all GPUs, for a CPU or
// a phone) would choose a rule without it (docs/RESULTS.md §20, F5).
// The op-cost model alone is not a rule either: the known devices chose
// it on NAS-Bench-201, where it ranked pixel2 0.011 below HELP on seeds
// 10-29.
type Rule int

const (
	// RuleStack is OpCostBasis: the Huber-weighted op-cost model and the
	// basis, stacked.
	RuleStack Rule = iota
	// RuleStackNearest stacks the nearest known device as a third
	// candidate: the one basis column whose calibration a + b*column
	// has the smallest leave-one-out loss on the labelled points.
	RuleStackNearest
	// RuleWithin is the mean of the op-cost model, the basis and the
	// nearest device, each calibrated to the labelled points, over
	// those whose calibrated leave-one-out loss is within WithinMargin
	// of the best one's.
	RuleWithin
	// NumRules counts the rules.
	NumRules
)

// WithinMargin is RuleWithin's margin: a candidate takes part if its
// calibrated leave-one-out loss is at most 1 + WithinMargin times the
// best candidate's.
const WithinMargin = 0.3

// String names the rule.
func (r Rule) String() string {
	switch r {
	case RuleStack:
		return "stack (op-cost, basis)"
	case RuleStackNearest:
		return "stack (op-cost, basis, nearest)"
	case RuleWithin:
		return "mean within 30% (op-cost, basis, nearest)"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// BasisRulesFit holds the fits every Rule is made of, on one device's
// labelled points.
type BasisRulesFit struct {
	// OpCost is the non-negative op-cost model on the space's features,
	// refitted with Weights (opcost.HuberWeights), as OpCostBasis fits it.
	OpCost  *opcost.Model
	Weights []float64
	// Basis is the non-negative fit on every known device's column.
	Basis *opcost.Model
	// Nearest is the calibration a + b*column of basis column
	// NearestCol, the column whose calibration has the smallest
	// leave-one-out loss.
	Nearest    *opcost.Model
	NearestCol int
	// Stack and StackNearest are Stack over (op-cost, basis) and
	// (op-cost, basis, nearest); Within holds the calibrations of
	// RuleWithin's candidates (op-cost, basis, nearest order; nil for
	// one left out).
	Stack, StackNearest *Blend
	Within              [3]*Blend
	cands               [3]Candidate
}

// BasisRules fits the op-cost model (non-negative, Huber weights) to labelled (raw features, each divided by scale) and ms, the
// basis and each of its columns alone to basis (one row per point: the
// known devices' latencies, each column divided by basisScale), and the
// stacks and calibrations the rules use. basis needs at least one
// column.
func BasisRules(labelled [][]float64, ms, scale []float64, basis [][]float64, basisScale []float64) (*BasisRulesFit, error) {
	if len(basis) != len(labelled) {
		panic(fmt.Sprintf("blend: BasisRules: %d basis rows for %d labelled points", len(basis), len(labelled)))
	}
	if len(basis) == 0 || len(basis[0]) == 0 {
		panic("blend: BasisRules: no basis column")
	}
	f := &BasisRulesFit{}
	var err error
	if f.Weights, f.OpCost, f.Basis, err = fitOpCostAndBasis(labelled, ms, scale, basis, basisScale); err != nil {
		return nil, err
	}
	p := len(basis[0])
	col := make([][]float64, len(basis))
	for j := range p {
		for i, row := range basis {
			col[i] = row[j : j+1]
		}
		o := opcost.Options{Lambdas: []float64{0}}
		if basisScale != nil {
			o.Scale = basisScale[j : j+1]
		}
		m, err := opcost.Fit(col, ms, o)
		if err != nil {
			return nil, fmt.Errorf("known device %d alone: %w", j, err)
		}
		if f.Nearest == nil || m.LOOLoss < f.Nearest.LOOLoss {
			f.Nearest, f.NearestCol = m, j
		}
	}
	f.cands = [3]Candidate{
		{Name: OpCostRobustName, LOO: f.OpCost.LOO},
		{Name: BasisName, LOO: f.Basis.LOO},
		{Name: "nearest", LOO: f.Nearest.LOO},
	}
	if f.Stack, err = Combine(ms, f.cands[:2], Options{Mode: Stack}); err != nil {
		return nil, err
	}
	if f.StackNearest, err = Combine(ms, f.cands[:], Options{Mode: Stack}); err != nil {
		return nil, err
	}
	sel, err := Combine(ms, f.cands[:], Options{Mode: Select})
	if err != nil {
		return nil, err
	}
	best := math.Inf(1)
	for _, s := range sel.Scores {
		best = min(best, s)
	}
	for j, s := range sel.Scores {
		if s <= (1+WithinMargin)*best {
			if f.Within[j], err = Combine(ms, f.cands[j:j+1], Options{Mode: Select}); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// PredictTo writes rule's latency (ms) for networks with raw features xs
// and known-device latencies bs (row i of each is one network) to dst
// and returns it, growing dst only if it is too short. It reuses buffers
// of f: one goroutine at a time.
func (f *BasisRulesFit) PredictTo(dst []float64, rule Rule, xs, bs [][]float64) []float64 {
	if len(xs) != len(bs) {
		panic(fmt.Sprintf("blend: BasisRulesFit.PredictTo: %d feature rows, %d basis rows", len(xs), len(bs)))
	}
	f.cands[0].Pred = f.OpCost.PredictTo(f.cands[0].Pred, xs)
	f.cands[1].Pred = f.Basis.PredictTo(f.cands[1].Pred, bs)
	near := f.cands[2].Pred
	if cap(near) < len(bs) {
		near = make([]float64, len(bs))
	}
	near = near[:len(bs)]
	for i, row := range bs {
		near[i] = f.Nearest.Predict(row[f.NearestCol : f.NearestCol+1])
	}
	f.cands[2].Pred = near
	switch rule {
	case RuleStack:
		return f.Stack.PredictTo(dst, f.cands[:2])
	case RuleStackNearest:
		return f.StackNearest.PredictTo(dst, f.cands[:])
	case RuleWithin:
		if cap(dst) < len(xs) {
			dst = make([]float64, len(xs))
		}
		dst = dst[:len(xs)]
		clear(dst)
		k := 0
		for j, b := range f.Within {
			if b == nil {
				continue
			}
			k++
			for i, v := range f.cands[j].Pred {
				dst[i] += b.Intercept + b.Weights[0]*v
			}
		}
		for i := range dst {
			dst[i] /= float64(k)
		}
		return dst
	}
	panic(fmt.Sprintf("blend: BasisRulesFit.PredictTo: unknown rule %d", int(rule)))
}
