package latency

import (
	"fmt"
	"math"
	"slices"
)

// sameTable reports the first difference between two tables' latency data
// (latencies compared bit for bit).
func sameTable(a, b *Table) error {
	if a.Space() != b.Space() || a.Len() != b.Len() || !slices.Equal(a.Devices(), b.Devices()) {
		return fmt.Errorf("shape differs: %s %d %v vs %s %d %v", a.Space(), a.Len(), a.Devices(), b.Space(), b.Len(), b.Devices())
	}
	for r := range a.Len() {
		if a.Index(r) != b.Index(r) || a.Arch(r) != b.Arch(r) {
			return fmt.Errorf("row %d: %d %q vs %d %q", r, a.Index(r), a.Arch(r), b.Index(r), b.Arch(r))
		}
		for _, d := range a.Devices() {
			if x, y := a.Latency(d)[r], b.Latency(d)[r]; math.Float64bits(x) != math.Float64bits(y) {
				return fmt.Errorf("row %d device %s: %v vs %v", r, d, x, y)
			}
		}
	}
	return nil
}
