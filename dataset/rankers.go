package dataset

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
)

// Prediction is a ranker's output for one device's query pool, in
// dev.Query order: Values whose order is the predicted latency order,
// and which are milliseconds when MS is set.
type Prediction struct {
	Values []float64
	MS     bool
}

// Ranker predicts, for one device and seed, the device's query pool.
type Ranker func(dev *latency.Device, seed uint64) (Prediction, error)

// HELP adapts m on samples support architectures chosen by support
// (SupportRows if nil) as HELP's meta-test does (Config.InnerSteps steps,
// Monte-Carlo samples of z) and predicts the query pool, normalised. Works
// for HELP and the Meta-SGD and MAML variants alike: the model's Config
// says which parts exist.
func HELP(d *Data, m *predictor.Model, samples int, support Support) Ranker {
	if support == nil {
		support = SupportRows
	}
	batches := map[string]*predictor.Batch{} // query pools, prepared once per device
	return func(dev *latency.Device, seed uint64) (Prediction, error) {
		rows, err := support(dev, samples, seed)
		if err != nil {
			return Prediction{}, err
		}
		ad, err := m.Adapt(dev.Embedding, d.Rows(rows), dev.Normalised(nil, rows), predictor.AdaptOptions{Seed: seed})
		if err != nil {
			return Prediction{}, fmt.Errorf("dataset: device %s: %w", dev.Name, err)
		}
		b := batches[dev.Name]
		if b == nil {
			b = m.NewBatch(d.Rows(dev.Query))
			batches[dev.Name] = b
		}
		return Prediction{Values: ad.PredictBatchTo(nil, b)}, nil
	}
}

// FLOPs ranks by the space's FLOPs: no device data at all.
func FLOPs(d *Data) Ranker {
	return func(dev *latency.Device, _ uint64) (Prediction, error) {
		vals := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			vals[i] = float64(d.Space.FLOPs(d.Archs[r]))
		}
		return Prediction{Values: vals}, nil
	}
}

// Nearest returns the device of known whose reference latencies are most
// alike ref by sim (ties by name; NaN similarity last), or "" if known is
// empty.
func Nearest(d *Data, known []string, ref []float64, sim atlas.Similarity) string {
	return nearestWithout(d, known, ref, sim, -1)
}

// nearestWithout is Nearest on the reference architectures other than
// the skip-th (ref then holds the others' latencies; skip < 0 for none).
func nearestWithout(d *Data, known []string, ref []float64, sim atlas.Similarity, skip int) string {
	type cand struct {
		name string
		s    float64
	}
	var cs []cand
	refRows := d.Table.ReferenceRows()
	if skip >= 0 {
		refRows = slices.Delete(slices.Clone(refRows), skip, skip+1)
	}
	kr := make([]float64, len(refRows))
	for _, name := range known {
		lat := d.Table.Latency(name)
		for i, r := range refRows {
			kr[i] = lat[r]
		}
		s := sim(ref, kr)
		if math.IsNaN(s) {
			s = math.Inf(-1)
		}
		cs = append(cs, cand{name, s})
	}
	if len(cs) == 0 {
		return ""
	}
	return slices.MinFunc(cs, func(a, b cand) int {
		if c := cmp.Compare(b.s, a.s); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	}).name
}

// Proxy is the nearest-device baseline: the device of known whose
// reference latencies correlate best (by sim) with the target's stands in
// for it, its latencies (ms) as the prediction.
func Proxy(d *Data, known []string, sim atlas.Similarity) (Ranker, error) {
	if len(known) == 0 {
		return nil, fmt.Errorf("dataset: proxy: no known device to stand in")
	}
	if err := d.Table.CheckDevices(known...); err != nil {
		return nil, err
	}
	return func(dev *latency.Device, _ uint64) (Prediction, error) {
		// The target itself is never its own stand-in.
		k := slices.DeleteFunc(slices.Clone(known), func(n string) bool { return n == dev.Name })
		name := Nearest(d, k, dev.Reference, sim)
		if name == "" {
			return Prediction{}, fmt.Errorf("dataset: proxy: no known device other than %s", dev.Name)
		}
		lat := d.Table.Latency(name)
		out := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			out[i] = lat[r]
		}
		return Prediction{Values: out, MS: true}, nil
	}, nil
}
