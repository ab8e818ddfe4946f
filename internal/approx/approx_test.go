package approx

import (
	"fmt"
	"math"
	"testing"
)

type recorder struct{ failed int }

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, a ...any) { r.failed++; _ = fmt.Sprintf(format, a...) }

func TestClose(t *testing.T) {
	for _, c := range []struct {
		got, want, tol float64
		ok             bool
	}{
		{1, 1, 1e-9, true},
		{1, 1 + 1e-8, 1e-9, false},
		{1e6, 1e6 + 1e-4, 1e-9, true},
		{0, 1e-10, 1e-9, true},
		{math.NaN(), math.NaN(), 1, false},
		{1, 1, 0, false},
	} {
		if got := Close(c.got, c.want, c.tol); got != c.ok {
			t.Errorf("Close(%g, %g, %g) = %v, want %v", c.got, c.want, c.tol, got, c.ok)
		}
	}
	var r recorder
	Slices(&r, "x", []float64{1, 2}, []float64{1, 3}, 1e-9)
	Slices(&r, "x", []float64{1}, []float64{1, 3}, 1e-9)
	if r.failed != 2 {
		t.Errorf("Slices reported %d failures, want 2", r.failed)
	}
}
