// Command timepool times the reference and anchor architectures and n
// architectures of the atlas pool with the quick measurement protocol
// (wall clock), and writes each one's fastest, lower-quartile and median
// sample as JSON: {"<arch>": [min, q1, median], ...} (ms).
//
// It is the input of experiments/replay. Build it natively, or for
// WebAssembly and run it under Node:
//
//	go run ./experiments/timepool -n 90 -seed 1 > native.json
//	GOOS=js GOARCH=wasm go build -o timepool.wasm ./experiments/timepool
//	node "$(go env GOROOT)/lib/wasm/wasm_exec_node.js" timepool.wasm -n 90 -seed 1 > wasm.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/internal/orderstat"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/weights"
)

// batch is how many architectures one measure.Measure call times: the
// page's largest phase (20 validation networks, two instances each) is of
// this order, and all networks of a call are alive at once.
const batch = 30

func main() {
	n := flag.Int("n", 90, "pool architectures to time")
	seed := flag.Uint64("seed", 1, "which pool architectures")
	flag.Parse()
	if err := run(*n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "timepool:", err)
		os.Exit(1)
	}
}

// alternating runs two instances of a network in turn, as the profiles do.
type alternating struct {
	nets [2]*engine.Network
	next int
}

func (a *alternating) Run() {
	a.nets[a.next].Forward()
	a.next ^= 1
}

func run(n int, seed uint64) error {
	at, err := weights.Atlas("nasbench201")
	if err != nil {
		return err
	}
	if n < 0 || n > len(at.PoolArchs) {
		return fmt.Errorf("-n %d: the pool has %d architectures", n, len(at.PoolArchs))
	}
	archs := append(slices.Clone(at.Reference), at.Anchors.Fastest, at.Anchors.Slowest)
	r := rand.New(rand.NewPCG(seed, 9))
	for _, i := range r.Perm(len(at.PoolArchs))[:n] {
		archs = append(archs, at.PoolArchs[i])
	}
	out := map[string][3]float64{}
	for lo := 0; lo < len(archs); lo += batch {
		part := archs[lo:min(lo+batch, len(archs))]
		items := make([]measure.Item, len(part))
		for i, s := range part {
			a, err := nasbench201.Parse(s)
			if err != nil {
				return err
			}
			items[i] = &alternating{nets: [2]*engine.Network{engine.New(a, 1), engine.New(a, 1)}}
		}
		res, err := measure.Measure(context.Background(), items, measure.Quick())
		if err != nil {
			return err
		}
		for i, s := range part {
			xs := res[i].Samples
			out[s] = [3]float64{orderstat.Quantile(xs, 0), orderstat.Quantile(xs, 0.25), orderstat.Quantile(xs, 0.5)}
		}
		items = nil
		runtime.GC() // the next batch's networks need the memory
		fmt.Fprintf(os.Stderr, "\rtimed %d/%d", lo+len(part), len(archs))
	}
	fmt.Fprintln(os.Stderr)
	return json.NewEncoder(os.Stdout).Encode(out)
}
