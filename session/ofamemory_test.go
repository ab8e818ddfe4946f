package session_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/measure"
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

// ofaQuickProfile runs the page's quick OFA profile (10 support and 10
// validation networks, one instance, no warm-up; state.OFAQuick) natively
// with networks from build, with the given rounds per phase, and returns
// the peak memory.
func ofaQuickProfile(tb testing.TB, build func(space.Arch) measure.Item, labelledRounds, validationRounds int) *memPeak {
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
	runtime.GC()
	peak := startMemPeak()
	_, err = s.Profile(context.Background(), session.Request{
		Preset: "quick", Support: 10, Validation: 10, Seed: 1,
		Options: func(phase string) measure.Options {
			o := measure.Quick()
			o.Warmup, o.Rounds = 0, validationRounds
			if phase == session.PhaseLabelled {
				o.Rounds = labelledRounds
			}
			o.MinSamples = min(o.MinSamples, o.Rounds)
			return o
		},
		LabelledRounds: labelledRounds, Instances: 1,
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

func TestOFAQuickProfileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 34 OFA networks")
	}
	p := ofaQuickProfile(t, registryBuild(t), 1, 1)
	t.Logf("peak: heap objects %.0f MB, live %.0f MB, held %.0f MB", float64(p.Objects)/1e6, float64(p.Live)/1e6, float64(p.Held)/1e6)
}
