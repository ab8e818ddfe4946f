package atlas

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/helpwasm/helpwasm/latency"
)

// FormatName and Version identify the file format written by Write.
const (
	FormatName = "helpwasm-atlas"
	Version    = 1
)

// Split is a device's role in HELP's standard split.
type Split string

// The three splits of HELP's protocol.
const (
	Train Split = "train" // meta-train devices
	Valid Split = "valid" // meta-validation devices
	Test  Split = "test"  // meta-test (unseen) devices
)

func (s Split) valid() bool { return s == Train || s == Valid || s == Test }

// Anchors are the consensus fastest and slowest architectures of the
// meta-train devices.
type Anchors struct {
	Fastest string `json:"fastest"`
	Slowest string `json:"slowest"`
}

// Device is one known device.
type Device struct {
	Name  string `json:"name"`
	Split Split  `json:"split"`
	// ReferenceMS are the latencies (ms) of the reference architectures,
	// in embedding order.
	ReferenceMS []float64 `json:"reference_ms"`
	// AnchorMS are the latencies (ms) of Anchors.Fastest and
	// Anchors.Slowest.
	AnchorMS [2]float64 `json:"anchor_ms"`
	// Embedding is ReferenceMS min-max normalised to [0,1] (Embed).
	Embedding []float64 `json:"embedding"`
	// PoolMS are the latencies (ms) of Atlas.PoolArchs, in that order,
	// rounded to 4 significant digits.
	PoolMS []float32 `json:"pool_ms"`
}

// Candidate is an architecture with a known accuracy in percent (Build
// rounds it to 3 decimals): in NAS-Bench-201 one MetaD2A proposed, with
// its CIFAR-100 accuracy; in OFA one HELP's latency-constrained search
// found, with its ImageNet top-1. Note, optional, says where it comes
// from ("HELP's search for titan_rtx_64: 20.3 ms there"); the page offers
// noted candidates as presets.
type Candidate struct {
	Arch     string  `json:"arch"`
	Accuracy float64 `json:"accuracy"`
	Note     string  `json:"note,omitempty"`
}

// Map is a linear projection of embeddings to two dimensions: point_k =
// (embedding - Mean) . Axes[k]. Axes are the first two principal directions
// of the known devices' embeddings (unit length, sign chosen so the
// largest-magnitude entry is positive); Explained is the fraction of the
// total variance along each.
type Map struct {
	Mean      []float64    `json:"mean"`
	Axes      [2][]float64 `json:"axes"`
	Explained [2]float64   `json:"explained"`
}

// Atlas is the known-device summary of one search space; see the package
// documentation. It is also the JSON document Write produces.
type Atlas struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Space   string `json:"space"`
	// Source says where the data came from (free text, for humans).
	Source     string      `json:"source,omitempty"`
	Reference  []string    `json:"reference"`
	Anchors    Anchors     `json:"anchors"`
	PoolArchs  []string    `json:"pool_archs"`
	Devices    []Device    `json:"devices"`
	Map        Map         `json:"map"`
	Candidates []Candidate `json:"candidates,omitempty"`
}

// DeviceInput is one device's raw data for Build.
type DeviceInput struct {
	Name        string
	Split       Split
	ReferenceMS []float64 // latencies of Input.Reference, ms
	AnchorMS    [2]float64
	PoolMS      []float64 // latencies of Input.PoolArchs, ms
}

// Input is what Build derives an Atlas from. FromTable fills it from
// HELP's latency tables.
type Input struct {
	Space      string
	Source     string
	Reference  []string
	Anchors    Anchors
	PoolArchs  []string
	Devices    []DeviceInput
	Candidates []Candidate
}

// ErrInvalid is wrapped by every error about an inconsistent atlas or input.
var ErrInvalid = errors.New("invalid atlas")

// Build computes the embeddings and the 2-D map from in and checks the
// result. It copies everything it keeps.
func Build(in Input) (*Atlas, error) {
	a := &Atlas{
		Format:     FormatName,
		Version:    Version,
		Space:      in.Space,
		Source:     in.Source,
		Reference:  slices.Clone(in.Reference),
		Anchors:    in.Anchors,
		PoolArchs:  slices.Clone(in.PoolArchs),
		Candidates: slices.Clone(in.Candidates),
	}
	for i := range a.Candidates {
		a.Candidates[i].Accuracy = math.Round(a.Candidates[i].Accuracy*1000) / 1000
	}
	for i, d := range in.Devices {
		emb, err := latency.CheckedEmbedding(d.ReferenceMS)
		if err != nil {
			return nil, fmt.Errorf("%w: devices[%d] (%s): %v", ErrInvalid, i, d.Name, err)
		}
		pool := make([]float32, len(d.PoolMS))
		for j, v := range d.PoolMS {
			pool[j] = float32(roundSig(v, poolDigits))
		}
		a.Devices = append(a.Devices, Device{
			Name:        d.Name,
			Split:       d.Split,
			ReferenceMS: slices.Clone(d.ReferenceMS),
			AnchorMS:    d.AnchorMS,
			Embedding:   emb,
			PoolMS:      pool,
		})
	}
	if err := a.checkData(); err != nil {
		return nil, err
	}
	m, err := fitMap(a.Devices)
	if err != nil {
		return nil, err
	}
	a.Map = m
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// poolDigits is the number of significant digits kept of pool latencies:
// an error of at most 5 parts in 10^4 is far below the tables'
// measurement noise, and short numbers keep the file small.
const poolDigits = 4

// roundSig rounds v > 0 to n significant decimal digits.
func roundSig(v float64, n int) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(n-1)-math.Floor(math.Log10(v)))
	return math.Round(v*p) / p
}

// Device returns the device named name.
func (a *Atlas) Device(name string) (Device, bool) {
	for _, d := range a.Devices {
		if d.Name == name {
			return d, true
		}
	}
	return Device{}, false
}

// DeviceNames returns the names of the devices in split s (all devices if s
// is empty), in atlas order.
func (a *Atlas) DeviceNames(s Split) []string {
	var names []string
	for _, d := range a.Devices {
		if s == "" || d.Split == s {
			names = append(names, d.Name)
		}
	}
	return names
}

// Validate checks every invariant of a: format and version, lengths,
// finite positive latencies, embeddings consistent with the reference
// latencies, known splits, unique device names, and a usable map.
func (a *Atlas) Validate() error {
	if a.Format != FormatName {
		return fmt.Errorf("%w: format %q, want %q", ErrInvalid, a.Format, FormatName)
	}
	if a.Version != Version {
		return fmt.Errorf("%w: version %d not supported (this build reads version %d)", ErrInvalid, a.Version, Version)
	}
	if err := a.checkData(); err != nil {
		return err
	}
	nref := len(a.Reference)
	for i, d := range a.Devices {
		want, err := latency.CheckedEmbedding(d.ReferenceMS)
		if err != nil {
			return fmt.Errorf("%w: devices[%d].reference_ms: %v", ErrInvalid, i, err)
		}
		if len(d.Embedding) != nref {
			return fmt.Errorf("%w: devices[%d].embedding has %d values, want %d", ErrInvalid, i, len(d.Embedding), nref)
		}
		for j := range want {
			// The stored embedding went through a decimal round trip.
			if math.Abs(d.Embedding[j]-want[j]) > 1e-9 {
				return fmt.Errorf("%w: devices[%d].embedding[%d] = %v, but reference_ms gives %v", ErrInvalid, i, j, d.Embedding[j], want[j])
			}
		}
	}
	m := a.Map
	if len(m.Mean) != nref {
		return fmt.Errorf("%w: map.mean has %d values, want %d", ErrInvalid, len(m.Mean), nref)
	}
	for k, ax := range m.Axes {
		if len(ax) != nref {
			return fmt.Errorf("%w: map.axes[%d] has %d values, want %d", ErrInvalid, k, len(ax), nref)
		}
		if err := finite(ax, fmt.Sprintf("map.axes[%d]", k)); err != nil {
			return err
		}
	}
	return finite(m.Mean, "map.mean")
}

// checkData validates everything but the embeddings and the map.
func (a *Atlas) checkData() error {
	if a.Space == "" {
		return fmt.Errorf("%w: space is empty", ErrInvalid)
	}
	if len(a.Reference) < 2 {
		return fmt.Errorf("%w: reference has %d architectures, want at least 2", ErrInvalid, len(a.Reference))
	}
	for i, s := range a.Reference {
		if s == "" {
			return fmt.Errorf("%w: reference[%d] is empty", ErrInvalid, i)
		}
	}
	if a.Anchors.Fastest == "" || a.Anchors.Slowest == "" {
		return fmt.Errorf("%w: anchors.fastest and anchors.slowest must both be set", ErrInvalid)
	}
	for i, s := range a.PoolArchs {
		if s == "" {
			return fmt.Errorf("%w: pool_archs[%d] is empty", ErrInvalid, i)
		}
	}
	if len(a.Devices) < 2 {
		return fmt.Errorf("%w: %d devices, want at least 2", ErrInvalid, len(a.Devices))
	}
	seen := make(map[string]bool, len(a.Devices))
	for i, d := range a.Devices {
		at := fmt.Sprintf("devices[%d]", i)
		if d.Name == "" {
			return fmt.Errorf("%w: %s.name is empty", ErrInvalid, at)
		}
		if seen[d.Name] {
			return fmt.Errorf("%w: %s.name %q appears twice", ErrInvalid, at, d.Name)
		}
		seen[d.Name] = true
		if !d.Split.valid() {
			return fmt.Errorf("%w: %s.split %q, want %q, %q or %q", ErrInvalid, at, d.Split, Train, Valid, Test)
		}
		if len(d.ReferenceMS) != len(a.Reference) {
			return fmt.Errorf("%w: %s.reference_ms has %d values, want %d", ErrInvalid, at, len(d.ReferenceMS), len(a.Reference))
		}
		if err := positive(d.ReferenceMS, at+".reference_ms"); err != nil {
			return err
		}
		if err := positive(d.AnchorMS[:], at+".anchor_ms"); err != nil {
			return err
		}
		if len(d.PoolMS) != len(a.PoolArchs) {
			return fmt.Errorf("%w: %s.pool_ms has %d values, want %d (one per pool_archs)", ErrInvalid, at, len(d.PoolMS), len(a.PoolArchs))
		}
		for j, v := range d.PoolMS {
			if !(v > 0) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%w: %s.pool_ms[%d] = %v: want finite and positive", ErrInvalid, at, j, v)
			}
		}
	}
	for i, c := range a.Candidates {
		if c.Arch == "" || math.IsNaN(c.Accuracy) || math.IsInf(c.Accuracy, 0) {
			return fmt.Errorf("%w: candidates[%d] = %+v: want an architecture and a finite accuracy", ErrInvalid, i, c)
		}
	}
	return nil
}

func positive(xs []float64, at string) error {
	for i, v := range xs {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s[%d] = %v: want finite and positive", ErrInvalid, at, i, v)
		}
	}
	return nil
}

func finite(xs []float64, at string) error {
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s[%d] = %v: want finite", ErrInvalid, at, i, v)
		}
	}
	return nil
}
