package dataset

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
)

// Support chooses n support rows of dev's trimmed training pool for seed.
type Support func(dev *latency.Device, n int, seed uint64) ([]int, error)

// Chooser picks n rows of pool (feature vectors) given the rows prior
// already labelled, returning indices in pool (draw.DOptimal).
type Chooser func(pool, prior [][]float64, n int) ([]int, error)

// Design is a designed support: choose picks n rows of dev's trimmed
// training pool on the space's structural features (divided by
// FeatureScale), the reference architectures counting as already
// labelled. The pool is shuffled with seed first, so that among equally
// informative rows each seed draws its own; no latency is looked at.
func Design(d *Data, choose Chooser) Support {
	feat := d.ScaledFeatures()
	return func(dev *latency.Device, n int, seed uint64) ([]int, error) {
		pool := slices.Clone(dev.Train)
		r := SeedRand(dev.Name, seed)
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		idx, err := choose(rowsOf(feat, pool), rowsOf(feat, d.Table.ReferenceRows()), n)
		if err != nil {
			return nil, fmt.Errorf("dataset: device %s: designing %d support rows: %w", dev.Name, n, err)
		}
		rows := make([]int, len(idx))
		for i, k := range idx {
			rows[i] = pool[k]
		}
		return rows, nil
	}
}

// ScaledFeatures returns every row's structural features divided by the
// space's FeatureScale (a new table each call).
func (d *Data) ScaledFeatures() [][]float64 {
	scale := d.Space.FeatureScale()
	out := make([][]float64, len(d.Archs))
	for r, a := range d.Archs {
		f := d.Space.Features(nil, a)
		for j := range f {
			f[j] /= scale[j]
		}
		out[r] = f
	}
	return out
}

func rowsOf(xs [][]float64, rows []int) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = xs[r]
	}
	return out
}

// The methods a Suite scores.
const (
	MethodHELP       = "help"       // the meta-trained predictor adapted on the support (normalised)
	MethodStructural = "structural" // op-cost NNLS on the space's structural features (ms)
	MethodBasis      = "basis"      // NNLS on the known devices' latencies (ms)
	MethodFLOPs      = "flops"      // FLOPs (no device data)
	MethodNearest    = "nearest"    // the known device with the most alike reference latencies (ms)
	MethodAuto       = "auto"       // with known devices the blend.Rule they choose (autoRule), else blend.OpCostRobust (ms)
)

// Suite predicts a device's query pool with every method from the same
// labelled points: the reference architectures and the support rows,
// both with their measured ms. Only those points are used to fit, choose
// or blend; validation and query latencies never are.
type Suite struct {
	D *Data
	// Model is the meta-trained predictor; nil leaves HELP out (of the
	// methods).
	Model   *predictor.Model
	Samples int
	Support Support
	// Known returns the devices basis and nearest may use for a target
	// (the target itself is always dropped); nil means the split's
	// meta-train devices.
	Known func(target string) []string
	// Sim scores reference latencies for nearest (atlas.Pearson if nil).
	Sim atlas.Similarity

	feats   [][]float64
	smooth  map[string][]float64 // autoBasis's column of each known device
	sim     map[string][]float64 // simulate's scores by known device and basis
	ws      rank.Workspace
	batches map[string]*predictor.Batch
	memo    map[suiteKey]map[string]Prediction
	// Chosen counts, per (device, seed) pair computed, what auto used:
	// the blend.Rule the known devices chose, or without known devices
	// blend.OpCostRobust's fit chosen.
	Chosen map[string]int
}

type suiteKey struct {
	dev  string
	seed uint64
}

// Methods lists the methods s scores, auto last.
func (s *Suite) Methods() []string {
	var out []string
	if s.Model != nil {
		out = append(out, MethodHELP)
	}
	return append(out, MethodStructural, MethodBasis, MethodFLOPs, MethodNearest, MethodAuto)
}

// Ranker is s's method as a Ranker. Every method of a (device, seed) is
// computed on the first call and kept.
func (s *Suite) Ranker(method string) Ranker {
	if !slices.Contains(s.Methods(), method) {
		panic(fmt.Sprintf("dataset: Suite has no method %q", method))
	}
	return func(dev *latency.Device, seed uint64) (Prediction, error) {
		k := suiteKey{dev.Name, seed}
		if s.memo == nil {
			s.memo = map[suiteKey]map[string]Prediction{}
			s.batches = map[string]*predictor.Batch{}
			s.Chosen = map[string]int{}
			s.feats = s.D.ScaledFeatures()
		}
		if _, ok := s.memo[k]; !ok {
			p, err := s.compute(dev, seed)
			if err != nil {
				return Prediction{}, err
			}
			s.memo[k] = p
		}
		return s.memo[k][method], nil
	}
}

// compute fits every method on dev's labelled points for seed.
func (s *Suite) compute(dev *latency.Device, seed uint64) (map[string]Prediction, error) {
	d := s.D
	support := s.Support
	if support == nil {
		support = SupportRows
	}
	sup, err := support(dev, s.Samples, seed)
	if err != nil {
		return nil, err
	}
	labelled := slices.Concat(d.Table.ReferenceRows(), sup)
	ms := make([]float64, len(labelled))
	for i, r := range labelled {
		ms[i] = dev.Latency[r]
	}
	out := map[string]Prediction{}

	if s.Model != nil {
		pred, err := s.helpQuery(dev, seed, sup)
		if err != nil {
			return nil, err
		}
		out[MethodHELP] = Prediction{Values: pred}
	}

	// structural: op-cost model on the (scaled) structural features.
	sm, err := opcost.Fit(rowsOf(s.feats, labelled), ms, opcost.Options{})
	if err != nil {
		return nil, fmt.Errorf("dataset: device %s: structural fit: %w", dev.Name, err)
	}
	sq := sm.PredictTo(nil, rowsOf(s.feats, dev.Query))
	out[MethodStructural] = Prediction{Values: sq, MS: true}

	// basis: the same on the known devices' latency columns.
	knownOf := s.Known
	if knownOf == nil {
		knownOf = func(string) []string { return d.Proto.Split.MetaTrain }
	}
	known := slices.DeleteFunc(slices.Clone(knownOf(dev.Name)), func(n string) bool { return n == dev.Name })
	if len(known) > 0 {
		cols := make([][]float64, len(known))
		scale := make([]float64, len(known))
		for j, n := range known {
			cols[j] = d.Table.Latency(n)
			scale[j] = slices.Max(cols[j])
		}
		basisRows := func(rows []int) [][]float64 {
			xs := make([][]float64, len(rows))
			for i, r := range rows {
				xs[i] = make([]float64, len(cols))
				for j := range cols {
					xs[i][j] = cols[j][r]
				}
			}
			return xs
		}
		bm, err := opcost.Fit(basisRows(labelled), ms, opcost.Options{Scale: scale})
		if err != nil {
			return nil, fmt.Errorf("dataset: device %s: basis fit: %w", dev.Name, err)
		}
		bq := bm.PredictTo(nil, basisRows(dev.Query))
		out[MethodBasis] = Prediction{Values: bq, MS: true}

		// nearest: the most alike known device's latencies; a fixed
		// predictor, so its leave-one-out predictions are its values.
		sim := s.Sim
		if sim == nil {
			sim = atlas.Pearson
		}
		lat := d.Table.Latency(Nearest(d, known, dev.Reference, sim))
		nq := pick(lat, dev.Query)
		out[MethodNearest] = Prediction{Values: nq, MS: true}
		// The choice of device looked at the reference latencies, so
		// leaving reference point i out redoes it without i.
		nl := pick(lat, labelled)
		refRows := d.Table.ReferenceRows()
		for i := range refRows {
			ref := slices.Delete(slices.Clone(dev.Reference), i, i+1)
			other := nearestWithout(d, known, ref, sim, i)
			nl[i] = d.Table.Latency(other)[refRows[i]]
		}
	}

	flops := make([]float64, d.Table.Len())
	for r, a := range d.Archs {
		flops[r] = float64(d.Space.FLOPs(a))
	}
	fq := pick(flops, dev.Query)
	out[MethodFLOPs] = Prediction{Values: fq}

	// Auto: with known devices, the blend.Rule that the known devices
	// choose when each plays the target (autoRule: meta-selection among
	// the robust op-cost model stacked with the basis whose whole-ms
	// devices are smoothed (autoBasis), the same with the nearest known
	// device, and their calibrated mean; not the op-cost model alone);
	// without, blend.OpCostRobust. Other candidates and rules (HELP,
	// FLOPs, structural+basis, Prefer/Select among them, averages)
	// scored lower on some setting of issue 8 (docs/RESULTS.md §13,
	// §20), so they stay methods of their own or out.
	sf := rowsOf(s.feats, labelled)
	if len(known) > 0 {
		rule, err := s.autoRule(known)
		if err != nil {
			return nil, fmt.Errorf("dataset: device %s: auto: %w", dev.Name, err)
		}
		cols, scale := s.autoBasis(known)
		b, err := blend.BasisRules(sf, ms, nil, rowsOf(cols, labelled), scale)
		if err != nil {
			return nil, fmt.Errorf("dataset: device %s: auto: %w", dev.Name, err)
		}
		s.Chosen[rule.String()]++
		out[MethodAuto] = Prediction{Values: b.PredictTo(nil, rule, rowsOf(s.feats, dev.Query), rowsOf(cols, dev.Query)), MS: true}
		return out, nil
	}
	b, err := blend.OpCostRobust(sf, ms, nil)
	if err != nil {
		return nil, fmt.Errorf("dataset: device %s: auto: %w", dev.Name, err)
	}
	s.Chosen[b.Blend.Method]++
	out[MethodAuto] = Prediction{Values: b.PredictTo(nil, rowsOf(s.feats, dev.Query)), MS: true}
	return out, nil
}

// MetaSeeds is how many support draws autoRule simulates on each known
// device (seeds 1000 to 1000+MetaSeeds-1, apart from eval's 0, 1, ...).
const MetaSeeds = 5

// autoRule chooses auto's rule by meta-selection on the known devices,
// whose whole tables are known: each known device in turn plays the
// target under the same protocol (the reference networks and a support
// draw of s.Samples from its training pool labelled, by s.Support, the
// other known devices its basis, MetaSeeds draws), every blend.Rule is
// fitted to its labelled points and scored by Spearman on its query
// pool, and the rule with the best mean over the known devices wins
// (the first on ties: RuleStack). Nothing of the target is looked at.
// A known device with no other known device beside it is not simulated;
// if none is, RuleStack.
//
// Measured in package dataset's TestStudyMeta (docs/RESULTS.md §20):
// the known devices choose the stack with the nearest device on NASFLAT's
// F1, F3, F4 and FBNet, the calibrated mean on F5, the plain stack on
// NAS-Bench-201 and F2.
func (s *Suite) autoRule(known []string) (blend.Rule, error) {
	if s.sim == nil {
		s.sim = map[string][]float64{}
	}
	mean := make([]float64, blend.NumRules)
	n := 0
	for _, k := range known {
		basis := slices.DeleteFunc(slices.Clone(known), func(n string) bool { return n == k })
		if len(basis) == 0 {
			continue
		}
		sc, err := s.simulate(k, basis)
		if err != nil {
			return 0, err
		}
		for r, v := range sc {
			mean[r] += v
		}
		n++
	}
	best := blend.RuleStack
	if n == 0 {
		return best, nil
	}
	for r := range mean {
		if mean[r] > mean[best] {
			best = blend.Rule(r)
		}
	}
	return best, nil
}

// simulate scores every blend.Rule on known device k with basis as its
// known devices (autoRule), mean Spearman over MetaSeeds draws; kept.
func (s *Suite) simulate(k string, basis []string) ([]float64, error) {
	key := k + "|" + strings.Join(basis, ",")
	if v, ok := s.sim[key]; ok {
		return v, nil
	}
	d := s.D
	dev, err := d.Device(k)
	if err != nil {
		return nil, err
	}
	support := s.Support
	if support == nil {
		support = SupportRows
	}
	cols, scale := s.autoBasis(basis)
	truth := pick(dev.Latency, dev.Query)
	qf, qb := rowsOf(s.feats, dev.Query), rowsOf(cols, dev.Query)
	v := make([]float64, blend.NumRules)
	var pred []float64
	for seed := range uint64(MetaSeeds) {
		sup, err := support(dev, s.Samples, 1000+seed)
		if err != nil {
			return nil, err
		}
		labelled := slices.Concat(d.Table.ReferenceRows(), sup)
		b, err := blend.BasisRules(rowsOf(s.feats, labelled), pick(dev.Latency, labelled), nil, rowsOf(cols, labelled), scale)
		if err != nil {
			return nil, fmt.Errorf("simulating on known device %s: %w", k, err)
		}
		for r := range blend.NumRules {
			pred = b.PredictTo(pred, r, qf, qb)
			v[r] += s.ws.Spearman(pred, truth) / MetaSeeds
		}
	}
	s.sim[key] = v
	return v, nil
}

// autoBasis returns auto's known-device basis by table row (row r holds
// the known devices' ms of row r) and each column's largest value. A
// known device that reports whole milliseconds (every latency an
// integer: HELP's phones) enters as the op-cost model fitted to all its
// rows instead of its raw column: its rounding is noise in a regressor.
// Measured with the basis alone, raw against smoothed: NAS-Bench-201
// meta-test 0.903 / 0.912, leave one device out 0.929 / 0.934, FBNet
// standard split 0.912 / 0.947, F4 0.730 / 0.738 (dataset's TestStudy,
// B and Bq).
func (s *Suite) autoBasis(known []string) ([][]float64, []float64) {
	if s.smooth == nil {
		s.smooth = map[string][]float64{}
	}
	d := s.D
	cols := make([][]float64, len(known))
	scale := make([]float64, len(known))
	for j, n := range known {
		c, ok := s.smooth[n]
		if !ok {
			c = d.Table.Latency(n)
			if wholeMS(c) {
				c = smoothed(s.feats, c)
			}
			s.smooth[n] = c
		}
		cols[j] = c
		scale[j] = slices.Max(c)
	}
	xs := make([][]float64, d.Table.Len())
	for r := range xs {
		xs[r] = make([]float64, len(cols))
		for j, c := range cols {
			xs[r][j] = c[r]
		}
	}
	return xs, scale
}

// wholeMS reports whether every latency is a whole number of ms.
func wholeMS(v []float64) bool {
	for _, x := range v {
		if x != math.Trunc(x) {
			return false
		}
	}
	return true
}

// smoothed is the op-cost model (NNLS, no ridge) fitted to every row's
// latency, predicted at every row; lat if the fit fails or predicts
// a value <= 0.
func smoothed(feats [][]float64, lat []float64) []float64 {
	b, w, err := opcost.NNLS(feats, lat, 0)
	if err != nil {
		return lat
	}
	out := make([]float64, len(lat))
	for r, x := range feats {
		out[r] = b
		for k, v := range x {
			out[r] += w[k] * v
		}
		if !(out[r] > 0) {
			return lat
		}
	}
	return out
}

// helpQuery is HELP's meta-test: the model adapted on the support rows,
// predicting dev's query pool (normalised).
func (s *Suite) helpQuery(dev *latency.Device, seed uint64, sup []int) ([]float64, error) {
	d, m := s.D, s.Model
	ad, err := m.Adapt(dev.Embedding, d.Rows(sup), dev.Normalised(nil, sup), predictor.AdaptOptions{Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("dataset: device %s: %w", dev.Name, err)
	}
	b := s.batches[dev.Name]
	if b == nil {
		b = m.NewBatch(d.Rows(dev.Query))
		s.batches[dev.Name] = b
	}
	return ad.PredictBatchTo(nil, b), nil
}

func pick(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = v[r]
	}
	return out
}
