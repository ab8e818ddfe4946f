package session_test

import (
	"context"
	"testing"

	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// gpuNet counts its runs and whether it was closed, like a GPU network
// whose buffers must be freed.
type gpuNet struct {
	runs   int
	closed bool
}

func (n *gpuNet) Run()         { n.runs++ }
func (n *gpuNet) Close() error { n.closed = true; return nil }

// TestOn: a session On another engine times that engine's networks (and
// only those), closes them once timed, and shares the bulk plan.
func TestOn(t *testing.T) {
	cpu := newSession(t)
	var built []*gpuNet
	gpu := cpu.On(func(space.Arch) measure.Item {
		n := &gpuNet{}
		built = append(built, n)
		return n
	}, 1)
	opts := measure.Quick()
	opts.Resolution = 1000 // ns: calibration stops at MaxInner for a run that costs nothing
	opts.MaxInner = 3
	a := nasbench201.FromIndex(123)
	if _, err := gpu.TimeOne(context.Background(), nil, a, opts); err != nil {
		t.Fatal(err)
	}
	if len(built) != 1 {
		t.Fatalf("the GPU session of one instance built %d networks, want 1", len(built))
	}
	for i, n := range built {
		if n.runs == 0 || !n.closed {
			t.Errorf("network %d: %d runs, closed %v; want runs and closed", i, n.runs, n.closed)
		}
	}
	// The CPU session still builds with its own engine.
	before := len(built)
	if _, err := cpu.TimeOne(context.Background(), nil, a, opts); err != nil {
		t.Fatal(err)
	}
	if len(built) != before {
		t.Errorf("the CPU session built %d GPU networks", len(built)-before)
	}
	two := cpu.On(func(space.Arch) measure.Item { n := &gpuNet{}; built = append(built, n); return n }, 0)
	if _, err := two.TimeOne(context.Background(), nil, a, opts); err != nil {
		t.Fatal(err)
	}
	if n := len(built) - before; n != plan.Instances {
		t.Errorf("On(build, 0) built %d copies, want plan.Instances = %d", n, plan.Instances)
	}
	if did, err := cpu.Prepare(); err != nil || !did {
		t.Fatalf("cpu.Prepare() = %v, %v; want true, nil", did, err)
	}
	if did, err := gpu.Prepare(); err != nil || did {
		t.Errorf("gpu.Prepare() after cpu.Prepare() = %v, %v; want false (shared), nil", did, err)
	}
	if gpu.Size() != cpu.Size() || gpu.Size() != 15625 {
		t.Errorf("sizes %d and %d, want 15625", gpu.Size(), cpu.Size())
	}
}
