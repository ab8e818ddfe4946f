package predictor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/helpwasm/helpwasm/rank"
)

// Task is one device's few-shot regression problem: adapt on the support
// set, score on the query set. Latencies are normalised; Embedding is the
// device's normalised hardware embedding. Slices are read, never modified.
type Task struct {
	Device    string
	Embedding []float64
	SupportX  [][]float64
	SupportY  []float64
	QueryX    [][]float64
	QueryY    []float64
}

// TaskSampler draws the tasks of one meta-training episode. It must use
// only rng for randomness so training is reproducible.
type TaskSampler interface {
	Episode(rng *rand.Rand, tasks int) ([]Task, error)
}

// DevicePool is a meta-training device's pool of encoded architectures
// with normalised latencies, plus its hardware embedding.
type DevicePool struct {
	Device    string
	Embedding []float64
	X         [][]float64
	Y         []float64
}

// PoolSampler is HELP's episode generator: draw Tasks devices without
// replacement, and from each device's pool a random permutation whose first
// Support entries are the support set and next Query the query set.
type PoolSampler struct {
	Pools          []DevicePool
	Support, Query int
}

// Episode implements TaskSampler.
func (s *PoolSampler) Episode(rng *rand.Rand, tasks int) ([]Task, error) {
	if tasks > len(s.Pools) {
		return nil, fmt.Errorf("predictor: %d tasks per episode but only %d devices", tasks, len(s.Pools))
	}
	out := make([]Task, tasks)
	devs := rng.Perm(len(s.Pools))
	for i := range out {
		p := &s.Pools[devs[i]]
		if len(p.X) != len(p.Y) {
			return nil, fmt.Errorf("predictor: device %s: %d architectures but %d latencies", p.Device, len(p.X), len(p.Y))
		}
		if s.Support+s.Query > len(p.X) {
			return nil, fmt.Errorf("predictor: device %s: pool of %d cannot give %d support + %d query samples", p.Device, len(p.X), s.Support, s.Query)
		}
		perm := rng.Perm(len(p.X))
		t := Task{Device: p.Device, Embedding: p.Embedding}
		for _, k := range perm[:s.Support] {
			t.SupportX = append(t.SupportX, p.X[k])
			t.SupportY = append(t.SupportY, p.Y[k])
		}
		for _, k := range perm[s.Support : s.Support+s.Query] {
			t.QueryX = append(t.QueryX, p.X[k])
			t.QueryY = append(t.QueryY, p.Y[k])
		}
		out[i] = t
	}
	return out, nil
}

// TrainOptions configure Train. Zero fields take HELP's defaults.
type TrainOptions struct {
	Episodes int     // 2000
	Tasks    int     // tasks per episode, 8
	MetaLR   float64 // Adam learning rate, 1e-4
	Seed     uint64
	// FirstOrder drops the second-order terms of the meta-gradient.
	FirstOrder bool
	// ValidEvery runs Validate every this many episodes (and after the
	// last); 0 means 50.
	ValidEvery int
	// Validate scores the current model (higher is better, e.g. mean
	// Spearman on the meta-validation devices). Train keeps the best
	// weights. Nil means no validation: the final weights are kept.
	Validate func(m *Model) (float64, error)
	// Progress, if set, is called after every episode.
	Progress func(EpisodeStats)
	// Workers run tasks in parallel; 0 means GOMAXPROCS. The result does
	// not depend on it.
	Workers int
}

// EpisodeStats reports one meta-training episode.
type EpisodeStats struct {
	Episode  int     // 1-based
	Loss     float64 // meta-objective: mean over tasks of MSE + KLScale*KL
	QueryMSE float64 // mean query MSE after adaptation
	KL       float64 // mean KL
	// Validated says Valid holds a fresh validation score.
	Validated   bool
	Valid       float64
	BestValid   float64
	BestEpisode int
	Elapsed     time.Duration
}

// TrainResult summarises a Train run.
type TrainResult struct {
	Episodes    int
	BestEpisode int     // episode whose weights were kept
	BestValid   float64 // its validation score (NaN without Validate)
	Elapsed     time.Duration
}

// Train meta-trains m in place with Adam on HELP's meta-objective and
// leaves m holding the best-on-validation weights (m.Meta.Episode and
// ValidSpearman record which). Same model, sampler, options and seed give
// bit-identical weights whatever the number of workers. It stops early,
// returning ctx.Err() and keeping the best weights so far, when ctx is done.
func Train(ctx context.Context, m *Model, sampler TaskSampler, opts TrainOptions) (TrainResult, error) {
	if opts.Episodes <= 0 {
		opts.Episodes = 2000
	}
	if opts.Tasks <= 0 {
		opts.Tasks = 8
	}
	if opts.MetaLR <= 0 {
		opts.MetaLR = 1e-4
	}
	if opts.ValidEvery <= 0 {
		opts.ValidEvery = 50
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, opts.Tasks)
	start := time.Now()
	res := TrainResult{BestValid: math.NaN()}
	opt := newAdam(len(m.params), opts.MetaLR)
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6d657461))
	works := make([]*metaWork, workers)
	for i := range works {
		works[i] = newMetaWork(m)
	}
	taskGrads := make([][]float64, opts.Tasks)
	for i := range taskGrads {
		taskGrads[i] = make([]float64, len(m.params))
	}
	eps := make([][]float64, opts.Tasks)
	for i := range eps {
		eps[i] = make([]float64, m.Config.zDim())
	}
	mses := make([]float64, opts.Tasks)
	kls := make([]float64, opts.Tasks)
	grad := make([]float64, len(m.params))
	var best []float64
	bestEpisode := 0
	bestValid := math.Inf(-1)
	keepBest := func() {
		if best != nil {
			copy(m.params, best)
			m.Meta.Episode = bestEpisode
			m.Meta.ValidSpearman = bestValid
			res.BestEpisode, res.BestValid = bestEpisode, bestValid
		} else {
			m.Meta.Episode = res.Episodes
			res.BestEpisode = res.Episodes
		}
		res.Elapsed = time.Since(start)
	}
	for ep := 1; ep <= opts.Episodes; ep++ {
		if err := ctx.Err(); err != nil {
			keepBest()
			return res, err
		}
		tasks, err := sampler.Episode(rng, opts.Tasks)
		if err != nil {
			keepBest()
			return res, fmt.Errorf("predictor: train: episode %d: %w", ep, err)
		}
		if len(tasks) != opts.Tasks {
			keepBest()
			return res, fmt.Errorf("predictor: train: episode %d: sampler gave %d tasks, want %d", ep, len(tasks), opts.Tasks)
		}
		// Noise is drawn in task order before the parallel part, so the
		// result does not depend on scheduling.
		if m.Config.Modulator {
			for i := range tasks {
				for j := range eps[i] {
					eps[i][j] = rng.NormFloat64()
				}
			}
		}
		scale := 1 / float64(opts.Tasks)
		var wg sync.WaitGroup
		next := make(chan int, opts.Tasks)
		for i := range tasks {
			next <- i
		}
		close(next)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w *metaWork) {
				defer wg.Done()
				for i := range next {
					clear(taskGrads[i])
					mses[i], kls[i] = w.taskGrad(&tasks[i], eps[i], opts.FirstOrder, scale, taskGrads[i])
				}
			}(works[w])
		}
		wg.Wait()
		// Deterministic reduction in task order.
		copy(grad, taskGrads[0])
		for i := 1; i < len(taskGrads); i++ {
			for j, v := range taskGrads[i] {
				grad[j] += v
			}
		}
		st := EpisodeStats{Episode: ep}
		for i := range tasks {
			st.QueryMSE += mses[i] * scale
			st.KL += kls[i] * scale
		}
		st.Loss = st.QueryMSE + m.Config.KLScale*st.KL
		if err := checkFinite("meta-gradient", grad); err != nil {
			keepBest()
			return res, fmt.Errorf("predictor: train: episode %d: %w", ep, err)
		}
		opt.step(m.params, grad)
		res.Episodes = ep
		if opts.Validate != nil && (ep%opts.ValidEvery == 0 || ep == opts.Episodes) {
			v, err := opts.Validate(m)
			if err != nil {
				keepBest()
				return res, fmt.Errorf("predictor: train: validation after episode %d: %w", ep, err)
			}
			st.Validated, st.Valid = true, v
			if v > bestValid {
				bestValid, bestEpisode = v, ep
				best = append(best[:0], m.params...)
			}
		}
		st.BestValid, st.BestEpisode = bestValid, bestEpisode
		st.Elapsed = time.Since(start)
		if opts.Progress != nil {
			opts.Progress(st)
		}
	}
	keepBest()
	return res, nil
}

// MeanSpearman adapts m to each task (support set) and returns the mean
// over tasks of the Spearman correlation between predicted and true query
// latencies. It is the validation score HELP keeps the best model by. Tasks
// run in parallel (GOMAXPROCS); the result does not depend on it.
func MeanSpearman(m *Model, tasks []Task, opts AdaptOptions) (float64, error) {
	if len(tasks) == 0 {
		return 0, errors.New("predictor: MeanSpearman: no tasks")
	}
	scores := make([]float64, len(tasks))
	errs := make([]error, len(tasks))
	next := make(chan int, len(tasks))
	for i := range tasks {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pred []float64
			for i := range next {
				t := &tasks[i]
				ad, err := m.Adapt(t.Embedding, t.SupportX, t.SupportY, opts)
				if err != nil {
					errs[i] = fmt.Errorf("predictor: MeanSpearman: task %d (%s): %w", i, t.Device, err)
					continue
				}
				pred = ad.PredictTo(pred, t.QueryX)
				scores[i] = rank.Spearman(pred, t.QueryY)
			}
		}()
	}
	wg.Wait()
	sum := 0.0
	for i, s := range scores {
		if errs[i] != nil {
			return 0, errs[i]
		}
		sum += s
	}
	return sum / float64(len(tasks)), nil
}
