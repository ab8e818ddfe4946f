package blend

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/helpwasm/helpwasm/opcost"
)

// Candidate is one latency predictor's output on a device: its
// leave-one-out predictions on the n labelled points and its predictions
// on whatever is to be ranked, both in ms.
type Candidate struct {
	Name string
	// LOO[i] predicts labelled point i from a fit that did not see it.
	LOO []float64
	// Pred are predictions elsewhere (e.g. every architecture of the
	// space); Blend.PredictTo combines them. May be nil if only the
	// choice is wanted.
	Pred []float64
}

// Mode is how Combine turns candidates into one predictor.
type Mode int

const (
	// Auto picks Select or Stack, whichever has the smaller leave-one-out
	// loss.
	Auto Mode = iota
	// Select takes the single candidate whose calibration a + b*pred
	// (b >= 0) has the smallest leave-one-out loss.
	Select
	// Stack fits a + sum_k w_k pred_k with w >= 0 over all candidates,
	// the ridge chosen by leave-one-out among opcost.DefaultLambdas.
	Stack
	// Prefer is Select with a prior: it keeps candidate Options.Prior
	// unless another candidate's calibrated leave-one-out loss is below
	// (1 - Options.Margin) times the prior's, and then takes the best
	// such candidate. With 20 labelled points the losses are noisy; a
	// margin keeps a candidate that is known to be good in general
	// unless the device's own data clearly says otherwise. It is the
	// recommended mode (see the package comment).
	Prefer
)

// DefaultMargin is Prefer's margin when Options.Margin is 0: another
// candidate must have a leave-one-out loss 20% below the prior's.
const DefaultMargin = 0.2

// String names the mode.
func (m Mode) String() string {
	switch m {
	case Auto:
		return "auto"
	case Select:
		return "select"
	case Stack:
		return "stack"
	case Prefer:
		return "prefer"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// DefaultLevel is the coverage of the prediction interval unless
// Options.Level says otherwise.
const DefaultLevel = 0.9

// Options configure Combine. The zero value is Auto, the Relative loss
// and 90% intervals.
type Options struct {
	Mode Mode
	Loss opcost.Loss
	// Level is the interval's nominal coverage in (0, 1); 0 means
	// DefaultLevel.
	Level float64
	// Prior is the index of Prefer's preferred candidate (0: the first).
	Prior int
	// Margin is Prefer's margin in [0, 1); 0 means DefaultMargin (use a
	// tiny positive margin for none).
	Margin float64
}

// Interval is a symmetric relative prediction interval: a prediction of
// t ms stands for t ± Rel*t.
type Interval struct {
	Level float64 // nominal coverage
	Rel   float64 // half-width as a fraction of the prediction
}

// HalfWidth returns the interval's half-width (ms) around a prediction
// (ms).
func (iv Interval) HalfWidth(pred float64) float64 { return iv.Rel * math.Abs(pred) }

// Format writes a prediction with its interval, e.g. "21.5 ms ± 2.1".
func (iv Interval) Format(pred float64) string {
	return fmt.Sprintf("%.3g ms ± %.2g", pred, iv.HalfWidth(pred))
}

// Blend is Combine's result: latency (ms) = Intercept + sum_k
// Weights[k] * pred_k, with pred_k candidate k's prediction in ms.
type Blend struct {
	// Mode is Select or Stack, as Auto resolved, or Prefer.
	Mode Mode
	// Method names the selected candidate, or is "stack".
	Method string
	// Weights has one non-negative weight per candidate (ms per ms), in
	// the order given; Select leaves all but one at 0.
	Weights   []float64
	Intercept float64 // ms
	// LOO are leave-one-out predictions (ms) of the whole procedure on the
	// labelled points, with each candidate's LOO predictions as inputs;
	// LOOLoss scores them. For Select the choice of candidate is not
	// redone without each point, so LOOLoss is slightly optimistic.
	LOO     []float64
	LOOLoss float64
	// Scores is each candidate's leave-one-out loss after calibration,
	// in the order given.
	Scores []float64
	// Interval is from the quantile of |y - LOO| / LOO.
	Interval Interval
}

// ErrCandidates is wrapped when the candidates are unusable: none, or a
// length mismatch with the labelled points, or NaN/±Inf predictions.
var ErrCandidates = errors.New("blend: bad candidates")

// Combine chooses a blend of candidates from their leave-one-out
// predictions on the labelled points, whose measured latencies are ms.
// Neither ms nor the candidates are modified or retained.
func Combine(ms []float64, cands []Candidate, o Options) (*Blend, error) {
	n, k := len(ms), len(cands)
	if k == 0 {
		return nil, fmt.Errorf("%w: no candidates", ErrCandidates)
	}
	for _, c := range cands {
		if len(c.LOO) != n {
			return nil, fmt.Errorf("%w: %s has %d leave-one-out predictions for %d labelled points", ErrCandidates, c.Name, len(c.LOO), n)
		}
		for i, v := range c.LOO {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: %s predicts %g for labelled point %d", ErrCandidates, c.Name, v, i)
			}
		}
	}
	level := o.Level
	if level == 0 {
		level = DefaultLevel
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("blend: interval level %g outside (0, 1)", level)
	}
	margin := o.Margin
	if margin == 0 {
		margin = DefaultMargin
	}
	if o.Mode == Prefer {
		if o.Prior < 0 || o.Prior >= k {
			return nil, fmt.Errorf("%w: prior candidate %d of %d", ErrCandidates, o.Prior, k)
		}
		if !(margin >= 0 && margin < 1) {
			return nil, fmt.Errorf("blend: margin %g outside [0, 1)", margin)
		}
	}

	// Calibrate each candidate alone: one feature, non-negative slope.
	b := &Blend{Scores: make([]float64, k), Weights: make([]float64, k)}
	var sel *opcost.Model
	selK := -1
	cal := make([]*opcost.Model, k)
	for j, c := range cands {
		m, err := opcost.Fit(column(c.LOO), ms, opcost.Options{Scale: []float64{scaleOf(c.LOO)}, Lambdas: []float64{0}, Loss: o.Loss})
		if err != nil {
			return nil, fmt.Errorf("blend: calibrating %s: %w", c.Name, err)
		}
		cal[j] = m
		b.Scores[j] = m.LOOLoss
		if sel == nil || m.LOOLoss < sel.LOOLoss {
			sel, selK = m, j
		}
	}
	if o.Mode == Prefer {
		j := o.Prior
		if sel.LOOLoss < (1-margin)*cal[j].LOOLoss {
			j = selK
		}
		b.Mode, b.Method = Prefer, cands[j].Name
		b.set(cal[j], []int{j})
		b.Interval = Interval{Level: level, Rel: relQuantile(ms, b.LOO, level)}
		return b, nil
	}
	var stack *opcost.Model
	if o.Mode != Select && k > 1 {
		xs := make([][]float64, n)
		scale := make([]float64, k)
		for i := range xs {
			xs[i] = make([]float64, k)
			for j, c := range cands {
				xs[i][j] = c.LOO[i]
			}
		}
		for j, c := range cands {
			scale[j] = scaleOf(c.LOO)
		}
		var err error
		stack, err = opcost.Fit(xs, ms, opcost.Options{Scale: scale, Loss: o.Loss})
		if err != nil {
			return nil, fmt.Errorf("blend: stacking: %w", err)
		}
	}
	if stack != nil && (o.Mode == Stack || stack.LOOLoss < sel.LOOLoss) {
		b.Mode, b.Method = Stack, "stack"
		b.set(stack, nil)
	} else {
		b.Mode, b.Method = Select, cands[selK].Name
		b.set(sel, []int{selK})
	}
	b.Interval = Interval{Level: level, Rel: relQuantile(ms, b.LOO, level)}
	return b, nil
}

// set copies m's coefficients into b; cols maps m's features to
// candidates (nil: the identity).
func (b *Blend) set(m *opcost.Model, cols []int) {
	b.Intercept = m.Intercept
	for f, c := range m.Coef {
		j := f
		if cols != nil {
			j = cols[f]
		}
		b.Weights[j] = c / m.Scale[f]
	}
	b.LOO = slices.Clone(m.LOO)
	b.LOOLoss = m.LOOLoss
}

// column makes n one-feature rows.
func column(v []float64) [][]float64 {
	xs := make([][]float64, len(v))
	for i := range v {
		xs[i] = v[i : i+1]
	}
	return xs
}

// scaleOf is the largest |v|, or 1 if v is all zero.
func scaleOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s = max(s, math.Abs(x))
	}
	if s == 0 {
		return 1
	}
	return s
}

// relQuantile returns the split-conformal quantile of |y-pred|/|pred|: the
// ceil((n+1)*level)-th smallest of the n values (the largest if that rank
// exceeds n).
func relQuantile(y, pred []float64, level float64) float64 {
	r := make([]float64, len(y))
	for i := range y {
		d := math.Abs(y[i] - pred[i])
		if p := math.Abs(pred[i]); p > 0 {
			r[i] = d / p
		} else {
			r[i] = math.Inf(1)
		}
	}
	slices.Sort(r)
	q := int(math.Ceil(float64(len(r)+1)*level)) - 1
	return r[min(max(q, 0), len(r)-1)]
}

// PredictTo writes the blend of the candidates' Pred (all of one length)
// to dst and returns it, growing dst only if it is short. cands must be
// the candidates given to Combine, in the same order; a length mismatch
// AsIs makes b predict its chosen candidate's ms as they are, without
// Combine's calibration line (a + b*pred), and rescores b's leave-one-out
// predictions and interval accordingly. It is for a candidate that
// already predicts ms, robustly (the op-cost model with Huber weights):
// the line is fitted unweighted, so one spike among the labelled timings
// bends it. cands are the candidates b was combined from; a stack, or a
// method not among them, is left as it is.
func (b *Blend) AsIs(ms []float64, cands []Candidate) {
	j := slices.IndexFunc(cands, func(c Candidate) bool { return c.Name == b.Method })
	if j < 0 || b.Mode == Stack {
		return
	}
	for k := range b.Weights {
		b.Weights[k] = 0
	}
	b.Weights[j], b.Intercept = 1, 0
	b.LOO = slices.Clone(cands[j].LOO)
	b.LOOLoss = opcost.Relative.Score(b.LOO, ms)
	b.Interval.Rel = relQuantile(ms, b.LOO, b.Interval.Level)
}

// panics.
func (b *Blend) PredictTo(dst []float64, cands []Candidate) []float64 {
	if len(cands) != len(b.Weights) {
		panic(fmt.Sprintf("blend: PredictTo: %d candidates, blend of %d", len(cands), len(b.Weights)))
	}
	m := len(cands[0].Pred)
	for _, c := range cands {
		if len(c.Pred) != m {
			panic(fmt.Sprintf("blend: PredictTo: %s has %d predictions, %s %d", c.Name, len(c.Pred), cands[0].Name, m))
		}
	}
	if cap(dst) < m {
		dst = make([]float64, m)
	}
	dst = dst[:m]
	for i := range dst {
		dst[i] = b.Intercept
	}
	for j, c := range cands {
		if w := b.Weights[j]; w != 0 {
			for i, v := range c.Pred {
				dst[i] += w * v
			}
		}
	}
	return dst
}
