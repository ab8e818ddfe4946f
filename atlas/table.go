package atlas

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/helpwasm/helpwasm/latency"
)

// TableOptions tune FromTable.
type TableOptions struct {
	// PoolSize is the number of query-pool architectures to keep with
	// every device's latency (default 300).
	PoolSize int
	// Seed picks them (default 0: the same pool on every build).
	Seed uint64
	// Candidates are more candidates (OFA's searched networks, which
	// HELP ships apart from its tables).
	Candidates []Candidate
}

// DefaultPoolSize is TableOptions.PoolSize's default: enough for a stable
// Spearman estimate, small enough for the page to download.
const DefaultPoolSize = 300

// FromTable collects an Input from HELP's latency table under protocol p
// (with the table's candidates, and opts.Candidates after them)
// (latency.Standard for the published split) and builds the atlas.
//
// Devices are those of p.Split, in split order (meta-train, then
// meta-validation, then meta-test); table columns outside the split are
// left out. The anchors are the consensus slowest and fastest architectures
// over the meta-train and meta-validation devices, as HELP's "nas" mode
// computes them (loader.py, get_minmax_latency_index). The pool is
// opts.PoolSize architectures drawn with opts.Seed from HELP's query pool
// (indices [Train, Train+Query), untrimmed, so every device has a latency
// for every pool architecture), listed in index order.
func FromTable(t *latency.Table, p latency.Protocol, opts TableOptions) (*Atlas, error) {
	if opts.PoolSize == 0 {
		opts.PoolSize = DefaultPoolSize
	}
	devices := p.Split.Devices()
	if err := t.CheckDevices(devices...); err != nil {
		return nil, fmt.Errorf("atlas: %w", err)
	}
	slowest, fastest, err := t.Consensus(slices.Concat(p.Split.MetaTrain, p.Split.MetaValid), p.Pools)
	if err != nil {
		return nil, fmt.Errorf("atlas: consensus anchors: %w", err)
	}
	query, err := t.IndexRange(p.Pools.Train, p.Pools.Train+p.Pools.Query)
	if err != nil {
		return nil, fmt.Errorf("atlas: query pool: %w", err)
	}
	if opts.PoolSize < 0 || opts.PoolSize > len(query) {
		return nil, fmt.Errorf("atlas: pool size %d: want 1..%d (the query pool)", opts.PoolSize, len(query))
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0x61746c6173)) // "atlas"
	pool := make([]int, 0, opts.PoolSize)
	for _, i := range r.Perm(len(query))[:opts.PoolSize] {
		pool = append(pool, query[i])
	}
	slices.SortFunc(pool, func(a, b int) int { return t.Index(a) - t.Index(b) })

	in := Input{
		Space: p.Space,
		Source: fmt.Sprintf("HELP latency tables; %d pool archs drawn with seed %d from HELP indices [%d,%d)",
			opts.PoolSize, opts.Seed, p.Pools.Train, p.Pools.Train+p.Pools.Query),
		Anchors: Anchors{Fastest: t.Arch(fastest), Slowest: t.Arch(slowest)},
	}
	for _, row := range t.ReferenceRows() {
		in.Reference = append(in.Reference, t.Arch(row))
	}
	for _, row := range pool {
		in.PoolArchs = append(in.PoolArchs, t.Arch(row))
	}
	split := func(name string) Split {
		switch {
		case slices.Contains(p.Split.MetaTrain, name):
			return Train
		case slices.Contains(p.Split.MetaValid, name):
			return Valid
		}
		return Test
	}
	for _, name := range devices {
		lat := t.Latency(name)
		d := DeviceInput{Name: name, Split: split(name), AnchorMS: [2]float64{lat[fastest], lat[slowest]}}
		for _, row := range t.ReferenceRows() {
			d.ReferenceMS = append(d.ReferenceMS, lat[row])
		}
		for _, row := range pool {
			d.PoolMS = append(d.PoolMS, lat[row])
		}
		in.Devices = append(in.Devices, d)
	}
	for _, c := range t.Candidates() {
		in.Candidates = append(in.Candidates, Candidate{Arch: c.Arch, Accuracy: c.Accuracy})
	}
	in.Candidates = append(in.Candidates, opts.Candidates...)
	return Build(in)
}
