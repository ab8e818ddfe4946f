package session_test

import (
	"context"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/ofa"
	"github.com/helpwasm/helpwasm/space/registry"
	"github.com/helpwasm/helpwasm/weights"
)

// memPeak samples the Go runtime's memory every millisecond until stop
// is called, and keeps each figure's peak: the heap's objects (live and
// not yet collected), the live heap as the last GC found it, and all the
// memory the runtime holds from the system less what it returned. Under
// WebAssembly nothing is returned, so the last is a floor for the
// worker's linear memory.
type memPeak struct {
	Objects, Live, Held uint64

	stop func()
}

var memNames = []string{"/memory/classes/heap/objects:bytes", "/gc/heap/live:bytes", "/memory/classes/total:bytes", "/memory/classes/heap/released:bytes"}

func startMemPeak() *memPeak {
	m := &memPeak{}
	s := make([]metrics.Sample, len(memNames))
	for i, n := range memNames {
		s[i].Name = n
	}
	read := func() {
		metrics.Read(s)
		m.Objects = max(m.Objects, s[0].Value.Uint64())
		m.Live = max(m.Live, s[1].Value.Uint64())
		m.Held = max(m.Held, s[2].Value.Uint64()-s[3].Value.Uint64())
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	m.stop = func() { close(done); wg.Wait(); read() }
	return m
}

// memoryPlan is a page OFA plan (plan.OFAQuick, plan.OFAThorough) with
// one round per phase and no re-measurement: memory depends on the
// networks held, not on how often they run.
func memoryPlan(p plan.Plan) plan.Plan {
	p.Effort.LabelledRounds, p.Effort.ValidationRounds, p.Effort.MaxRetries = 1, 1, 0
	return p
}

var (
	ofaQuickMemory    = memoryPlan(plan.OFAQuick)
	ofaThoroughMemory = memoryPlan(plan.OFAThorough)
)

// ofaProfile runs an OFA profile by the page's plan pl (one instance of
// each network) natively with networks from build, and returns the peak
// memory.
func ofaProfile(tb testing.TB, build func(space.Arch) measure.Item, pl plan.Plan) *memPeak {
	tb.Helper()
	m, err := weights.Model("ofa")
	if err != nil {
		tb.Fatal(err)
	}
	at, err := weights.Atlas("ofa")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := session.New(session.Config{Space: ofa.Space{}, Model: m, Atlas: at, Build: build})
	if err != nil {
		tb.Fatal(err)
	}
	debug.FreeOSMemory() // what an earlier profile left is not this one's
	peak := startMemPeak()
	_, err = s.Profile(context.Background(), session.Request{
		Preset: "quick", Support: pl.Support, Validation: pl.Validation, Seed: 1,
		Options: func(string) measure.Options { return measure.Quick() },
		Effort:  &pl.Effort,
		Runtime: measure.Runtime{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(), ClockResolutionNS: 1},
	})
	peak.stop()
	if err != nil {
		tb.Fatal(err)
	}
	return peak
}

func registryBuild(tb testing.TB) func(space.Arch) measure.Item {
	e, err := registry.Lookup("ofa")
	if err != nil {
		tb.Fatal(err)
	}
	return func(a space.Arch) measure.Item { return e.Item(a, 1) }
}

// apartBuild builds every network on its own (engine.NewOFA), as the
// page did before engine.OFABuilder.
func apartBuild(a space.Arch) measure.Item {
	return measure.ItemFunc(engine.NewOFA(a.(ofa.Arch), 1).Forward)
}

// TestOFAProfileMemory bounds the peak memory of the page's OFA profiles
// (the quick plan holds 22 networks through its labelled phase and 12
// through validation, the thorough one 32 and 22). Built apart the quick
// sequence peaks at 1.5 GB of heap objects (BenchmarkOFAProfileMemory).
func TestOFAProfileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 34 and 54 OFA networks")
	}
	for _, tc := range []struct {
		name  string
		plan  plan.Plan
		limit float64 // MB the runtime may hold at its peak
	}{
		// 184 MB live: 137 MB of distinct blocks, the 14 MB head, 22
		// inputs and one set of buffers; the rest is the collector's
		// headroom.
		{"quick", ofaQuickMemory, 400},
		{"thorough", ofaThoroughMemory, 500}, // 2375 MB built apart
	} {
		p := ofaProfile(t, registryBuild(t), tc.plan)
		t.Logf("%s: peak heap objects %.0f MB, live %.0f MB, held %.0f MB", tc.name, float64(p.Objects)/1e6, float64(p.Live)/1e6, float64(p.Held)/1e6)
		if float64(p.Held)/1e6 > tc.limit {
			t.Errorf("%s: the runtime held %.0f MB at its peak, want at most %.0f MB", tc.name, float64(p.Held)/1e6, tc.limit)
		}
	}
}

// BenchmarkOFAProfileMemory runs the page's OFA profiles natively with
// networks built apart and from the registry's shared builder, and
// reports each one's peak memory and the ratio, in the same run. The
// quick plan runs with its real rounds (8 labelled, 6 validation), the
// thorough one with one round per phase.
func BenchmarkOFAProfileMemory(b *testing.B) {
	quick := plan.OFAQuick
	quick.Effort.MaxRetries = 0
	for _, pl := range []struct {
		name string
		plan plan.Plan
	}{{"quick", quick}, {"thorough", ofaThoroughMemory}} {
		b.Run(pl.name, func(b *testing.B) {
			for range b.N {
				apart := ofaProfile(b, apartBuild, pl.plan)
				shared := ofaProfile(b, registryBuild(b), pl.plan)
				b.ReportMetric(float64(apart.Objects)/1e6, "apart-objects-MB")
				b.ReportMetric(float64(apart.Held)/1e6, "apart-held-MB")
				b.ReportMetric(float64(shared.Objects)/1e6, "shared-objects-MB")
				b.ReportMetric(float64(shared.Held)/1e6, "shared-held-MB")
				b.ReportMetric(float64(shared.Held)/float64(apart.Held), "held-ratio")
			}
		})
	}
}

// BenchmarkOFASharedTiming times the quick profile's 22 labelled networks
// three ways, in turn (apart, shared, alone, apart, ...: drift hits all
// three): built apart and timed interleaved, as the page did before
// engine.OFABuilder; built from one builder and timed interleaved, as it
// does now; and alone, each network built, warmed up and timed by
// itself, as a deployed network runs inference after inference. It
// reports, over the networks, the median and the most extreme ratio of
// a network's time (the median over the repetitions) shared to apart and
// each to alone, and the Spearman of the shared and apart orders.
func BenchmarkOFASharedTiming(b *testing.B) {
	at, err := weights.Atlas("ofa")
	if err != nil {
		b.Fatal(err)
	}
	d, err := draw.Draw(ofa.Space{}, at, 10, 0, 1)
	if err != nil {
		b.Fatal(err)
	}
	var archs []space.Arch
	for _, s := range append(append([]string{}, at.Reference...), at.Anchors.Fastest, at.Anchors.Slowest) {
		archs = append(archs, ofa.MustParse(s))
	}
	archs = append(archs, d.Support...)
	reps, _ := strconv.Atoi(os.Getenv("HELPWASM_OFA_TIMING_REPS"))
	if reps <= 0 {
		reps = 3
	}
	opts := func(seed uint64) measure.Options {
		o := measure.Quick()
		o.Warmup, o.Rounds, o.MinSamples, o.Seed = 0, 4, 4, seed
		return o
	}
	for range b.N {
		bld := engine.NewOFABuilder()
		sets := [2][]measure.Item{}
		for _, a := range archs {
			sets[0] = append(sets[0], apartBuild(a))
			sets[1] = append(sets[1], measure.ItemFunc(bld.New(a.(ofa.Arch), 1).Forward))
		}
		const apart, shared, alone = 0, 1, 2
		var ms [3][][]float64
		for k := range ms {
			ms[k] = make([][]float64, len(archs))
		}
		for rep := range reps {
			for k := range 2 {
				rs, err := measure.Measure(context.Background(), sets[k], opts(uint64(rep)))
				if err != nil {
					b.Fatal(err)
				}
				for i, r := range rs {
					ms[k][i] = append(ms[k][i], r.MS)
				}
			}
			for i, a := range archs {
				o := opts(uint64(rep))
				o.Warmup = 1
				rs, err := measure.Measure(context.Background(), []measure.Item{apartBuild(a)}, o)
				if err != nil {
					b.Fatal(err)
				}
				ms[alone][i] = append(ms[alone][i], rs[0].MS)
			}
		}
		var t [3][]float64
		for i := range archs {
			for k := range t {
				t[k] = append(t[k], median(ms[k][i]))
			}
			b.Logf("%s: apart %.1f ms, shared %.1f ms, alone %.1f ms", archs[i], t[apart][i], t[shared][i], t[alone][i])
		}
		for _, c := range []struct {
			name string
			x, y int
		}{{"shared/apart", shared, apart}, {"shared/alone", shared, alone}, {"apart/alone", apart, alone}} {
			var ratios []float64
			worst := 1.0
			for i := range archs {
				r := t[c.x][i] / t[c.y][i]
				ratios = append(ratios, r)
				if math.Abs(r-1) > math.Abs(worst-1) {
					worst = r
				}
			}
			b.ReportMetric(median(ratios), c.name+"-median")
			b.ReportMetric(worst, c.name+"-worst")
		}
		b.ReportMetric(rank.Spearman(t[shared], t[apart]), "spearman-shared-apart")
		b.ReportMetric(rank.Spearman(t[shared], t[alone]), "spearman-shared-alone")
		b.ReportMetric(rank.Spearman(t[apart], t[alone]), "spearman-apart-alone")
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	return (s[(n-1)/2] + s[n/2]) / 2
}
