package dataset

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"

	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/space"
)

// Data is a space's latency table with its protocol and the encodings of
// its architectures.
type Data struct {
	Space space.Space
	Enc   space.Encoder
	Table *latency.Table
	Proto latency.Protocol
	// Archs and X are by table row; X[r] is Enc's encoding of Archs[r].
	Archs []space.Arch
	X     [][]float64
}

// Load reads dir/<space name>/ and sets it up under HELP's standard
// protocol for the space (latency.Standard), encoding every architecture
// with enc.
func Load(dir string, sp space.Space, enc space.Encoder) (*Data, error) {
	proto, err := latency.Standard(sp.Name())
	if err != nil {
		return nil, err
	}
	t, err := latency.Load(filepath.Join(dir, sp.Name()))
	if err != nil {
		return nil, err
	}
	if err := checkReferences(t, proto, filepath.Join(dir, sp.Name(), latency.ReferenceFile)); err != nil {
		return nil, err
	}
	return New(t, proto, sp, enc)
}

// New parses t's architectures in sp and encodes them with enc. t must
// have as many reference architectures as proto.References says.
func New(t *latency.Table, proto latency.Protocol, sp space.Space, enc space.Encoder) (*Data, error) {
	if err := checkReferences(t, proto, sp.Name()+"/"+latency.ReferenceFile); err != nil {
		return nil, err
	}
	d := &Data{Space: sp, Table: t, Proto: proto, Archs: make([]space.Arch, t.Len())}
	for row := range d.Archs {
		a, err := sp.Parse(t.Arch(row))
		if err != nil {
			return nil, fmt.Errorf("dataset: %s %s row %d: %w", sp.Name(), latency.LatencyFile, row, err)
		}
		d.Archs[row] = a
	}
	d.Reencode(enc)
	return d, nil
}

// checkReferences refuses a table whose reference architectures (read
// from file) are not as many as the protocol's hardware embedding has
// values: every device's embedding would have the wrong length for the
// predictor.
func checkReferences(t *latency.Table, proto latency.Protocol, file string) error {
	if n := len(t.ReferenceRows()); proto.References > 0 && n != proto.References {
		return fmt.Errorf("dataset: %s lists %d reference architectures; HELP's %s protocol (and its predictor's hardware embedding) takes %d", file, n, proto.Space, proto.References)
	}
	return nil
}

// Reencode encodes every architecture with enc, reusing the buffers.
func (d *Data) Reencode(enc space.Encoder) {
	d.Enc = enc
	if d.X == nil {
		d.X = make([][]float64, len(d.Archs))
	}
	for row, a := range d.Archs {
		d.X[row] = enc.Encode(d.X[row], a)
	}
}

// Rows returns the encodings of rows (shared storage, read only).
func (d *Data) Rows(rows []int) [][]float64 {
	xs := make([][]float64, len(rows))
	for i, r := range rows {
		xs[i] = d.X[r]
	}
	return xs
}

// Device returns name's data under the protocol's pools.
func (d *Data) Device(name string) (*latency.Device, error) {
	return d.Table.Device(name, d.Proto.Pools)
}

// SeedRand is the random source of seed on device: PCG(seed,
// fnv64a(device)).
func SeedRand(device string, seed uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(device))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// SupportRows draws n support rows from dev's trimmed training pool. The
// draw depends only on seed and the device name, so every method sees the
// same support set for the same seed.
func SupportRows(dev *latency.Device, n int, seed uint64) ([]int, error) {
	if n > len(dev.Train) {
		return nil, fmt.Errorf("dataset: device %s: %d support samples requested but the trimmed training pool has %d", dev.Name, n, len(dev.Train))
	}
	r := SeedRand(dev.Name, seed)
	rows := make([]int, n)
	for i, k := range r.Perm(len(dev.Train))[:n] {
		rows[i] = dev.Train[k]
	}
	return rows, nil
}
