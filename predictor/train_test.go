package predictor

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/rank"
)

// syntheticPools builds devices whose latency is a device-specific linear
// function of a fixed per-architecture cost, a stand-in with HELP's shapes.
func syntheticPools(c Config, devices, pool int, seed uint64) []DevicePool {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := make([][]float64, pool)
	cost := make([]float64, pool)
	for i := range xs {
		xs[i] = randomArch(c, rng)
		for j, v := range xs[i] {
			cost[i] += v * float64(j%7) / 7
		}
	}
	lo, hi := slices.Min(cost), slices.Max(cost)
	pools := make([]DevicePool, devices)
	for d := range pools {
		a := 0.5 + rng.Float64()
		p := DevicePool{Embedding: randomEmbedding(c, rng), X: xs, Y: make([]float64, pool)}
		for i, v := range cost {
			p.Y[i] = 0.05 + 0.9*math.Pow((v-lo)/(hi-lo), a)
		}
		pools[d] = p
	}
	return pools
}

func TestTrainDeterministic(t *testing.T) {
	c := smallConfigs()["gcn"]
	pools := syntheticPools(c, 5, 60, 1)
	run := func(workers int) *Model {
		m := New(c, 7)
		s := &PoolSampler{Pools: pools, Support: 5, Query: 20}
		_, err := Train(context.Background(), m, s, TrainOptions{Episodes: 4, Tasks: 4, Seed: 3, Workers: workers, MetaLR: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b, one := run(2), run(2), run(1)
	if !slices.Equal(a.params, b.params) {
		t.Error("same seed, different weights")
	}
	if !slices.Equal(a.params, one.params) {
		t.Error("weights depend on the number of workers")
	}
	if slices.Equal(a.params, New(c, 7).params) {
		t.Error("training did not change the weights")
	}
}

// TestTrainLearns meta-trains a small model on synthetic devices and
// requires the query MSE to fall and the best-on-validation weights to be
// kept.
func TestTrainLearns(t *testing.T) {
	for _, firstOrder := range []bool{false, true} {
		c := smallConfigs()["mlp"]
		c.Hidden = 16
		pools := syntheticPools(c, 6, 200, 2)
		m := New(c, 8)
		s := &PoolSampler{Pools: pools[:5], Support: 10, Query: 50}
		valid := []Task{{Embedding: pools[5].Embedding, SupportX: pools[5].X[:10], SupportY: pools[5].Y[:10], QueryX: pools[5].X[10:], QueryY: pools[5].Y[10:]}}
		var first, last float64
		var validated []float64
		res, err := Train(context.Background(), m, s, TrainOptions{
			Episodes: 150, Tasks: 4, Seed: 1, MetaLR: 3e-3, FirstOrder: firstOrder, ValidEvery: 25,
			Validate: func(m *Model) (float64, error) {
				return MeanSpearman(m, valid, AdaptOptions{Mode: ZMean})
			},
			Progress: func(st EpisodeStats) {
				if st.Episode <= 10 {
					first += st.QueryMSE / 10
				}
				if st.Episode > 140 {
					last += st.QueryMSE / 10
				}
				if st.Validated {
					validated = append(validated, st.Valid)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("firstOrder=%v: query MSE %.4f -> %.4f, validation %v, kept episode %d (%.3f)", firstOrder, first, last, validated, res.BestEpisode, res.BestValid)
		if !(last < first/2) {
			t.Errorf("firstOrder=%v: query MSE %.4f -> %.4f, want at least halved", firstOrder, first, last)
		}
		if res.BestValid != slices.Max(validated) || m.Meta.Episode != res.BestEpisode {
			t.Errorf("kept episode %d (%.3f), best validation %v", res.BestEpisode, res.BestValid, validated)
		}
		got, _ := MeanSpearman(m, valid, AdaptOptions{Mode: ZMean})
		if got != res.BestValid {
			t.Errorf("kept weights score %.4f, recorded %.4f", got, res.BestValid)
		}
	}
}

func TestTrainCancel(t *testing.T) {
	c := smallConfigs()["gcn"]
	ctx, cancel := context.WithCancel(context.Background())
	m := New(c, 1)
	res, err := Train(ctx, m, &PoolSampler{Pools: syntheticPools(c, 3, 30, 1), Support: 5, Query: 5}, TrainOptions{
		Episodes: 1000, Tasks: 2, Progress: func(st EpisodeStats) {
			if st.Episode == 3 {
				cancel()
			}
		}})
	if err != context.Canceled || res.Episodes != 3 {
		t.Errorf("got %v after %d episodes, want context.Canceled after 3", err, res.Episodes)
	}
}

// TestMeanSpearman compares the parallel validation score with a plain loop
// and checks that an error names its task.
func TestMeanSpearman(t *testing.T) {
	c := smallConfigs()["mlp"]
	m := randomModel(c, 3)
	var tasks []Task
	for i, p := range syntheticPools(c, 5, 80, 4) {
		tasks = append(tasks, Task{Device: fmt.Sprint("d", i), Embedding: p.Embedding, SupportX: p.X[:10], SupportY: p.Y[:10], QueryX: p.X[10:], QueryY: p.Y[10:]})
	}
	opts := AdaptOptions{Seed: 2}
	want := 0.0
	for _, tk := range tasks {
		ad, err := m.Adapt(tk.Embedding, tk.SupportX, tk.SupportY, opts)
		if err != nil {
			t.Fatal(err)
		}
		want += rank.Spearman(ad.PredictTo(nil, tk.QueryX), tk.QueryY) / float64(len(tasks))
	}
	got, err := MeanSpearman(m, tasks, opts)
	if err != nil || got != want {
		t.Errorf("MeanSpearman = %v, %v; want %v", got, err, want)
	}
	tasks[3].SupportY = tasks[3].SupportY[:5]
	if _, err := MeanSpearman(m, tasks, opts); err == nil || !strings.Contains(err.Error(), "task 3 (d3)") {
		t.Errorf("error %v does not name task 3", err)
	}
}
