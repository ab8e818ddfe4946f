package predictor

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// ZMode says how z is drawn at test time.
type ZMode int

const (
	// ZSample draws MCSamples values of z from the posterior, adapts a model
	// for each and averages their predictions (HELP's test protocol).
	ZSample ZMode = iota
	// ZMean uses z = mu: one deterministic adapted model (MCSamples ignored),
	// ten times cheaper to predict with.
	ZMean
)

// NoSteps asks Adapt for no inner step at all (the meta-learned prior).
const NoSteps = -1

// DefaultMCSamples is HELP's number of Monte-Carlo samples of z at test.
const DefaultMCSamples = 10

// AdaptOptions tune Adapt. The zero value is HELP's test protocol:
// Config.InnerSteps steps, 10 samples of z, seed 0.
type AdaptOptions struct {
	// Steps is the number of inner steps; 0 means Config.InnerSteps and
	// NoSteps means none (useful to show the prior's predictions).
	Steps int
	// MCSamples is the number of z samples for ZSample (0 means 10).
	MCSamples int
	// Mode selects sampled or mean z.
	Mode ZMode
	// Seed seeds the z noise; same seed, same predictions.
	Seed uint64
}

// Adapted is a model adapted to one device: one parameter vector per
// sample of z. It is not safe for concurrent use.
type Adapted struct {
	m         *Model
	thetas    [][]float64
	embedding []float64
	fwd       *pass
}

// Batch is a set of encoded architectures prepared once for repeated bulk
// prediction (e.g. the whole search space): for the GCN encoder it holds
// the plan of distinct node states that makes bulk prediction cheap. It
// keeps references to xs, which must not change while it is used, and
// owns the scratch buffers of bulk prediction, so it is not safe for
// concurrent use.
type Batch struct {
	xs      [][]float64
	plan    *gcnPlan
	scratch gcnScratch
}

// bulkMin is the batch size from which PredictTo plans the GCN (planning
// costs about as much as predicting a few hundred architectures directly).
const bulkMin = 512

// NewBatch prepares xs for PredictBatchTo. It panics if an encoding has the
// wrong length.
func (m *Model) NewBatch(xs [][]float64) *Batch {
	want := m.Config.InputLen()
	for i, x := range xs {
		if len(x) != want {
			panic(fmt.Sprintf("predictor: architecture %d has encoding length %d, want %d", i, len(x), want))
		}
	}
	b := &Batch{xs: xs}
	if m.Config.Encoder == EncoderGCN {
		b.plan = newGCNPlan(&m.Config, xs)
	}
	return b
}

// Len is the number of architectures in b.
func (b *Batch) Len() int { return len(b.xs) }

// PredictBatchTo is PredictTo for a prepared batch (from the same model).
func (a *Adapted) PredictBatchTo(dst []float64, b *Batch) []float64 {
	if b.plan == nil {
		return a.PredictTo(dst, b.xs)
	}
	if cap(dst) < len(b.xs) {
		dst = make([]float64, len(b.xs))
	}
	dst = dst[:len(b.xs)]
	clear(dst)
	for _, th := range a.thetas {
		predictPlanTo(dst, &a.m.Config, a.m.l, b.plan, th, a.embedding, &b.scratch)
	}
	inv := 1 / float64(len(a.thetas))
	for i := range dst {
		dst[i] *= inv
	}
	return dst
}

// predictChunk is the batch size PredictTo evaluates at once.
const predictChunk = 256

// Adapt adapts m to a device given its normalised hardware embedding and
// support samples (encoded architectures xs with normalised latencies ys).
// Inputs are copied, not retained.
func (m *Model) Adapt(embedding []float64, xs [][]float64, ys []float64, opts AdaptOptions) (*Adapted, error) {
	c := m.Config
	if len(embedding) != c.EmbedDim {
		return nil, fmt.Errorf("predictor: adapt: embedding has %d values, want %d", len(embedding), c.EmbedDim)
	}
	if err := checkFinite("embedding", embedding); err != nil {
		return nil, fmt.Errorf("predictor: adapt: %w", err)
	}
	if len(xs) != len(ys) {
		return nil, fmt.Errorf("predictor: adapt: %d architectures but %d latencies", len(xs), len(ys))
	}
	steps := opts.Steps
	switch {
	case steps == 0:
		steps = c.InnerSteps
	case steps < 0:
		steps = 0
	}
	if steps > 0 && len(xs) == 0 {
		return nil, errors.New("predictor: adapt: no support samples")
	}
	for i, x := range xs {
		if len(x) != c.InputLen() {
			return nil, fmt.Errorf("predictor: adapt: support architecture %d has encoding length %d, want %d", i, len(x), c.InputLen())
		}
		if err := checkFinite(fmt.Sprintf("support architecture %d", i), x); err != nil {
			return nil, fmt.Errorf("predictor: adapt: %w", err)
		}
	}
	if err := checkFinite("support latency", ys); err != nil {
		return nil, fmt.Errorf("predictor: adapt: %w", err)
	}
	samples := opts.MCSamples
	if samples <= 0 {
		samples = DefaultMCSamples
	}
	if !c.Modulator || opts.Mode == ZMean {
		samples = 1
	}
	a := &Adapted{m: m, embedding: append([]float64(nil), embedding...)}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x7a))
	var sup *pass
	if steps > 0 {
		sup = newPass(&m.Config, m.l, len(xs), true, false)
		sup.setInputs(embedding, xs)
	}
	var st *zState
	if c.Modulator {
		st = newZState(c)
	}
	g := make([]float64, m.l.nModel)
	for s := 0; s < samples; s++ {
		theta := make([]float64, m.l.nModel)
		if c.Modulator {
			for i := range st.eps {
				if opts.Mode == ZSample {
					st.eps[i] = rng.NormFloat64()
				} else {
					st.eps[i] = 0
				}
			}
			m.encodeZ(st, embedding)
			m.modulate(theta, st.z)
		} else {
			copy(theta, m.base)
		}
		for k := 0; k < steps; k++ {
			clear(g)
			sup.forward(theta, nil)
			sup.backward(theta, nil, ys, g, nil)
			m.stepTo(theta, theta, g)
		}
		if err := checkFinite("adapted parameters", theta); err != nil {
			return nil, fmt.Errorf("predictor: adapt diverged: %w", err)
		}
		a.thetas = append(a.thetas, theta)
	}
	return a, nil
}

// Samples is the number of adapted models whose predictions are averaged.
func (a *Adapted) Samples() int { return len(a.thetas) }

// PredictTo writes the normalised predicted latency of each encoded
// architecture in xs to dst (resized to len(xs)) and returns it. It does not
// allocate once dst has capacity len(xs). It panics if an encoding has the
// wrong length.
func (a *Adapted) PredictTo(dst []float64, xs [][]float64) []float64 {
	if cap(dst) < len(xs) {
		dst = make([]float64, len(xs))
	}
	dst = dst[:len(xs)]
	if len(xs) >= bulkMin && a.m.Config.Encoder == EncoderGCN {
		return a.PredictBatchTo(dst, a.m.NewBatch(xs))
	}
	if a.fwd == nil {
		a.fwd = newPass(&a.m.Config, a.m.l, predictChunk, false, false)
	}
	inv := 1 / float64(len(a.thetas))
	for lo := 0; lo < len(xs); lo += predictChunk {
		hi := min(lo+predictChunk, len(xs))
		a.fwd.setInputs(a.embedding, xs[lo:hi])
		out := dst[lo:hi]
		clear(out)
		for _, th := range a.thetas {
			a.fwd.forward(th, nil)
			for i, v := range a.fwd.output() {
				out[i] += v
			}
		}
		for i := range out {
			out[i] *= inv
		}
	}
	return dst
}

// Predict returns the normalised predicted latency of one architecture.
func (a *Adapted) Predict(x []float64) float64 {
	var one [1]float64
	xs := [1][]float64{x}
	return a.PredictTo(one[:0], xs[:])[0]
}
