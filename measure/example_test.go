package measure_test

import (
	"context"
	"fmt"
	"time"

	"github.com/helpwasm/helpwasm/measure"
)

// stepClock is a deterministic clock for the example: it only moves when
// an item runs.
type stepClock struct{ now time.Duration }

func (c *stepClock) Now() time.Duration { return c.now }

// costs is an item that takes a fixed time on a stepClock.
type costs struct {
	clock *stepClock
	d     time.Duration
}

func (c costs) Run() { c.clock.now += c.d }

func ExampleMeasure() {
	clock := &stepClock{}
	items := []measure.Item{
		costs{clock, 12 * time.Millisecond},
		costs{clock, 500 * time.Microsecond}, // repeated 5x per sample to reach 2 ms
	}
	opts := measure.Quick()
	opts.Clock, opts.Resolution = clock, time.Microsecond
	opts.Seed = 1
	results, err := measure.Measure(context.Background(), items, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range results {
		fmt.Printf("item %d: %.3f ms, spread %.2f, %d samples of %d runs, stable %v\n",
			i, r.MS, r.Spread, len(r.Samples), r.Inner, r.Stable)
	}
	// Output:
	// item 0: 12.000 ms, spread 0.00, 6 samples of 1 runs, stable true
	// item 1: 0.500 ms, spread 0.00, 6 samples of 5 runs, stable true
}
