package session

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/rank"
)

// TestLeadSentence checks that the verdict names a lead only when the
// bootstrap interval excludes zero, in each of the three cases, and says
// so when auto is the method it is compared with.
func TestLeadSentence(t *testing.T) {
	n := 40
	y := make([]float64, n)
	good, poor := make([]float64, n), make([]float64, n)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range y {
		y[i] = float64(i)
		good[i] = y[i] + 0.2*r.NormFloat64()
		poor[i] = y[i] + 6*r.NormFloat64()
	}
	near := make([]float64, n) // good with one adjacent pair swapped
	copy(near, good)
	near[10], near[11] = near[11], near[10]
	for _, tc := range []struct {
		name, chosen string
		auto, other  []float64
		want         string
	}{
		{"auto ahead", "opcost", good, poor, ", real"},
		{"auto behind", "opcost", poor, good, "FLOPs really ranked better"},
		{"too close to call", "opcost", good, near, "too close to call"},
		{"auto is FLOPs", MethodFLOPs, good, good, "auto is FLOPs here"},
	} {
		v := &Validation{Archs: make([]string, n), Chosen: tc.chosen}
		l := Lead{Method: MethodFLOPs, Label: "FLOPs", Difference: rank.SpearmanDifference(tc.auto, tc.other, y, leadResamples, leadLevel, 1)}
		if got := v.leadFragment(l); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q does not say %q (%+v)", tc.name, got, tc.want, l.Difference)
		}
	}
}
