package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/dataset"
	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/registry"
	"github.com/helpwasm/helpwasm/weights"
)

// benchFlags are bench's settings after flag parsing.
type benchFlags struct {
	data, weights string
	episodes      int
	repeat        int
	skip          map[string]bool
}

func parseBenchFlags(args []string, stderr io.Writer) (benchFlags, error) {
	var f benchFlags
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.data, "data", "../shared/data", "HELP's data directory (for the meta-training episode)")
	fs.StringVar(&f.weights, "weights", "", "predictor weights (default: the shipped ones)")
	fs.IntVar(&f.episodes, "episodes", 5, "meta-training episodes to time")
	fs.IntVar(&f.repeat, "repeat", 5, "repetitions of adaptation + prediction")
	noTrain := fs.Bool("no-train", false, "skip the meta-training episode benchmark")
	noEngine := fs.Bool("no-engine", false, "skip the engine benchmark")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if f.episodes < 1 || f.repeat < 1 {
		return f, fmt.Errorf("-episodes and -repeat must be positive")
	}
	f.skip = map[string]bool{"train": *noTrain, "engine": *noEngine}
	return f, nil
}

// durations summarises repeated timings.
type durations []time.Duration

func (d durations) median() time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func (d durations) min() time.Duration { return slices.Min(d) }

func runBench(args []string, stdout, stderr io.Writer) error {
	f, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	if !f.skip["train"] {
		if err := benchEpisode(f, stdout); err != nil {
			return err
		}
	}
	if err := benchAdapt(f, stdout); err != nil {
		return err
	}
	if !f.skip["engine"] {
		benchEngine(f, stdout)
	}
	return nil
}

// benchEpisode times HELP meta-training episodes (8 tasks x (10 support +
// 200 query), exact second order and first order) on the real data,
// without validation.
func benchEpisode(f benchFlags, w io.Writer) error {
	tf := trainFlags{space: "nasbench201", data: f.data, method: "help", seed: 1,
		tasks: 8, support: 10, query: 200, validSamples: 10}
	d, err := dataset.Load(f.data, nasbench201.Space{}, nasbench201.Encoder{Order: nasbench201.DefaultTypeOrder})
	if err != nil {
		return err
	}
	setup, err := dataset.NewTrainSetup(d, tf.setupOptions())
	if err != nil {
		return err
	}
	for _, firstOrder := range []bool{false, true} {
		m := predictor.New(predictor.NASBench201Config(), 1)
		res, err := predictor.Train(context.Background(), m, setup.Sampler, predictor.TrainOptions{
			Episodes: f.episodes, Seed: 1, FirstOrder: firstOrder})
		if err != nil {
			return err
		}
		per := res.Elapsed / time.Duration(res.Episodes)
		kind := "second order"
		if firstOrder {
			kind = "first order"
		}
		fmt.Fprintf(w, "meta-training episode (8 tasks x 10+200, %s): %s/episode over %d episodes; 2,000 episodes ~ %s\n",
			kind, per.Round(time.Millisecond), res.Episodes, (2000 * per).Round(time.Second))
	}
	return nil
}

// benchAdapt times what a new device costs: adapt on 10 support samples
// (HELP's 2 steps, 10 samples of z) and predict all 15,625 architectures,
// from the encodings (encoding them is timed separately; it is done once).
func benchAdapt(f benchFlags, w io.Writer) error {
	m, _, err := loadWeights(f.weights, latency.NASBench201, "")
	if err != nil {
		return err
	}
	entry, err := registry.Lookup(latency.NASBench201)
	if err != nil {
		return err
	}
	senc, err := entry.Encoder(m)
	if err != nil {
		return err
	}
	order := senc.(nasbench201.Encoder).Order
	at, err := weights.Atlas("nasbench201")
	if err != nil {
		return err
	}
	dev, ok := at.Device("gold_6226")
	if !ok {
		dev = at.Devices[0]
	}
	xs, ys := supportFromPool(at, dev, 10, order)

	all := nasbench201.Enumerate()
	enc := make([][]float64, len(all))
	t0 := time.Now()
	for i, a := range all {
		enc[i] = nasbench201.Encode(nil, a, order)
	}
	encTime := time.Since(t0)

	t0 = time.Now()
	batch := m.NewBatch(enc)
	planTime := time.Since(t0)

	var adapt, predict, total durations
	var pred []float64
	for range f.repeat {
		t0 := time.Now()
		ad, err := m.Adapt(dev.Embedding, xs, ys, predictor.AdaptOptions{Seed: 1})
		if err != nil {
			return err
		}
		t1 := time.Now()
		pred = ad.PredictBatchTo(pred, batch)
		t2 := time.Now()
		adapt, predict, total = append(adapt, t1.Sub(t0)), append(predict, t2.Sub(t1)), append(total, t2.Sub(t0))
	}
	fmt.Fprintf(w, "adapt (%d steps, %d z samples, 10 support) + predict %d archs: median %s (min %s; adapt %s, predict %s) over %d runs; once per space: encode %s, plan batch %s\n",
		m.Config.InnerSteps, predictor.DefaultMCSamples, len(enc), total.median().Round(time.Millisecond), total.min().Round(time.Millisecond),
		adapt.median().Round(time.Millisecond), predict.median().Round(time.Millisecond), f.repeat, encTime.Round(time.Millisecond), planTime.Round(time.Millisecond))
	// The same without the prepared batch, as a cross-check of the fast path.
	ad, err := m.Adapt(dev.Embedding, xs, ys, predictor.AdaptOptions{Seed: 1})
	if err != nil {
		return err
	}
	t0 = time.Now()
	plain := ad.PredictTo(nil, enc)
	plainTime := time.Since(t0)
	maxDiff := 0.0
	for i := range plain {
		maxDiff = max(maxDiff, math.Abs(plain[i]-pred[i]))
	}
	fmt.Fprintf(w, "  plain PredictTo of the same %d archs: %s; max |batch - plain| = %.2g\n", len(enc), plainTime.Round(time.Millisecond), maxDiff)
	return nil
}

// supportFromPool takes the first n pool architectures of dev with their
// latencies min-max normalised over the pool (portion 0.9).
func supportFromPool(at *atlas.Atlas, dev atlas.Device, n int, order nasbench201.TypeOrder) ([][]float64, []float64) {
	pool := make([]float64, len(dev.PoolMS)) // the atlas keeps float32
	for i, v := range dev.PoolMS {
		pool[i] = float64(v)
	}
	sc := latency.ScaleOf(pool, 0.9)
	var xs [][]float64
	var ys []float64
	for i := range min(n, len(at.PoolArchs)) {
		xs = append(xs, nasbench201.Encode(nil, nasbench201.MustParse(at.PoolArchs[i]), order))
		ys = append(ys, sc.Normalise(pool[i]))
	}
	return xs, ys
}

// benchEngine times one forward pass of the smallest, median and largest
// networks by FLOPs (single-threaded, batch 1).
func benchEngine(f benchFlags, w io.Writer) {
	all := nasbench201.Enumerate()
	slices.SortStableFunc(all, func(a, b nasbench201.Arch) int {
		return int(nasbench201.FLOPs(a) - nasbench201.FLOPs(b))
	})
	for _, c := range []struct {
		what string
		arch nasbench201.Arch
	}{{"smallest", all[0]}, {"median", all[len(all)/2]}, {"largest", all[len(all)-1]}} {
		n := engine.New(c.arch, 1)
		n.Forward() // warm up
		var ts durations
		for range max(f.repeat, 5) {
			// Enough forwards per sample to be far above timer noise.
			reps, t0 := 0, time.Now()
			for time.Since(t0) < 50*time.Millisecond {
				n.Forward()
				reps++
			}
			ts = append(ts, time.Since(t0)/time.Duration(reps))
		}
		med := ts.median()
		fmt.Fprintf(w, "engine forward, %-8s %6.1f M MACs: median %s (%.2f GFLOP/s) %s\n", c.what,
			float64(nasbench201.FLOPs(c.arch))/1e6, med.Round(time.Microsecond),
			2*float64(n.MACs())/med.Seconds()/1e9, c.arch)
	}
}
