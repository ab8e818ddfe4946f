package opcost

import (
	"math/rand/v2"
	"testing"
)

var benchSink []float64

// benchProblem is 20 labelled points and 15,625 rows to predict, p
// features in [0, 6], as the op-cost model meets them on NAS-Bench-201.
func benchProblem(p int) (xs [][]float64, ms []float64, all [][]float64, scale []float64) {
	rng := rand.New(rand.NewPCG(31, 32))
	row := func() []float64 {
		x := make([]float64, p)
		for j := range x {
			x[j] = float64(rng.IntN(7))
		}
		return x
	}
	all = make([][]float64, 15625)
	for i := range all {
		all[i] = row()
	}
	xs = all[:20]
	ms = make([]float64, len(xs))
	for i, x := range xs {
		ms[i] = 3
		for j, v := range x {
			ms[i] += float64(j%3) * v * (1 + 0.05*rng.NormFloat64())
		}
	}
	scale = make([]float64, p)
	for j := range scale {
		scale[j] = 6
	}
	return xs, ms, all, scale
}

// BenchmarkFitPredict fits on 20 points (4 lambdas x 20 leave-one-out
// refits + the final fit) and predicts 15,625 rows into a kept buffer.
func BenchmarkFitPredict(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    int
	}{{"structural7", 7}, {"basis9", 9}, {"both16", 16}} {
		b.Run(bc.name, func(b *testing.B) {
			xs, ms, all, scale := benchProblem(bc.p)
			dst := make([]float64, len(all))
			b.ReportAllocs()
			for b.Loop() {
				m, err := Fit(xs, ms, Options{Scale: scale})
				if err != nil {
					b.Fatal(err)
				}
				dst = m.PredictTo(dst, all)
			}
			benchSink = dst
		})
	}
}

// BenchmarkPredictTo is prediction alone over the space.
func BenchmarkPredictTo(b *testing.B) {
	xs, ms, all, scale := benchProblem(7)
	m, err := Fit(xs, ms, Options{Scale: scale})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float64, len(all))
	b.ReportAllocs()
	for b.Loop() {
		dst = m.PredictTo(dst, all)
	}
	benchSink = dst
}
