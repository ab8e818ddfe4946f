package predictor_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/helpwasm/helpwasm/predictor"
)

// Example adapts a (here untrained) FBNet predictor to a device from ten
// measured architectures and predicts three more. Real code loads trained
// weights with predictor.LoadFile and encodes architectures with the
// space's Encode.
func Example() {
	m := predictor.New(predictor.FBNetConfig(), 1)
	rng := rand.New(rand.NewPCG(1, 2))
	arch := func() []float64 {
		x := make([]float64, m.Config.InputLen())
		for i := range x {
			x[i] = float64(rng.IntN(2))
		}
		return x
	}
	embedding := make([]float64, m.Config.EmbedDim) // normalised reference latencies
	for i := range embedding {
		embedding[i] = float64(i) / float64(len(embedding)-1)
	}
	var xs [][]float64
	var ys []float64 // normalised latencies of the support architectures
	for range 10 {
		xs = append(xs, arch())
		ys = append(ys, 0.05+0.9*rng.Float64())
	}
	ad, err := m.Adapt(embedding, xs, ys, predictor.AdaptOptions{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := ad.PredictTo(nil, [][]float64{arch(), arch(), arch()})
	fmt.Printf("%d adapted models, %d predictions\n", ad.Samples(), len(pred))
	// Output: 10 adapted models, 3 predictions
}

// ExampleTrain meta-trains on synthetic devices for a few episodes.
func ExampleTrain() {
	cfg := predictor.FBNetConfig()
	cfg.InputDim, cfg.Hidden = 8, 16
	rng := rand.New(rand.NewPCG(3, 4))
	var pools []predictor.DevicePool
	for d := range 4 {
		p := predictor.DevicePool{Device: fmt.Sprint("dev", d), Embedding: make([]float64, cfg.EmbedDim)}
		for i := range p.Embedding {
			p.Embedding[i] = rng.Float64()
		}
		for range 50 {
			x := make([]float64, cfg.InputDim)
			s := 0.0
			for i := range x {
				x[i] = float64(rng.IntN(2))
				s += x[i] * float64(i+d)
			}
			p.X = append(p.X, x)
			p.Y = append(p.Y, s/60)
		}
		pools = append(pools, p)
	}
	m := predictor.New(cfg, 1)
	res, err := predictor.Train(context.Background(), m,
		&predictor.PoolSampler{Pools: pools, Support: 5, Query: 20},
		predictor.TrainOptions{Episodes: 20, Tasks: 2, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("episodes:", res.Episodes, "kept:", m.Meta.Episode)
	// Output: episodes: 20 kept: 20
}
