package session

import (
	"errors"

	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space"
)

// ErrNotEnumerable is returned by PredictAll for a space too large to list
// and no Config.Pool.
var ErrNotEnumerable = errors.New("session: the space is too large to predict every architecture, and no pool of architectures was given")

// bulk is the whole space prepared for repeated prediction: encodings
// planned for the predictor's bulk path, structural features and FLOPs.
// It depends on the space only, not on the device.
type bulk struct {
	archs    []space.Arch
	index    map[space.Arch]int
	batch    *predictor.Batch
	features [][]float64
	flops    [][]float64
	cands    []blend.Candidate // scratch: each candidate's predictions
}

// Prepare plans bulk prediction of the whole space (or Config.Pool where
// the space is not enumerable), once (PredictAll does it on first use);
// it reports whether it did now.
func (s *Session) Prepare() (bool, error) {
	if s.shared.all != nil {
		return false, nil
	}
	var archs []space.Arch
	if e, ok := s.cfg.Space.(space.Enumerable); ok {
		archs = make([]space.Arch, e.NumArchs())
		for i := range archs {
			archs[i] = e.ArchAt(i)
		}
	} else if len(s.cfg.Pool) > 0 {
		archs = s.cfg.Pool
	} else {
		return false, ErrNotEnumerable
	}
	index := make(map[space.Arch]int, len(archs))
	for i, a := range archs {
		if _, dup := index[a]; !dup {
			index[a] = i
		}
	}
	s.shared.all = &bulk{
		archs:    archs,
		index:    index,
		batch:    s.cfg.Model.NewBatch(s.encodeAll(archs)),
		features: s.featuresAll(archs),
		flops:    s.flopsAll(archs),
	}
	for _, name := range candidates {
		s.shared.all.cands = append(s.shared.all.cands, blend.Candidate{Name: name, Pred: make([]float64, len(archs))})
	}
	return true, nil
}

// Arch returns the architecture at index i of the space (PredictAll's
// order). It panics before Prepare.
func (s *Session) Arch(i int) space.Arch { return s.shared.all.archs[i] }

// Index returns a's index in PredictAll's order. It panics before
// Prepare.
func (s *Session) Index(a space.Arch) (int, bool) {
	i, ok := s.shared.all.index[a]
	return i, ok
}

// Size is how many architectures PredictAll predicts: the space's
// NumArchs, the pool's length, or 0 if it cannot.
func (s *Session) Size() int {
	if e, ok := s.cfg.Space.(space.Enumerable); ok {
		return e.NumArchs()
	}
	return len(s.cfg.Pool)
}

// PredictAll writes the predicted latency (ms) of every architecture of
// an enumerable space (or of Config.Pool), in its index order, with method ("" is auto), into
// dst (grown if short) and returns it. HELP here uses z at its mean, one
// adapted model instead of the mean over 10 samples: 10x cheaper and it
// ranks as well (predictor's TestMeanZRanksLikeSampling).
func (d *Device) PredictAll(dst []float64, method string) ([]float64, error) {
	s := d.sess
	if _, err := s.Prepare(); err != nil {
		return nil, err
	}
	b := s.shared.all
	n := len(b.archs)
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	switch method {
	case MethodHELP:
		d.helpMean.PredictBatchTo(dst, b.batch)
		return d.Scale.DenormaliseTo(dst, dst), nil
	case MethodOpCost:
		return d.opc.PredictTo(dst, b.features), nil
	case MethodFLOPs:
		return d.flops.PredictTo(dst, b.flops), nil
	case "", MethodAuto:
	default:
		return nil, errors.New("session: unknown prediction method " + method)
	}
	// Only candidates with weight are computed.
	for k, c := range b.cands {
		if d.blend.Weights[k] == 0 {
			continue
		}
		switch c.Name {
		case MethodHELP:
			d.helpMean.PredictBatchTo(c.Pred, b.batch)
			d.Scale.DenormaliseTo(c.Pred, c.Pred)
		case MethodOpCost:
			d.opc.PredictTo(c.Pred, b.features)
		case MethodFLOPs:
			d.flops.PredictTo(c.Pred, b.flops)
		}
	}
	return d.autoTo(dst, b.cands), nil
}

// Interval is auto's prediction interval as a half-width (ms) around a
// prediction, and its nominal coverage.
func (d *Device) Interval(ms float64) (halfWidth, level float64) {
	return d.blend.Interval.HalfWidth(ms), d.blend.Interval.Level
}
