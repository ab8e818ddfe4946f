package opcost

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// spikyDevice draws n networks of an additive device with 1% noise and
// turns point spike into a measurement 3x too slow.
func spikyDevice(rng *rand.Rand, n, spike int) (xs [][]float64, y, clean []float64, base float64, cost []float64) {
	const p = 5
	base, cost = additiveDevice(rng, p)
	for range n {
		x := make([]float64, p)
		for j := range x {
			x[j] = float64(rng.IntN(7))
		}
		xs = append(xs, x)
		c := base + dot(cost, x)
		clean = append(clean, c)
		y = append(y, c*(1+0.01*rng.NormFloat64()))
	}
	y[spike] *= 3
	return xs, y, clean, base, cost
}

func TestHuberWeightsDownweightSpike(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for dev := range 5 {
		const n, spike = 20, 7
		xs, y, _, base, cost := spikyDevice(rng, n, spike)
		xs0, y0 := cloneRows(xs), slices.Clone(y)
		o := Options{Lambdas: []float64{0}}
		w, err := HuberWeights(xs, y, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(xs, xs0, slices.Equal[[]float64]) || !slices.Equal(y, y0) {
			t.Fatal("HuberWeights modified its inputs")
		}
		if len(w) != n {
			t.Fatalf("%d weights for %d points", len(w), n)
		}
		for i, wi := range w {
			if !(wi > 0 && wi <= 1) {
				t.Errorf("device %d: weight %d is %g, want in (0, 1]", dev, i, wi)
			}
		}
		if w[spike] > 0.2 {
			t.Errorf("device %d: the spike's weight is %.3f, want <= 0.2", dev, w[spike])
		}
		// The robust fit recovers the costs far better than the plain one.
		plain, err := Fit(xs, y, o)
		if err != nil {
			t.Fatal(err)
		}
		o.Weights = w
		robust, err := Fit(xs, y, o)
		if err != nil {
			t.Fatal(err)
		}
		errOf := func(m *Model) float64 {
			e := math.Abs(m.Intercept - base)
			for j, c := range cost {
				e = max(e, math.Abs(m.Coef[j]-c))
			}
			return e
		}
		if ep, er := errOf(plain), errOf(robust); !(er < ep/3) {
			t.Errorf("device %d: largest cost error %.3f robust, %.3f plain: want the robust one 3x smaller", dev, er, ep)
		}
	}
}

func TestHuberWeightsExactFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	xs, _, clean, _, _ := spikyDevice(rng, 15, 0)
	w, err := HuberWeights(xs, clean, Options{Lambdas: []float64{0}})
	if err != nil {
		t.Fatal(err)
	}
	approx.Slices(t, "weights of an exact fit", w, slices.Repeat([]float64{1}, len(w)), 1e-12)
	// The options' own weights are ignored, not modified.
	ow := slices.Repeat([]float64{0.5}, len(clean))
	w2, err := HuberWeights(xs, clean, Options{Lambdas: []float64{0}, Weights: ow})
	if err != nil {
		t.Fatal(err)
	}
	approx.Slices(t, "weights", w2, w, 1e-12)
	approx.Slices(t, "Options.Weights", ow, slices.Repeat([]float64{0.5}, len(clean)), 1e-12)
	if _, err := HuberWeights(xs[:1], clean[:1], Options{}); !errors.Is(err, ErrBadData) {
		t.Errorf("one point: %v, want ErrBadData", err)
	}
}

func cloneRows(xs [][]float64) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		out[i] = slices.Clone(x)
	}
	return out
}
