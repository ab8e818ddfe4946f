package measure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/helpwasm/helpwasm/internal/orderstat"
)

// Item is one thing to time, such as an engine network's forward pass.
// Run must do the same work every call.
type Item interface {
	Run()
}

// ItemFunc adapts a plain function to Item.
type ItemFunc func()

// Run calls f.
func (f ItemFunc) Run() { f() }

// Clock reads a monotonic time. Durations between two readings are what
// Measure times; the origin does not matter.
type Clock interface {
	Now() time.Duration
}

// SystemClock returns the process's monotonic clock (performance.now() in a
// browser).
func SystemClock() Clock { return systemClock{start: time.Now()} }

type systemClock struct{ start time.Time }

func (c systemClock) Now() time.Duration { return time.Since(c.start) }

// Resolution estimates the clock's resolution: the smallest step between
// two distinct readings over a few trials. It gives up after limit and
// returns limit if the clock never moved.
func Resolution(c Clock, limit time.Duration) time.Duration {
	const trials = 8
	const maxSpins = 1 << 24
	best := time.Duration(math.MaxInt64)
	for range trials {
		t0 := c.Now()
		// Align to a tick first, so the step measured below is a whole one.
		t1 := t0
		for i := 0; t1 == t0 && i < maxSpins && t1-t0 < limit; i++ {
			t1 = c.Now()
		}
		t2 := t1
		for i := 0; t2 == t1 && i < maxSpins; i++ {
			t2 = c.Now()
		}
		if d := t2 - t1; d > 0 && d < best {
			best = d
		}
	}
	if best > limit {
		return limit
	}
	return best
}

// Progress is reported after every warm-up run and every sample.
type Progress struct {
	Phase string // Options.Phase, e.g. "reference"
	Step  string // "warm-up", "timing", "re-measure" or "paused"
	Done  int    // runs and samples completed so far
	Total int    // expected total; grows if items are re-measured
	// Sampled reports whether this report follows a timed sample: of
	// the item at index Item, MS ms per run (NaN if the sample was
	// discarded). Other reports leave all three zero.
	Sampled bool
	Item    int
	MS      float64
	// Name is left empty here, for a caller who knows its items by name
	// to fill in before passing the report on (the device session sets
	// the architecture).
	Name string
}

// Options configure Measure. Start from Quick or Thorough.
type Options struct {
	Warmup           int           // untimed runs per item before calibration
	Rounds           int           // timed samples per item
	MinSample        time.Duration // shortest timed sample
	ResolutionFactor float64       // a sample also lasts >= this x clock resolution
	MaxInner         int           // cap on inner repetitions per sample
	OutlierK         float64       // drop samples above median + OutlierK x MAD
	MinSamples       int           // fewest kept samples for a stable result
	MaxSpread        float64       // largest stable spread (1.4826 MAD / median)
	Quantile         float64       // the statistic: this quantile of the kept samples (0.5 median, 0 minimum)
	MaxRetries       int           // re-measurements of unstable items
	Seed             uint64        // seeds the per-round shuffles
	CollectGarbage   bool          // run runtime.GC before every round

	Phase       string         // reported in Progress
	Progress    func(Progress) // optional
	Interrupted func() bool    // optional; true pauses and discards the round
	PausePoll   time.Duration  // how often to re-check Interrupted while paused
	Clock       Clock          // nil: SystemClock
	Resolution  time.Duration  // 0: estimated with Resolution
	GCCount     func() uint64  // nil: completed GC cycles from runtime/metrics
}

// Quick is the preset the page uses by default: 6 timed samples per item.
// An item whose run exceeds MinSample costs 8 runs (warm-up, calibration, 6
// rounds) plus 6 more if it must be re-measured: 42 architectures averaging
// 50 ms take about 17 s when stable.
func Quick() Options {
	return Options{
		Warmup:           1,
		Rounds:           6,
		MinSample:        2 * time.Millisecond,
		ResolutionFactor: 200,
		MaxInner:         1000,
		OutlierK:         5,
		MinSamples:       4,
		MaxSpread:        0.15,
		MaxRetries:       1,
		Quantile:         0.25,
		CollectGarbage:   true,
		PausePoll:        100 * time.Millisecond,
	}
}

// Thorough takes more and longer samples and retries harder.
func Thorough() Options {
	o := Quick()
	o.Warmup = 2
	o.Rounds = 15
	o.MinSample = 10 * time.Millisecond
	o.MinSamples = 10
	o.MaxSpread = 0.10
	o.MaxRetries = 3
	return o
}

// Result is the measurement of one item.
type Result struct {
	MS        float64   // latency of one run, ms: Options.Quantile of the samples (the lower quartile with the presets)
	Spread    float64   // 1.4826 x MAD / median of the kept samples
	Samples   []float64 // kept per-run latencies, ms, in the order taken, over all attempts
	Inner     int       // runs per timed sample
	Outliers  int       // samples dropped above median + OutlierK x MAD
	Discarded int       // samples dropped for a GC cycle or a zero duration
	Attempts  int       // 1 + re-measurements (each adds Rounds samples)
	Stable    bool      // enough samples and Spread <= MaxSpread
}

// ErrBadOptions is wrapped by Measure's errors about its Options.
var ErrBadOptions = errors.New("measure: bad options")

func (o *Options) check() error {
	switch {
	case o.Warmup < 0:
		return fmt.Errorf("%w: Warmup %d < 0", ErrBadOptions, o.Warmup)
	case o.Rounds < 1:
		return fmt.Errorf("%w: Rounds %d < 1", ErrBadOptions, o.Rounds)
	case o.MinSample < 0 || o.ResolutionFactor < 0:
		return fmt.Errorf("%w: negative MinSample or ResolutionFactor", ErrBadOptions)
	case o.MaxInner < 1:
		return fmt.Errorf("%w: MaxInner %d < 1", ErrBadOptions, o.MaxInner)
	case !(o.OutlierK > 0):
		return fmt.Errorf("%w: OutlierK %g must be > 0", ErrBadOptions, o.OutlierK)
	case o.MinSamples < 1 || o.MinSamples > o.Rounds:
		return fmt.Errorf("%w: MinSamples %d not in [1, Rounds=%d]", ErrBadOptions, o.MinSamples, o.Rounds)
	case !(o.MaxSpread > 0):
		return fmt.Errorf("%w: MaxSpread %g must be > 0", ErrBadOptions, o.MaxSpread)
	case o.MaxRetries < 0:
		return fmt.Errorf("%w: MaxRetries %d < 0", ErrBadOptions, o.MaxRetries)
	case !(o.Quantile >= 0 && o.Quantile <= 1):
		return fmt.Errorf("%w: Quantile %g not in [0, 1]", ErrBadOptions, o.Quantile)
	}
	return nil
}

// Measure times items under opts and returns one Result per item, in
// items' order. It returns an error only for bad options or a cancelled
// context; unstable items are reported in their Result.
func Measure(ctx context.Context, items []Item, opts Options) ([]Result, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	m := newMeter(opts)
	results := make([]Result, len(items))
	if len(items) == 0 {
		return results, nil
	}
	m.total = len(items) * (opts.Warmup + 1 + opts.Rounds)

	// Warm-up and calibration, item by item.
	inner := make([]int, len(items))
	for i, it := range items {
		for range opts.Warmup {
			if err := m.checkpoint(ctx, "warm-up"); err != nil {
				return nil, err
			}
			it.Run()
			m.done++
			m.report("warm-up")
		}
		if err := m.checkpoint(ctx, "warm-up"); err != nil {
			return nil, err
		}
		inner[i] = m.calibrate(it)
		m.done++
		m.report("warm-up")
	}

	todo := make([]int, len(items))
	for i := range todo {
		todo[i] = i
	}
	// Unstable items get Rounds more samples per retry, pooled with the
	// ones they have: more samples sharpen the median (or minimum), and
	// the outlier filter removes a transient burst of noise either way.
	samples := make([][]float64, len(items))
	discarded := make([]int, len(items))
	for attempt := 1; len(todo) > 0; attempt++ {
		step := "timing"
		if attempt > 1 {
			step = "re-measure"
			m.total += len(todo) * opts.Rounds
		}
		got, lost, err := m.rounds(ctx, items, todo, inner, step)
		if err != nil {
			return nil, err
		}
		var again []int
		for k, i := range todo {
			samples[i] = append(samples[i], got[k]...)
			discarded[i] += lost[k]
			r := summarise(samples[i], opts)
			r.Inner = inner[i]
			r.Discarded = discarded[i]
			r.Attempts = attempt
			results[i] = r
			if !r.Stable && attempt <= opts.MaxRetries {
				again = append(again, i)
			}
		}
		todo = again
	}
	return results, nil
}

// meter holds one Measure call's state.
type meter struct {
	opts      Options
	clock     Clock
	target    time.Duration // shortest timed sample
	rng       *rand.Rand
	gcSample  []metrics.Sample
	done      int
	total     int
	interrupt bool // an interruption was seen since the round began
}

func newMeter(opts Options) *meter {
	m := &meter{opts: opts, clock: opts.Clock}
	if m.clock == nil {
		m.clock = SystemClock()
	}
	res := opts.Resolution
	if res <= 0 {
		res = Resolution(m.clock, 10*time.Millisecond)
	}
	m.target = max(opts.MinSample, time.Duration(opts.ResolutionFactor*float64(res)))
	if m.target <= 0 {
		m.target = res
	}
	m.rng = rand.New(rand.NewPCG(opts.Seed, 0x6d656173757265))
	if opts.GCCount == nil {
		m.gcSample = []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	}
	if opts.PausePoll <= 0 {
		m.opts.PausePoll = 100 * time.Millisecond
	}
	return m
}

func (m *meter) gcCount() uint64 {
	if m.opts.GCCount != nil {
		return m.opts.GCCount()
	}
	metrics.Read(m.gcSample)
	if m.gcSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m.gcSample[0].Value.Uint64()
}

func (m *meter) report(step string) {
	if m.opts.Progress != nil {
		m.opts.Progress(Progress{Phase: m.opts.Phase, Step: step, Done: m.done, Total: m.total})
	}
}

// reportSample reports progress after item's timed sample of ms per run.
func (m *meter) reportSample(step string, item int, ms float64) {
	if m.opts.Progress != nil {
		m.opts.Progress(Progress{Phase: m.opts.Phase, Step: step, Done: m.done, Total: m.total, Sampled: true, Item: item, MS: ms})
	}
}

// checkpoint returns the context's error if it is done, and waits while
// the run is interrupted, noting that it was.
func (m *meter) checkpoint(ctx context.Context, step string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("measure: %w", err)
	}
	if m.opts.Interrupted == nil || !m.opts.Interrupted() {
		return nil
	}
	m.interrupt = true
	m.report("paused")
	t := time.NewTicker(m.opts.PausePoll)
	defer t.Stop()
	for m.opts.Interrupted() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("measure: %w", ctx.Err())
		case <-t.C:
		}
	}
	m.report(step)
	return nil
}

// timeRuns returns the duration of n back-to-back runs of it.
func (m *meter) timeRuns(it Item, n int) time.Duration {
	t0 := m.clock.Now()
	for range n {
		it.Run()
	}
	return m.clock.Now() - t0
}

// calibrate returns the number of inner repetitions that makes one timed
// sample of it last at least m.target (or MaxInner).
func (m *meter) calibrate(it Item) int {
	n := 1
	for {
		d := m.timeRuns(it, n)
		if d >= m.target || n >= m.opts.MaxInner {
			return n
		}
		next := n * 10
		if d > 0 {
			// Aim 20% above the target so noise does not leave us short.
			next = int(math.Ceil(float64(n) * 1.2 * float64(m.target) / float64(d)))
		}
		n = min(max(next, n+1), m.opts.MaxInner)
	}
}

// rounds takes opts.Rounds samples of each item in todo, returning the
// kept per-run latencies (ms) and the number of discarded samples per
// item, indexed like todo.
func (m *meter) rounds(ctx context.Context, items []Item, todo, inner []int, step string) ([][]float64, []int, error) {
	samples := make([][]float64, len(todo))
	discarded := make([]int, len(todo))
	order := make([]int, len(todo))
	round := make([]float64, len(todo)) // this round's samples; NaN = discarded
	for r := 0; r < m.opts.Rounds; {
		for k := range order {
			order[k] = k
		}
		m.rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		m.interrupt = false
		doneAtStart := m.done
		if m.opts.CollectGarbage {
			// Once per round, not per sample: a forced collection costs
			// milliseconds (BenchmarkCollectGarbage), and samples hit by a
			// collection anyway are discarded below.
			runtime.GC()
		}
		for _, k := range order {
			if err := m.checkpoint(ctx, step); err != nil {
				return nil, nil, err
			}
			if m.interrupt {
				break
			}
			i := todo[k]
			gc0 := m.gcCount()
			d := m.timeRuns(items[i], inner[i])
			gc1 := m.gcCount()
			if err := m.checkpoint(ctx, step); err != nil {
				return nil, nil, err
			}
			if m.interrupt {
				break
			}
			round[k] = math.NaN()
			if gc1 == gc0 && d > 0 {
				round[k] = float64(d) / float64(inner[i]) / float64(time.Millisecond)
			}
			m.done++
			m.reportSample(step, i, round[k])
		}
		if m.interrupt {
			// Samples taken around an interruption are suspect: redo the
			// whole round so every item keeps the same number of rounds.
			m.done = doneAtStart
			continue
		}
		for k, v := range round {
			if math.IsNaN(v) {
				discarded[k]++
			} else {
				samples[k] = append(samples[k], v)
			}
		}
		r++
	}
	return samples, discarded, nil
}

// summarise drops outliers from samples (ms) and computes the statistic.
func summarise(samples []float64, opts Options) Result {
	var r Result
	if len(samples) == 0 {
		r.MS, r.Spread = math.NaN(), math.Inf(1)
		return r
	}
	med, mad := medianMAD(samples)
	// A MAD of zero (a coarse clock, identical samples) would make every
	// sample above the median an outlier; floor it at 1% of the median.
	limit := med + opts.OutlierK*max(mad, 0.01*med)
	kept := make([]float64, 0, len(samples))
	for _, v := range samples {
		if v <= limit {
			kept = append(kept, v)
		}
	}
	r.Outliers = len(samples) - len(kept)
	r.Samples = kept
	med, mad = medianMAD(kept)
	r.MS = orderstat.Quantile(kept, opts.Quantile)
	r.Spread = 1.4826 * mad / med
	r.Stable = len(kept) >= opts.MinSamples && r.Spread <= opts.MaxSpread &&
		med > 0 && !math.IsInf(med, 0)
	return r
}
