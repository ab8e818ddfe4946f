package predictor

import "math"

// adam is PyTorch's Adam (no weight decay, no amsgrad) over a flat vector.
type adam struct {
	lr, beta1, beta2, eps float64
	m, v                  []float64
	t                     int
}

func newAdam(n int, lr float64) *adam {
	return &adam{lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, m: make([]float64, n), v: make([]float64, n)}
}

// step updates params in place with gradient g.
func (a *adam) step(params, g []float64) {
	a.t++
	c1 := 1 - math.Pow(a.beta1, float64(a.t))
	c2 := 1 - math.Pow(a.beta2, float64(a.t))
	for i, gi := range g {
		a.m[i] = a.beta1*a.m[i] + (1-a.beta1)*gi
		a.v[i] = a.beta2*a.v[i] + (1-a.beta2)*gi*gi
		params[i] -= a.lr * (a.m[i] / c1) / (math.Sqrt(a.v[i]/c2) + a.eps)
	}
}
