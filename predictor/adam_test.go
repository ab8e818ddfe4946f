package predictor

import (
	"math"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// TestAdam checks Adam's known behaviour: the bias-corrected first step
// moves every coordinate by lr*g/(|g|+eps), i.e. about lr against the sign
// of its gradient whatever its scale, and repeated steps minimise a
// badly scaled quadratic.
func TestAdam(t *testing.T) {
	a := newAdam(3, 0.01)
	p := []float64{1, -2, 3}
	g := []float64{1e-3, -50, 0}
	a.step(p, g)
	want := []float64{1 - 0.01*1e-3/(1e-3+1e-8), -2 + 0.01, 3}
	approx.Slices(t, "first Adam step", p, want, approx.Float64)

	// f(x) = sum c_i x_i^2 with curvatures six orders of magnitude apart.
	c := []float64{1e-3, 1, 1e3}
	x := []float64{1, 1, 1}
	opt := newAdam(3, 0.05)
	grad := make([]float64, 3)
	for range 2000 {
		for i := range x {
			grad[i] = 2 * c[i] * x[i]
		}
		opt.step(x, grad)
	}
	for i, v := range x {
		if math.Abs(v) > 0.05 {
			t.Errorf("x[%d] = %g after 2000 Adam steps, want near 0", i, v)
		}
	}
}
