package measure

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// fakeClock only moves when something advances it; a read can also move it
// (perRead), and it can tick coarsely (tick) like a browser clock.
type fakeClock struct {
	t       time.Duration
	perRead time.Duration
	tick    time.Duration
}

func (c *fakeClock) Now() time.Duration {
	now := c.t
	c.t += c.perRead
	if c.tick > 0 {
		now = now / c.tick * c.tick
	}
	return now
}

// fakeItem costs a known time on the fake clock. extra(n) adds to the
// cost of its n-th run (0-based), to simulate noise or a pause.
type fakeItem struct {
	name  int
	clock *fakeClock
	cost  time.Duration
	extra func(n int) time.Duration
	runs  int
	log   *[]int // names of items in the order they ran, if non-nil
}

func (it *fakeItem) Run() {
	d := it.cost
	if it.extra != nil {
		d += it.extra(it.runs)
	}
	it.clock.t += d
	it.runs++
	if it.log != nil {
		*it.log = append(*it.log, it.name)
	}
}

// testOptions is a deterministic configuration on a fake clock: a 1 us
// resolution, 2 ms shortest sample, no real GC.
func testOptions(c *fakeClock) Options {
	o := Quick()
	o.Clock = c
	o.Resolution = time.Microsecond
	o.MinSample = 2 * time.Millisecond
	o.ResolutionFactor = 10
	o.CollectGarbage = false
	o.GCCount = func() uint64 { return 0 }
	o.PausePoll = time.Millisecond
	o.Seed = 7
	return o
}

func items(c *fakeClock, costs ...time.Duration) ([]Item, []*fakeItem) {
	its := make([]Item, len(costs))
	fakes := make([]*fakeItem, len(costs))
	for i, d := range costs {
		fakes[i] = &fakeItem{name: i, clock: c, cost: d}
		its[i] = fakes[i]
	}
	return its, fakes
}

func TestMeasureExactOnFakeClock(t *testing.T) {
	tests := []struct {
		cost      time.Duration
		wantInner int
	}{
		{100 * time.Microsecond, 24}, // 1.2 x 2 ms / 0.1 ms
		{time.Millisecond, 3},        // 1.2 x 2 ms / 1 ms, rounded up
		{5 * time.Millisecond, 1},
		{40 * time.Millisecond, 1},
	}
	c := &fakeClock{}
	costs := make([]time.Duration, len(tests))
	for i, tt := range tests {
		costs[i] = tt.cost
	}
	its, _ := items(c, costs...)
	opts := testOptions(c)
	res, err := Measure(context.Background(), its, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		r := res[i]
		approx.Equal(t, "MS", r.MS, float64(tt.cost)/float64(time.Millisecond), approx.Float64)
		if r.Inner != tt.wantInner || r.Spread != 0 || !r.Stable || len(r.Samples) != opts.Rounds ||
			r.Outliers != 0 || r.Discarded != 0 || r.Attempts != 1 {
			t.Errorf("item %d: got %+v, want inner %d, spread 0, stable, %d samples", i, r, tt.wantInner, opts.Rounds)
		}
	}
}

func TestMeasureDropsPauseAsOutlier(t *testing.T) {
	c := &fakeClock{}
	its, fakes := items(c, 3*time.Millisecond, 4*time.Millisecond)
	opts := testOptions(c)
	// The item's 4th run overall falls in the timed rounds (1 warm-up, 1
	// calibration run): a 50 ms pause, as if the process were descheduled.
	fakes[0].extra = func(n int) time.Duration {
		if n == 4 {
			return 50 * time.Millisecond
		}
		return 0
	}
	res, err := Measure(context.Background(), its, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Outliers != 1 || len(r.Samples) != opts.Rounds-1 || !r.Stable {
		t.Errorf("got %+v, want one outlier dropped, stable", r)
	}
	approx.Equal(t, "MS", r.MS, 3, approx.Float64)
}

func TestMeasureDiscardsSamplesDuringGC(t *testing.T) {
	c := &fakeClock{}
	its, fakes := items(c, 3*time.Millisecond, 4*time.Millisecond)
	var cycles uint64
	opts := testOptions(c)
	opts.GCCount = func() uint64 { return cycles }
	// A GC cycle completes during item 1's 3rd timed sample (runs 0 and 1
	// are warm-up and calibration).
	fakes[1].extra = func(n int) time.Duration {
		if n == 4 {
			cycles++
			return 2 * time.Millisecond // a GC pause inflates it too
		}
		return 0
	}
	res, err := Measure(context.Background(), its, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[1]; r.Discarded != 1 || len(r.Samples) != opts.Rounds-1 || r.Outliers != 0 || r.MS != 4 {
		t.Errorf("item 1: got %+v, want 1 discarded, %d samples of 4 ms", r, opts.Rounds-1)
	}
	if r := res[0]; r.Discarded != 0 || len(r.Samples) != opts.Rounds {
		t.Errorf("item 0: got %+v, want nothing discarded", r)
	}
}

func TestMeasureRepeatsInterruptedRound(t *testing.T) {
	c := &fakeClock{}
	its, fakes := items(c, 3*time.Millisecond, 4*time.Millisecond, 5*time.Millisecond)
	opts := testOptions(c)
	calls := 0
	// Hidden for a while once, in the middle of the timed rounds.
	opts.Interrupted = func() bool {
		calls++
		return calls >= 20 && calls < 23
	}
	var paused, last Progress
	opts.Progress = func(p Progress) {
		if p.Step == "paused" {
			paused = p
		}
		last = p
	}
	res, err := Measure(context.Background(), its, opts)
	if err != nil {
		t.Fatal(err)
	}
	if paused.Step != "paused" {
		t.Error("no paused progress reported")
	}
	if last.Done != last.Total {
		t.Errorf("final progress %d/%d, want done = total", last.Done, last.Total)
	}
	for i, r := range res {
		if len(r.Samples) != opts.Rounds || !r.Stable || r.Discarded != 0 {
			t.Errorf("item %d: got %+v, want %d samples", i, r, opts.Rounds)
		}
	}
	// The interrupted round ran some items once more than the others.
	extra := 0
	for _, f := range fakes {
		extra += f.runs - (1 + 1 + opts.Rounds) // warm-up + calibration + rounds
	}
	if extra < 1 {
		t.Errorf("interrupted round was not repeated: %d extra runs", extra)
	}
}

func TestMeasureCancel(t *testing.T) {
	c := &fakeClock{}
	its, fakes := items(c, 3*time.Millisecond, 4*time.Millisecond, 5*time.Millisecond)
	opts := testOptions(c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.Progress = func(p Progress) {
		if p.Done == 7 {
			cancel()
		}
	}
	_, err := Measure(ctx, its, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	runs := 0
	for _, f := range fakes {
		runs += f.runs
	}
	if runs > 8 {
		t.Errorf("%d runs after cancelling at the 7th step, want it to stop at the next check", runs)
	}
	// Cancelled while paused.
	ctx2, cancel2 := context.WithCancel(context.Background())
	opts.Progress = nil
	opts.Interrupted = func() bool { cancel2(); return true }
	if _, err := Measure(ctx2, its, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("while paused: err = %v, want context.Canceled", err)
	}
}

func TestMeasureRetriesUnstable(t *testing.T) {
	noisy := func(n int) time.Duration { // +0 or +2 ms, alternately
		return time.Duration(n%2) * 2 * time.Millisecond
	}
	tests := []struct {
		name         string
		extra        func(n int) time.Duration
		wantStable   bool
		wantAttempts int
	}{
		{"always noisy", noisy, false, 3},
		{"noisy then calm", func(n int) time.Duration {
			if n < 8 {
				return noisy(n)
			}
			return 0
		}, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeClock{}
			its, fakes := items(c, 3*time.Millisecond, 4*time.Millisecond)
			fakes[0].extra = tt.extra
			opts := testOptions(c)
			opts.MaxRetries = 2
			var last Progress
			opts.Progress = func(p Progress) { last = p }
			res, err := Measure(context.Background(), its, opts)
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			if r.Stable != tt.wantStable || r.Attempts != tt.wantAttempts {
				t.Errorf("got stable %v after %d attempts (spread %.3f), want %v after %d",
					r.Stable, r.Attempts, r.Spread, tt.wantStable, tt.wantAttempts)
			}
			if !tt.wantStable && !(r.Spread > opts.MaxSpread) {
				t.Errorf("unstable result has spread %g <= MaxSpread", r.Spread)
			}
			if res[1].Attempts != 1 || !res[1].Stable {
				t.Errorf("stable item re-measured: %+v", res[1])
			}
			if last.Done != last.Total {
				t.Errorf("final progress %d/%d", last.Done, last.Total)
			}
		})
	}
}

func TestMeasureZeroDurationIsNotUsed(t *testing.T) {
	c := &fakeClock{}
	its, _ := items(c, 0, 3*time.Millisecond)
	opts := testOptions(c)
	opts.MaxInner = 50
	res, err := Measure(context.Background(), its, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Stable || !math.IsNaN(r.MS) || len(r.Samples) != 0 || r.Discarded != opts.Rounds*(1+opts.MaxRetries) {
		t.Errorf("zero-cost item: got %+v, want unstable, NaN, all discarded", r)
	}
	if r.Inner != opts.MaxInner {
		t.Errorf("inner = %d, want MaxInner %d", r.Inner, opts.MaxInner)
	}
}

func TestMeasureShufflesEachRoundDeterministically(t *testing.T) {
	run := func(seed uint64) []int {
		c := &fakeClock{}
		var log []int
		its, fakes := items(c, 3*time.Millisecond, 3*time.Millisecond, 3*time.Millisecond,
			3*time.Millisecond, 3*time.Millisecond, 3*time.Millisecond)
		for _, f := range fakes {
			f.log = &log
		}
		opts := testOptions(c)
		opts.Seed = seed
		if _, err := Measure(context.Background(), its, opts); err != nil {
			t.Fatal(err)
		}
		return log[len(log)-opts.Rounds*len(its):] // the timed rounds, inner = 1
	}
	a, b, other := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Error("same seed gave different orders")
	}
	if slices.Equal(a, other) {
		t.Error("different seeds gave the same order")
	}
	n := 6
	distinct := map[string]bool{}
	for r := 0; r < len(a)/n; r++ {
		round := slices.Clone(a[r*n : (r+1)*n])
		distinct[string(rune(round[0]))+string(rune(round[1]))+string(rune(round[2]))] = true
		slices.Sort(round)
		if !slices.Equal(round, []int{0, 1, 2, 3, 4, 5}) {
			t.Fatalf("round %d is not a permutation: %v", r, a[r*n:(r+1)*n])
		}
	}
	if len(distinct) < 2 {
		t.Error("every round ran in the same order")
	}
}

func TestMeasureBadOptions(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
	}{
		{"rounds", func(o *Options) { o.Rounds = 0 }},
		{"warmup", func(o *Options) { o.Warmup = -1 }},
		{"inner", func(o *Options) { o.MaxInner = 0 }},
		{"outlier k", func(o *Options) { o.OutlierK = math.NaN() }},
		{"min samples", func(o *Options) { o.MinSamples = o.Rounds + 1 }},
		{"spread", func(o *Options) { o.MaxSpread = 0 }},
		{"retries", func(o *Options) { o.MaxRetries = -1 }},
		{"quantile", func(o *Options) { o.Quantile = -0.1 }},
	}
	for _, tt := range tests {
		o := Quick()
		tt.edit(&o)
		if _, err := Measure(context.Background(), nil, o); !errors.Is(err, ErrBadOptions) {
			t.Errorf("%s: err = %v, want ErrBadOptions", tt.name, err)
		}
	}
	for _, o := range []Options{Quick(), Thorough()} {
		if err := o.check(); err != nil {
			t.Errorf("preset: %v", err)
		}
	}
}

func TestResolution(t *testing.T) {
	tests := []struct {
		tick, perRead, want time.Duration
	}{
		{5 * time.Microsecond, time.Microsecond, 5 * time.Microsecond},
		{100 * time.Microsecond, 3 * time.Microsecond, 100 * time.Microsecond},
		{0, 40 * time.Nanosecond, 40 * time.Nanosecond},
		{0, 0, time.Millisecond}, // a stuck clock: gives up at the limit
	}
	for _, tt := range tests {
		c := &fakeClock{tick: tt.tick, perRead: tt.perRead}
		if got := Resolution(c, time.Millisecond); got != tt.want {
			t.Errorf("tick %v, read %v: resolution %v, want %v", tt.tick, tt.perRead, got, tt.want)
		}
	}
	if r := Resolution(SystemClock(), time.Second); r <= 0 || r > 10*time.Millisecond {
		t.Errorf("system clock resolution %v, want (0, 10ms]", r)
	}
}

// A smoke test on the real clock, GC counter and collector: a busy loop.
func TestMeasureSystemClock(t *testing.T) {
	var sink float64
	busy := ItemFunc(func() {
		x := 1.0
		for i := range 20000 {
			x += math.Sqrt(float64(i))
		}
		sink += x
	})
	opts := Quick()
	opts.MinSample = 200 * time.Microsecond
	res, err := Measure(context.Background(), []Item{busy}, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if !(r.MS > 0) || math.IsInf(r.MS, 0) || len(r.Samples) == 0 || r.Inner < 1 {
		t.Errorf("got %+v, want a finite positive latency", r)
	}
	t.Logf("busy loop: %.4f ms (spread %.3f, inner %d, %d samples) sink %g", r.MS, r.Spread, r.Inner, len(r.Samples), sink)
}

// BenchmarkGCCount is the cost of reading the GC counter twice per sample.
func BenchmarkGCCount(b *testing.B) {
	m := newMeter(Quick())
	for b.Loop() {
		m.gcCount()
	}
}

// BenchmarkCollectGarbage is the cost of the runtime.GC between samples
// with this test binary's small heap.
func BenchmarkCollectGarbage(b *testing.B) {
	for b.Loop() {
		runtime.GC()
	}
}

// With noise that only adds time, a low quantile recovers the true cost
// where the median does not.
func TestMeasureQuantile(t *testing.T) {
	for _, tt := range []struct {
		q    float64
		want float64 // ms
	}{{0.5, 3.5}, {0, 3}} {
		c := &fakeClock{}
		its, fakes := items(c, 3*time.Millisecond)
		fakes[0].extra = func(n int) time.Duration { // +0, +1 ms alternately
			return time.Duration(n%2) * time.Millisecond
		}
		opts := testOptions(c)
		opts.Quantile = tt.q
		opts.MaxSpread = 1
		res, err := Measure(context.Background(), its, opts)
		if err != nil {
			t.Fatal(err)
		}
		approx.Equal(t, "MS at quantile "+fmt.Sprint(tt.q), res[0].MS, tt.want, approx.Float64)
	}
}

// Progress reports each timed sample with its item and per-run latency,
// and only those reports say Sampled.
func TestProgressReportsSamples(t *testing.T) {
	c := &fakeClock{}
	costs := []time.Duration{3 * time.Millisecond, 7 * time.Millisecond}
	its, _ := items(c, costs...)
	opts := testOptions(c)
	perItem := map[int][]float64{}
	others := 0
	opts.Progress = func(p Progress) {
		if !p.Sampled {
			if p.Item != 0 || p.MS != 0 {
				t.Errorf("report %+v: not a sample but carries one", p)
			}
			others++
			return
		}
		perItem[p.Item] = append(perItem[p.Item], p.MS)
	}
	if _, err := Measure(context.Background(), its, opts); err != nil {
		t.Fatal(err)
	}
	for i, d := range costs {
		want := float64(d) / float64(time.Millisecond)
		if len(perItem[i]) != opts.Rounds {
			t.Errorf("item %d: %d sample reports, want %d", i, len(perItem[i]), opts.Rounds)
		}
		for _, ms := range perItem[i] {
			approx.Equal(t, fmt.Sprintf("item %d sample", i), ms, want, approx.Float64)
		}
	}
	if others == 0 {
		t.Error("no warm-up or step reports besides the samples")
	}
}
