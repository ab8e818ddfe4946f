package atlas

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Similarity scores how alike two devices' reference latencies are; larger
// is more alike. It must be invariant under positive affine maps of either
// argument (so raw latencies and embeddings give the same answer), as
// Pearson and Spearman correlation are.
type Similarity func(x, y []float64) float64

// Pearson is the Pearson correlation coefficient.
func Pearson(x, y []float64) float64 { return stat.Correlation(x, y, nil) }

// Match is a known device and its similarity to a target.
type Match struct {
	Name       string
	Split      Split
	Similarity float64
}

// Nearest returns up to k known devices of any split, most similar first
// by Pearson correlation of reference latencies. target holds the target's
// reference latencies (ms) or its embedding, in reference order.
func (a *Atlas) Nearest(target []float64, k int) []Match {
	return a.NearestBy(target, k, Pearson)
}

// NearestBy is Nearest with a chosen similarity, restricted to the given
// splits (all splits if none are given). Devices whose similarity is NaN
// (for example a constant target) sort last; ties sort by name.
func (a *Atlas) NearestBy(target []float64, k int, sim Similarity, splits ...Split) []Match {
	if len(target) != len(a.Reference) {
		panic(fmt.Sprintf("atlas: Nearest: target has %d values, want %d", len(target), len(a.Reference)))
	}
	var ms []Match
	for _, d := range a.Devices {
		if len(splits) > 0 && !slices.Contains(splits, d.Split) {
			continue
		}
		ms = append(ms, Match{Name: d.Name, Split: d.Split, Similarity: sim(target, d.ReferenceMS)})
	}
	slices.SortStableFunc(ms, func(p, q Match) int {
		pn, qn := math.IsNaN(p.Similarity), math.IsNaN(q.Similarity)
		switch {
		case pn && !qn:
			return 1
		case qn && !pn:
			return -1
		case !pn && p.Similarity != q.Similarity:
			return -cmp.Compare(p.Similarity, q.Similarity)
		}
		return cmp.Compare(p.Name, q.Name)
	})
	if k >= 0 && k < len(ms) {
		ms = ms[:k]
	}
	return ms
}

// PoolMS returns a copy of device name's pool latencies in ms as float64,
// in PoolArchs order, or false if the device is unknown.
func (a *Atlas) PoolMS(name string) ([]float64, bool) {
	d, ok := a.Device(name)
	if !ok {
		return nil, false
	}
	out := make([]float64, len(d.PoolMS))
	for i, v := range d.PoolMS {
		out[i] = float64(v)
	}
	return out, true
}
