package latency

import (
	"fmt"
	"slices"
	"strings"

	"github.com/helpwasm/helpwasm/internal/clip"
)

// Search space names, as the data directories are called.
const (
	NASBench201 = "nasbench201"
	FBNet       = "fbnet"
	OFA         = "ofa"
)

// Table is one search space's latency table: architectures (rows) by
// devices (columns), with the reference architectures and, if present,
// MetaD2A's candidates.
type Table struct {
	space      string
	devices    []string
	column     map[string]int
	index      []int
	archs      []string
	latency    [][]float64 // [device][row], ms
	rowOfArch  map[string]int
	rowOfIndex map[int]int
	reference  []int // rows, embedding order
	candidates []Candidate
}

// Candidate is an architecture proposed by MetaD2A with its CIFAR-100
// accuracy (percent) and MetaD2A's score.
type Candidate struct {
	Row      int
	Arch     string
	Accuracy float64
	Score    float64
}

// Space returns the search space the table's architecture strings belong
// to (NASBench201, FBNet or OFA).
func (t *Table) Space() string { return t.space }

// Len returns the number of rows (architectures).
func (t *Table) Len() int { return len(t.archs) }

// Devices returns the device names in column order (a fresh slice).
func (t *Table) Devices() []string { return slices.Clone(t.devices) }

// HasDevice reports whether the table has a column for device.
func (t *Table) HasDevice(device string) bool {
	_, ok := t.column[device]
	return ok
}

// CheckDevices returns an error wrapping ErrUnknownDevice naming the first
// of devices the table lacks, and the devices it has.
func (t *Table) CheckDevices(devices ...string) error {
	for _, d := range devices {
		if !t.HasDevice(d) {
			return fmt.Errorf("%w %s in the %s table (have %s)", ErrUnknownDevice, clip.Quote(d), t.space, deviceList(t.devices))
		}
	}
	return nil
}

// Latency returns device's latencies in ms by row, or nil if the table has
// no such device (see CheckDevices). The slice is the table's storage.
func (t *Table) Latency(device string) []float64 {
	c, ok := t.column[device]
	if !ok {
		return nil
	}
	return t.latency[c]
}

// Index returns HELP's architecture index of row.
func (t *Table) Index(row int) int { return t.index[row] }

// Arch returns the architecture string of row.
func (t *Table) Arch(row int) string { return t.archs[row] }

// RowOfArch returns the row holding arch.
func (t *Table) RowOfArch(arch string) (row int, ok bool) {
	row, ok = t.rowOfArch[arch]
	return row, ok
}

// RowOfIndex returns the row holding HELP's architecture index i.
func (t *Table) RowOfIndex(i int) (row int, ok bool) {
	row, ok = t.rowOfIndex[i]
	return row, ok
}

// ReferenceRows returns the rows of the reference architectures in
// embedding order (the table's storage).
func (t *Table) ReferenceRows() []int { return t.reference }

// Candidates returns MetaD2A's candidates in file order, or nil if the
// directory had none (the table's storage).
func (t *Table) Candidates() []Candidate { return t.candidates }

// DetectSpace names the search space an architecture string belongs to by
// its shape alone (it does not validate the string): "|op~0|+..." is
// NASBench201, "k3_e1-skip-..." is FBNet, "r=..;d=..;ks=..;e=.." is OFA.
// It returns "" if none fits.
func DetectSpace(arch string) string {
	if strings.HasPrefix(arch, "|") && strings.Contains(arch, "~") {
		return NASBench201
	}
	if strings.HasPrefix(arch, "r=") && strings.Contains(arch, ";ks=") {
		return OFA
	}
	if arch == "" {
		return ""
	}
	for tok := range strings.SplitSeq(arch, "-") {
		if tok != "skip" && !strings.HasPrefix(tok, "k") {
			return ""
		}
	}
	return FBNet
}

// deviceList lists devices for an error: each name clipped, at most 30.
func deviceList(devices []string) string {
	var names []string
	for _, d := range devices[:min(len(devices), 30)] {
		names = append(names, clip.String(d))
	}
	if len(devices) > 30 {
		names = append(names, fmt.Sprintf("and %d more", len(devices)-30))
	}
	return strings.Join(names, ", ")
}
