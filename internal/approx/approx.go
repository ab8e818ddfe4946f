// Package approx is the one tolerance helper every numerical test uses, so a
// typo in a comparison cannot silently disable a check.
//
// Tolerances are mixed absolute/relative: |got-want| <= tol*max(1, |want|).
// NaN never compares equal to anything.
package approx

import (
	"fmt"
	"math"
)

// Tolerances used across the project's tests, named so a reader sees why a
// check is as loose as it is.
const (
	// Float64 is for two float64 computations of the same quantity in a
	// different order of operations.
	Float64 = 1e-9
	// Float32 is for float32 kernels compared with a float64 reference.
	Float32 = 1e-4
	// FiniteDiff is for analytic gradients against central finite
	// differences in float64 (step 1e-6).
	FiniteDiff = 1e-5
)

// TB is the part of testing.TB this package needs.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Close reports whether got and want agree within tol (mixed
// absolute/relative).
func Close(got, want, tol float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) || tol <= 0 {
		return false
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// Equal fails t if got and want differ beyond tol, naming what was
// compared.
func Equal(t TB, what string, got, want, tol float64) bool {
	t.Helper()
	if !Close(got, want, tol) {
		t.Errorf("%s = %.12g, want %.12g (tol %g)", what, got, want, tol)
		return false
	}
	return true
}

// Slices fails t at the first element of got that differs from want beyond
// tol, and if the lengths differ. It reports at most one mismatch.
func Slices[F ~float32 | ~float64](t TB, what string, got, want []F, tol float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: len %d, want %d", what, len(got), len(want))
		return false
	}
	for i := range got {
		if !Close(float64(got[i]), float64(want[i]), tol) {
			t.Errorf("%s[%d] = %.12g, want %.12g (tol %g)", what, i, got[i], want[i], tol)
			return false
		}
	}
	return true
}

// MaxRelErr returns the largest mixed error |g-w|/max(1,|w|) over the
// elements, for reports.
func MaxRelErr[F ~float32 | ~float64](got, want []F) float64 {
	if len(got) != len(want) {
		panic(fmt.Sprintf("approx: length mismatch %d != %d", len(got), len(want)))
	}
	m := 0.0
	for i := range got {
		e := math.Abs(float64(got[i])-float64(want[i])) / math.Max(1, math.Abs(float64(want[i])))
		if math.IsNaN(e) {
			return math.NaN()
		}
		m = math.Max(m, e)
	}
	return m
}
