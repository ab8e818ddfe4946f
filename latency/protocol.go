package latency

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/helpwasm/helpwasm/internal/clip"
)

// PoolSizes are the sizes of HELP's per-device pools before trimming: the
// training pool is HELP indices [0, Train), the query pool
// [Train, Train+Query).
type PoolSizes struct{ Train, Query int }

// Split is a division of devices into meta-train, meta-validation and
// meta-test sets.
type Split struct{ MetaTrain, MetaValid, MetaTest []string }

// Devices returns all devices of the split, meta-train first.
func (s Split) Devices() []string {
	return slices.Concat(s.MetaTrain, s.MetaValid, s.MetaTest)
}

// Protocol is HELP's setup for one search space.
type Protocol struct {
	Space string
	Pools PoolSizes
	Split Split
	// References is the number of reference architectures, the length of
	// the hardware embedding (10 in HELP); 0 accepts any number.
	References int
}

// Standard returns HELP's protocol for space: the pool sizes of its
// loader and the device split of the paper (Table 3 for NAS-Bench-201,
// Table 2 for FBNet, HELP's published script for OFA). Each call returns
// fresh slices.
func Standard(space string) (Protocol, error) {
	switch space {
	case NASBench201:
		return Protocol{
			Space:      space,
			Pools:      PoolSizes{Train: 900, Query: 1000},
			References: 10,
			Split: Split{
				MetaTrain: []string{"1080ti_1", "1080ti_32", "1080ti_256", "silver_4114", "silver_4210r", "samsung_a50", "pixel3", "essential_ph_1", "samsung_s7"},
				MetaValid: []string{"titanx_1", "titanx_32", "titanx_256", "gold_6240"},
				MetaTest:  []string{"titan_rtx_256", "gold_6226", "fpga", "pixel2", "raspi4", "eyeriss"},
			},
		}, nil
	case FBNet:
		return Protocol{
			Space:      space,
			Pools:      PoolSizes{Train: 4000, Query: 1000},
			References: 10,
			Split: Split{
				MetaTrain: []string{"1080ti_1", "1080ti_32", "1080ti_64", "silver_4114", "silver_4210r", "samsung_a50", "pixel3", "essential_ph_1", "samsung_s7"},
				MetaValid: []string{"titanx_1", "titanx_32", "titanx_64", "gold_6240"},
				MetaTest:  []string{"fpga", "raspi4", "eyeriss"},
			},
		}, nil
	case OFA:
		// HELP's script/run_meta_training_ofa.sh and README §3: 4,000
		// training architectures, the other 1,000 the query pool.
		return Protocol{
			Space:      space,
			Pools:      PoolSizes{Train: 4000, Query: 1000},
			References: 10,
			Split: Split{
				MetaTrain: []string{"2080ti_1", "2080ti_32", "2080ti_64", "titan_xp_1", "titan_xp_32", "titan_xp_64", "v100_1", "v100_32", "v100_64"},
				MetaValid: []string{"titan_rtx_1", "titan_rtx_32"},
				MetaTest:  []string{"titan_rtx_64"},
			},
		}, nil
	}
	return Protocol{}, fmt.Errorf("latency: %w %s (want %s, %s or %s)", ErrUnknownSpace, clip.Quote(space), NASBench201, FBNet, OFA)
}

// Fractions of each pool HELP drops as outliers, per device: the fastest
// TrimLow and the slowest 1-TrimHigh.
const (
	TrimLow  = 0.1
	TrimHigh = 0.9
)

// Portions of [0, 1] that normalised values span.
const (
	// LatencyPortion is for latencies: y in [0.05, 0.95] over the range.
	LatencyPortion = 0.9
	// EmbeddingPortion is for the hardware embedding: y in [0, 1].
	EmbeddingPortion = 1.0
)

// IndexRange returns the rows of HELP indices lo..hi-1 in index order,
// or an error wrapping ErrUnknownIndex naming the first index missing.
func (t *Table) IndexRange(lo, hi int) ([]int, error) {
	if lo < 0 || hi < lo {
		return nil, fmt.Errorf("latency: bad index range [%d, %d)", lo, hi)
	}
	rows := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		r, ok := t.rowOfIndex[i]
		if !ok {
			return nil, fmt.Errorf("latency: %w %d: the %s table has %d rows, the pool needs indices [%d, %d)", ErrUnknownIndex, i, t.space, len(t.archs), lo, hi)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// Trim writes to dst the rows of pool ordered by ascending lat[row] with
// the first int(0.1n) and the rows from int(0.9n) on dropped, and returns
// it. This is HELP's idx[argsort(lat[idx])[int(n*0.1):int(n*0.9)]].
//
// Latencies are compared as float32, as HELP's loader holds them
// (torch.FloatTensor): eyeriss, for one, lists equal latencies that
// differ only in float64 rounding noise (3.39986 and 3.399860000000001),
// and which of those survive the cut would otherwise depend on that
// noise. Ties keep pool order (a stable sort); HELP's numpy argsort is not
// stable, so which tied rows sit at a cut may differ from HELP's run.
// dst must not alias pool.
func Trim(dst, pool []int, lat []float64) []int {
	n := len(pool)
	sorted := slices.Clone(pool)
	slices.SortStableFunc(sorted, func(a, b int) int { return cmp.Compare(float32(lat[a]), float32(lat[b])) })
	lo, hi := int(float64(n)*TrimLow), int(float64(n)*TrimHigh)
	return append(dst[:0], sorted[lo:hi]...)
}

// Scale is a min-max normalisation: y = (t-Min)/(Max-Min)*Portion +
// (1-Portion)/2, so Min maps to (1-Portion)/2 and Max to (1+Portion)/2.
// It is the one home of HELP's latency scaling: training, evaluation, the
// device session and the page all convert with it.
//
// # The tail below Min
//
// With Tail set, Denormalise continues below y = (1-Portion)/2 (faster
// than the fastest anchor) as the exponential with the line's value and
// slope at Min, instead of HELP's straight line, which reaches zero and
// then negative "latencies" for cells much faster than any anchor. The
// tail is always positive, increasing (rankings are unchanged) and equal
// to the line to first order near Min. A device profile's scale sets it;
// the paper's protocol (training and evaluation on latency tables) does not.
type Scale struct {
	Min, Max, Portion float64
	Tail              bool
}

// ScaleOver returns the Scale with the minimum and maximum of lat over
// rows. It panics if rows is empty.
func ScaleOver(lat []float64, rows []int, portion float64) Scale {
	if len(rows) == 0 {
		panic("latency: ScaleOver: no rows")
	}
	s := Scale{Min: lat[rows[0]], Max: lat[rows[0]], Portion: portion}
	for _, r := range rows[1:] {
		s.Min = min(s.Min, lat[r])
		s.Max = max(s.Max, lat[r])
	}
	return s
}

// ScaleOf returns the Scale with the minimum and maximum of values.
func ScaleOf(values []float64, portion float64) Scale {
	if len(values) == 0 {
		panic("latency: ScaleOf: no values")
	}
	return Scale{Min: slices.Min(values), Max: slices.Max(values), Portion: portion}
}

// Normalise maps t (ms) to the normalised scale. If Max == Min the result
// is NaN or ±Inf, as in HELP; callers with constant data must check.
func (s Scale) Normalise(t float64) float64 {
	return (t-s.Min)/(s.Max-s.Min)*s.Portion + (1-s.Portion)/2
}

// Denormalise inverts Normalise: normalised y back to ms (with Tail, the
// exponential tail below Min; see Scale).
func (s Scale) Denormalise(y float64) float64 {
	ms := (y-(1-s.Portion)/2)/s.Portion*(s.Max-s.Min) + s.Min
	if !s.Tail || ms >= s.Min || s.Min <= 0 {
		return ms
	}
	return s.Min * math.Exp((ms-s.Min)/s.Min)
}

// NormaliseTo writes Normalise(ms[i]) to dst[i] and returns dst (grown if
// short). dst may alias ms.
func (s Scale) NormaliseTo(dst, ms []float64) []float64 {
	dst = grow(dst, len(ms))
	for i, t := range ms {
		dst[i] = s.Normalise(t)
	}
	return dst
}

// DenormaliseTo writes Denormalise(y[i]) to dst[i] and returns dst (grown
// if short). dst may alias y.
func (s Scale) DenormaliseTo(dst, y []float64) []float64 {
	dst = grow(dst, len(y))
	for i, v := range y {
		dst[i] = s.Denormalise(v)
	}
	return dst
}

// Embedding writes the hardware embedding of the reference latencies ref
// (ms, in reference order) to dst and returns it: ref min-max normalised
// among themselves with EmbeddingPortion, so the fastest reference
// architecture maps to 0 and the slowest to 1. dst may alias ref. It is the
// one home of HELP's embedding; CheckedEmbedding adds the checks a measured
// device needs.
func Embedding(dst, ref []float64) []float64 {
	return ScaleOf(ref, EmbeddingPortion).NormaliseTo(dst, ref)
}

// ErrNoEmbedding is wrapped by CheckedEmbedding's errors.
var ErrNoEmbedding = errors.New("no hardware embedding")

// CheckedEmbedding is Embedding into a new slice, after checking that
// there are at least two reference latencies, all finite and positive and
// not all equal (a clock too coarse to tell the networks apart).
func CheckedEmbedding(ref []float64) ([]float64, error) {
	if len(ref) < 2 {
		return nil, fmt.Errorf("%w: need at least 2 reference latencies, got %d", ErrNoEmbedding, len(ref))
	}
	for i, t := range ref {
		if !(t > 0) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("%w: reference latency [%d] = %v ms: want finite and positive", ErrNoEmbedding, i, t)
		}
	}
	if lo, hi := slices.Min(ref), slices.Max(ref); lo == hi {
		return nil, fmt.Errorf("%w: all %d reference latencies equal %v ms", ErrNoEmbedding, len(ref), lo)
	}
	return Embedding(nil, ref), nil
}

// Device is one device's data under HELP's protocol.
type Device struct {
	Name string
	// Latency is the device's latency in ms by table row (the table's
	// storage).
	Latency []float64
	// Train and Query are the trimmed pools (rows, ascending latency).
	Train, Query []int
	// Scale normalises this device's latencies: min-max over Train,
	// LatencyPortion.
	Scale Scale
	// Reference holds the reference latencies (ms, embedding order) and
	// Embedding their normalised form, HELP's hardware embedding.
	Reference, Embedding []float64
}

// Normalised returns the device's normalised latency of each row in rows.
func (d *Device) Normalised(dst []float64, rows []int) []float64 {
	dst = grow(dst, len(rows))
	for i, r := range rows {
		dst[i] = d.Scale.Normalise(d.Latency[r])
	}
	return dst
}

// Device returns device's pools, scale and embedding under HELP's protocol
// with pool sizes p.
func (t *Table) Device(device string, p PoolSizes) (*Device, error) {
	if err := t.CheckDevices(device); err != nil {
		return nil, fmt.Errorf("latency: %w", err)
	}
	if len(t.reference) == 0 {
		return nil, fmt.Errorf("latency: the %s table has no reference architectures (load %s)", t.space, ReferenceFile)
	}
	trainPool, err := t.IndexRange(0, p.Train)
	if err != nil {
		return nil, err
	}
	queryPool, err := t.IndexRange(p.Train, p.Train+p.Query)
	if err != nil {
		return nil, err
	}
	lat := t.Latency(device)
	d := &Device{
		Name:    device,
		Latency: lat,
		Train:   Trim(nil, trainPool, lat),
		Query:   Trim(nil, queryPool, lat),
	}
	if len(d.Train) == 0 || len(d.Query) == 0 {
		return nil, fmt.Errorf("latency: pools %+v leave %d training and %d query rows after trimming", p, len(d.Train), len(d.Query))
	}
	d.Scale = ScaleOver(lat, d.Train, LatencyPortion)
	d.Reference = make([]float64, len(t.reference))
	for i, r := range t.reference {
		d.Reference[i] = lat[r]
	}
	d.Embedding = Embedding(nil, d.Reference)
	return d, nil
}

// Consensus returns the consensus slowest and fastest rows over devices,
// as HELP's utils.get_minmax_latency_index: for each device, each row of
// its trimmed training pool scores its position in that pool sorted by
// latency; rows in every device's pool are compared by total score; the
// first row (in the first device's pool order) with the largest total is
// slowest, with the smallest fastest. HELP passes meta-train and
// meta-validation devices in "nas" mode.
func (t *Table) Consensus(devices []string, p PoolSizes) (slowest, fastest int, err error) {
	if len(devices) == 0 {
		return 0, 0, fmt.Errorf("latency: Consensus needs at least one device")
	}
	score := map[int]int{}
	count := map[int]int{}
	var order []int // first device's pool order, HELP's dict order
	for i, name := range devices {
		d, err := t.Device(name, p)
		if err != nil {
			return 0, 0, err
		}
		// d.Train is sorted by latency, so position = rank, as in HELP
		// (its train_idx is already sorted, so torch.sort's indices are
		// positions).
		for pos, r := range d.Train {
			score[r] += pos
			count[r]++
		}
		if i == 0 {
			order = d.Train
		}
	}
	slowest, fastest = -1, -1
	for _, r := range order {
		if count[r] < len(devices) {
			continue
		}
		if slowest < 0 || score[r] > score[slowest] {
			slowest = r
		}
		if fastest < 0 || score[r] < score[fastest] {
			fastest = r
		}
	}
	if slowest < 0 {
		return 0, 0, fmt.Errorf("latency: no architecture is in the trimmed training pool of all of %v", devices)
	}
	return slowest, fastest, nil
}

// AnchorRows returns HELP's "nas"-mode normalisation anchors: slowest,
// fastest, then the reference rows.
func (t *Table) AnchorRows(slowest, fastest int) []int {
	return append([]int{slowest, fastest}, t.reference...)
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// AnchorDevices returns the devices whose consensus gives the scale
// anchors in HELP's "nas" mode: meta-train and meta-validation devices
// (HELP's main_nas passes both to get_minmax_latency_index).
func (p Protocol) AnchorDevices() []string {
	return slices.Concat(p.Split.MetaTrain, p.Split.MetaValid)
}

// Anchors returns HELP's 12 "nas"-mode normalisation anchors for p:
// the consensus slowest and fastest rows over p.AnchorDevices(), then the
// reference rows. A new device's latencies are normalised with
// ScaleOf(its latencies of these rows, LatencyPortion).
func (t *Table) Anchors(p Protocol) ([]int, error) {
	slowest, fastest, err := t.Consensus(p.AnchorDevices(), p.Pools)
	if err != nil {
		return nil, err
	}
	return t.AnchorRows(slowest, fastest), nil
}
