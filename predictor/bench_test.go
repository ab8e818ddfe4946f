package predictor

import (
	"math/rand/v2"
	"testing"
)

var benchSink float64

// benchTasks are 8 tasks of HELP's meta-training shape (10 support, 200
// query) on the full NAS-Bench-201 model with random graphs.
func benchTasks(c Config) ([]Task, [][]float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tasks []Task
	var eps [][]float64
	for range 8 {
		tk, e := randomTask(c, rng)
		tk.SupportX, tk.SupportY = randomBatch(c, 10, rng)
		tk.QueryX, tk.QueryY = randomBatch(c, 200, rng)
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
