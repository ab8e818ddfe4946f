package predictor

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

var benchSink float64

// reportCPU adds a cpu-ms/op metric (CPU time of the whole process, all
// threads) measured since start.
func reportCPU(b *testing.B, start time.Duration) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(d.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	}
}

// benchTasks are 8 tasks of HELP's meta-training shape (10 support, 200
// query) on the full NAS-Bench-201 model with random graphs.
func benchTasks(c Config) ([]Task, [][]float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tasks []Task
	var eps [][]float64
	cells := func(n int) ([][]float64, []float64) {
		xs, ys := make([][]float64, n), make([]float64, n)
		for i := range xs {
			xs[i] = nasbench201.Encode(nil, nasbench201.FromIndex(rng.IntN(nasbench201.NumArchs)), nasbench201.DefaultTypeOrder)
			ys[i] = rng.Float64()
		}
		return xs, ys
	}
	for range 8 {
		tk, e := randomTask(c, rng)
		tk.SupportX, tk.SupportY = cells(10)
		tk.QueryX, tk.QueryY = cells(200)
		tasks = append(tasks, tk)
		eps = append(eps, e)
	}
	return tasks, eps
}

type fixedSampler []Task

func (f fixedSampler) Episode(*rand.Rand, int) ([]Task, error) { return f, nil }

func benchmarkEpisode(b *testing.B, firstOrder bool) {
	c := NASBench201Config()
	m := New(c, 1)
	tasks, _ := benchTasks(c)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		if _, err := Train(b.Context(), m, fixedSampler(tasks), TrainOptions{Episodes: 1, FirstOrder: firstOrder}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEpisode is one meta-training episode: 8 tasks x (10 support +
// 200 query), exact second-order meta-gradient, Adam step.
func BenchmarkEpisode(b *testing.B)           { benchmarkEpisode(b, false) }
func BenchmarkEpisodeFirstOrder(b *testing.B) { benchmarkEpisode(b, true) }

// allNB201 encodes every NAS-Bench-201 cell (DefaultTypeOrder).
func allNB201() [][]float64 {
	xs := make([][]float64, nasbench201.NumArchs)
	for i := range xs {
		xs[i] = nasbench201.Encode(nil, nasbench201.FromIndex(i), nasbench201.DefaultTypeOrder)
	}
	return xs
}

func benchAdapted(b *testing.B, mode ZMode) (*Model, *Adapted, [][]float64) {
	c := NASBench201Config()
	m := New(c, 1)
	xs := allNB201()
	rng := rand.New(rand.NewPCG(1, 2))
	ys := make([]float64, 10)
	for i := range ys {
		ys[i] = rng.Float64()
	}
	ad, err := m.Adapt(randomEmbedding(c, rng), xs[:10], ys, AdaptOptions{Mode: mode})
	if err != nil {
		b.Fatal(err)
	}
	return m, ad, xs
}

// BenchmarkPlanNB201 builds the bulk plan for all 15,625 cells.
func BenchmarkPlanNB201(b *testing.B) {
	m, _, xs := benchAdapted(b, ZMean)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		benchSink += float64(m.NewBatch(xs).Len())
	}
}

// BenchmarkAdaptPredictAllNB201 is the whole job for one device: adapt on
// 10 samples (2 steps), plan and predict all 15,625 cells.
func BenchmarkAdaptPredictAllNB201(b *testing.B) {
	for _, mode := range []struct {
		name string
		mode ZMode
	}{{"meanZ", ZMean}, {"10samples", ZSample}} {
		b.Run(mode.name, func(b *testing.B) {
			m, _, xs := benchAdapted(b, mode.mode)
			ys := []float64{.1, .2, .3, .4, .5, .6, .7, .8, .9, .5}
			emb := []float64{0, .1, .2, .3, .4, .5, .6, .7, .8, 1}
			dst := make([]float64, len(xs))
			b.ResetTimer()
			defer reportCPU(b, cpuTime())
			for range b.N {
				ad, err := m.Adapt(emb, xs[:10], ys, AdaptOptions{Mode: mode.mode})
				if err != nil {
					b.Fatal(err)
				}
				dst = ad.PredictTo(dst, xs)
			}
			benchSink += dst[0]
		})
	}
}

// BenchmarkPredictAllNB201 compares bulk prediction of all cells from a
// prepared batch with the plain batched forward pass (mean z, one model).
func BenchmarkPredictAllNB201(b *testing.B) {
	m, ad, xs := benchAdapted(b, ZMean)
	batch := m.NewBatch(xs)
	dst := make([]float64, len(xs))
	b.Run("planned", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b, cpuTime())
		for range b.N {
			dst = ad.PredictBatchTo(dst, batch)
		}
	})
	b.Run("plain", func(b *testing.B) {
		defer reportCPU(b, cpuTime())
		for range b.N {
			for lo := 0; lo < len(xs); lo += 256 {
				ad.PredictTo(dst[lo:lo], xs[lo:min(lo+256, len(xs))])
			}
		}
	})
	benchSink += dst[0]
}

// BenchmarkPredictOne is one architecture after adaptation (10 z samples).
func BenchmarkPredictOne(b *testing.B) {
	_, ad, xs := benchAdapted(b, ZSample)
	ad.Predict(xs[0])
	b.ResetTimer()
	for i := range b.N {
		benchSink += ad.Predict(xs[i%len(xs)])
	}
}

// BenchmarkAdapt is adaptation alone on 10 samples (2 steps) for each mode.
func BenchmarkAdapt(b *testing.B) {
	for _, mode := range []ZMode{ZMean, ZSample} {
		b.Run(map[ZMode]string{ZMean: "meanZ", ZSample: "10samples"}[mode], func(b *testing.B) {
			m, _, xs := benchAdapted(b, mode)
			ys := []float64{.1, .2, .3, .4, .5, .6, .7, .8, .9, .5}
			emb := []float64{0, .1, .2, .3, .4, .5, .6, .7, .8, 1}
			b.ResetTimer()
			for range b.N {
				ad, err := m.Adapt(emb, xs[:10], ys, AdaptOptions{Mode: mode})
				if err != nil {
					b.Fatal(err)
				}
				benchSink += float64(ad.Samples())
			}
		})
	}
}
