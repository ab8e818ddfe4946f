package opcost

import (
	"fmt"
	"math"
	"slices"
)

// DefaultLambdas is the ridge grid Fit searches when Options.Lambdas is
// nil.
var DefaultLambdas = []float64{0, 0.01, 0.1, 1}

// Loss is how leave-one-out predictions are scored against measured ms.
type Loss int

const (
	// Relative is the mean of ((pred-y)/y)^2: squared relative error, so
	// a 10% miss on a 2 ms network counts as much as on a 200 ms one. It
	// needs y > 0. On HELP's six NAS-Bench-201 meta-test devices it picks
	// lambda as well as Squared does (TestMetaTestDevices in data_test.go
	// logs both); it is the default because a ranking depends on getting
	// the fast networks right as much as the slow ones.
	Relative Loss = iota
	// Squared is the mean of (pred-y)^2 in ms^2.
	Squared
)

// String names the loss.
func (l Loss) String() string {
	switch l {
	case Relative:
		return "relative"
	case Squared:
		return "squared"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

// Score returns the mean loss of predictions pred against measured y.
// Lengths must match. Relative panics on no point; it returns +Inf when
// some y <= 0.
func (l Loss) Score(pred, y []float64) float64 {
	if len(pred) != len(y) {
		panic(fmt.Sprintf("opcost: Loss.Score: %d predictions, %d measurements", len(pred), len(y)))
	}
	s := 0.0
	for i, p := range pred {
		d := p - y[i]
		if l == Relative {
			if y[i] <= 0 {
				return math.Inf(1)
			}
			d /= y[i]
		}
		s += d * d
	}
	return s / float64(len(y))
}

// Options configure Fit. The zero value fits unscaled features with the
// default grid and the Relative loss.
type Options struct {
	// Scale divides feature j before fitting (typically its largest
	// |value| over the search space), so one ridge lambda suits every
	// feature. nil means 1 for all. Every entry must be > 0.
	Scale []float64
	// Lambdas is the ridge grid searched by leave-one-out; nil means
	// DefaultLambdas. Entries must be >= 0.
	Lambdas []float64
	// Loss scores leave-one-out predictions.
	Loss Loss
}

// LambdaScore is one grid point of Fit's search.
type LambdaScore struct {
	Lambda float64
	Loss   float64 // leave-one-out loss at Lambda
}

// Model is a fitted op-cost model: latency (ms) = Intercept + sum_j
// Coef[j] * x[j] / Scale[j], Coef >= 0.
type Model struct {
	// Lambda is the ridge weight chosen by leave-one-out.
	Lambda float64
	// Intercept is in ms; it may be negative.
	Intercept float64
	// Coef[j] is ms per unit of x[j]/Scale[j], non-negative.
	Coef []float64
	// Scale is the feature scale the model divides by (a copy of
	// Options.Scale, or all ones).
	Scale []float64
	// LOO[i] is the prediction (ms) for labelled point i of the model
	// refitted without it, at Lambda; Residual[i] = y[i] - LOO[i].
	LOO, Residual []float64
	// LOOLoss is Loss.Score(LOO, y).
	LOOLoss float64
	// Path is the leave-one-out loss of every lambda searched.
	Path []LambdaScore
	// Loss is the loss leave-one-out was scored with.
	Loss Loss

	w []float64 // Coef[j]/Scale[j], for prediction
}

// Fit fits the op-cost model to n labelled points: xs[i] the raw features
// of point i (p = len(xs[0]) of them), ms[i] its measured latency. For
// each lambda in the grid it fits all n points and, for exact
// leave-one-out, refits n times without one point each; the lambda with
// the smallest leave-one-out loss wins (the first on ties, so list the
// grid in the order you prefer). The model returned is the fit to all n
// points at that lambda.
//
// Fit needs n >= 2 (n >= p is not required: NNLS and the ridge keep a
// fit with fewer points than features sane). xs, ms and o's slices are not
// modified or retained.
func Fit(xs [][]float64, ms []float64, o Options) (*Model, error) {
	n := len(xs)
	if n != len(ms) {
		panic(fmt.Sprintf("opcost: Fit: %d feature rows, %d latencies", n, len(ms)))
	}
	if n < 2 {
		return nil, fmt.Errorf("%w: Fit needs at least 2 labelled points for leave-one-out, got %d", ErrBadData, n)
	}
	p := len(xs[0])
	if err := checkFinite(xs, ms, p); err != nil {
		return nil, err
	}
	scale := o.Scale
	if scale == nil {
		scale = make([]float64, p)
		for j := range scale {
			scale[j] = 1
		}
	}
	if len(scale) != p {
		panic(fmt.Sprintf("opcost: Fit: %d scales for %d features", len(scale), p))
	}
	for j, s := range scale {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%w: scale of feature %d is %g (want finite, > 0)", ErrBadData, j, s)
		}
	}
	if o.Loss == Relative {
		for i, y := range ms {
			if !(y > 0) {
				return nil, fmt.Errorf("%w: latency of point %d is %g ms; the relative loss needs positive latencies", ErrBadData, i, y)
			}
		}
	}
	lambdas := o.Lambdas
	if lambdas == nil {
		lambdas = DefaultLambdas
	}
	if len(lambdas) == 0 {
		return nil, fmt.Errorf("%w: empty lambda grid", ErrBadData)
	}
	for _, l := range lambdas {
		if !(l >= 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("%w: ridge lambda %g (want finite, >= 0)", ErrBadData, l)
		}
	}

	// Gram matrix of z = [1, x/scale] over all points; leave-one-out
	// subtracts one point's outer product.
	k := p + 1
	z := make([][]float64, n)
	for i, x := range xs {
		z[i] = make([]float64, k)
		z[i][0] = 1
		for j, v := range x {
			z[i][j+1] = v / scale[j]
		}
	}
	g0 := make([]float64, k*k)
	c0 := make([]float64, k)
	for i := range z {
		addOuter(g0, c0, z[i], ms[i], 1)
	}
	g := make([]float64, k*k)
	c := make([]float64, k)
	sol := make([]float64, k)
	var sv solver
	fitAt := func(lambda float64, skip int) error {
		copy(g, g0)
		copy(c, c0)
		if skip >= 0 {
			addOuter(g, c, z[skip], ms[skip], -1)
		}
		addRidge(g, k, lambda)
		return sv.solve(sol, g, c, 1)
	}

	m := &Model{Loss: o.Loss, Scale: slices.Clone(scale), Path: make([]LambdaScore, len(lambdas))}
	loo := make([]float64, n)
	bestLoss := math.Inf(1)
	for li, lambda := range lambdas {
		for i := range n {
			if err := fitAt(lambda, i); err != nil {
				return nil, fmt.Errorf("opcost: fit without point %d at lambda %g: %w", i, lambda, err)
			}
			loo[i] = dot(sol, z[i])
		}
		l := o.Loss.Score(loo, ms)
		m.Path[li] = LambdaScore{lambda, l}
		if l < bestLoss || m.LOO == nil {
			bestLoss = l
			m.Lambda = lambda
			m.LOO = slices.Clone(loo)
		}
	}
	m.LOOLoss = bestLoss
	m.Residual = make([]float64, n)
	for i := range ms {
		m.Residual[i] = ms[i] - m.LOO[i]
	}
	if err := fitAt(m.Lambda, -1); err != nil {
		return nil, fmt.Errorf("opcost: fit at lambda %g: %w", m.Lambda, err)
	}
	m.Intercept = sol[0]
	m.Coef = slices.Clone(sol[1:])
	m.w = make([]float64, p)
	for j := range m.w {
		m.w[j] = m.Coef[j] / scale[j]
	}
	return m, nil
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// NumFeatures returns p, the length of the feature rows the model takes.
func (m *Model) NumFeatures() int { return len(m.w) }

// Predict returns the model's latency (ms) for raw features x. A length
// mismatch panics.
func (m *Model) Predict(x []float64) float64 {
	if len(x) != len(m.w) {
		panic(fmt.Sprintf("opcost: Predict: %d features, model has %d", len(x), len(m.w)))
	}
	v := m.Intercept
	for j, xj := range x {
		v += m.w[j] * xj
	}
	return v
}

// PredictTo writes the model's latency (ms) for each row of xs to dst and
// returns it; dst is grown only if shorter than len(xs), so a caller that
// keeps dst predicts without allocating. A row of the wrong length
// panics.
func (m *Model) PredictTo(dst []float64, xs [][]float64) []float64 {
	if cap(dst) < len(xs) {
		dst = make([]float64, len(xs))
	}
	dst = dst[:len(xs)]
	for i, x := range xs {
		dst[i] = m.Predict(x)
	}
	return dst
}
