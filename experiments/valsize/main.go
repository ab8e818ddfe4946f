// Command valsize asks how many validation networks a quick profile needs
// to tell the op-cost model from FLOPs on our engine, where both rank
// networks near Spearman 0.99.
//
// For each exported page profile it fits the op-cost model to the
// profile's 22 labelled timings (reference, anchors, support), as the
// page does, plainly and robustly (blend.OpCostRobust), and ranks the
// networks of two timepool runs (each network's fastest sample, the
// faster of the two runs) that the profile did not label: that is how
// well the fit ranks networks in general. Then it draws validation sets of
// n of those networks (FLOPs-stratified as package draw does, or
// uniformly), adds Gaussian noise to their timings as a quick profile's
// validation phase would, and counts how often the fit's Spearman is at
// least FLOPs's.
//
//	go run ./experiments/valsize -a experiments/data/wasm300-a.json -b experiments/data/wasm300-b.json experiments/data/page14/page-nasbench201-*.json
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func main() {
	fa := flag.String("a", "", "timepool output, first run")
	fb := flag.String("b", "", "timepool output, second run of the same networks")
	trials := flag.Int("trials", 400, "validation draws per setting")
	flag.Parse()
	if err := run(*fa, *fb, *trials, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "valsize:", err)
		os.Exit(1)
	}
}

// network is one network of the timepool runs.
type network struct {
	arch  string
	feat  []float64
	flops float64
	ms    float64 // the faster run's fastest sample
}

func run(fa, fb string, trials int, profiles []string) error {
	a, err := readPool(fa)
	if err != nil {
		return err
	}
	b, err := readPool(fb)
	if err != nil {
		return err
	}
	var pool []network
	var x, y [3][]float64
	for arch, s := range a {
		t, ok := b[arch]
		if !ok {
			continue
		}
		for i := range 3 {
			x[i], y[i] = append(x[i], s[i]), append(y[i], t[i])
		}
		ar, err := nasbench201.Parse(arch)
		if err != nil {
			return fmt.Errorf("%s: %w", fa, err)
		}
		pool = append(pool, network{arch, nasbench201.Features(nil, ar), float64(nasbench201.FLOPs(ar)), min(s[0], t[0])})
	}
	// By FLOPs, then by name, so strata do not depend on map order.
	slices.SortFunc(pool, func(p, q network) int { return cmp.Or(cmp.Compare(p.flops, q.flops), cmp.Compare(p.arch, q.arch)) })
	fmt.Printf("%d networks in both runs; the runs agree at Spearman %.4f (fastest), %.4f (lower quartile), %.4f (median)\n\n",
		len(pool), rank.Spearman(x[0], y[0]), rank.Spearman(x[1], y[1]), rank.Spearman(x[2], y[2]))

	for _, f := range profiles {
		p, err := measure.ReadFile(f)
		if err != nil {
			return err
		}
		lab := append(slices.Clone(p.Reference), p.Anchors.Fastest, p.Anchors.Slowest)
		lab = append(lab, p.Support...)
		var xs [][]float64
		var ms []float64
		seen := map[string]bool{}
		for _, t := range lab {
			ar, err := nasbench201.Parse(t.Arch)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			xs, ms = append(xs, nasbench201.Features(nil, ar)), append(ms, t.MS)
			seen[t.Arch] = true
		}
		plain, err := opcost.Fit(xs, ms, opcost.Options{Scale: nasbench201.FeatureScale()})
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		robust, err := blend.OpCostRobust(xs, ms, nasbench201.FeatureScale())
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		var test []network
		for _, n := range pool {
			if !seen[n.arch] {
				test = append(test, n)
			}
		}
		pp, pr, fl, truth := make([]float64, len(test)), make([]float64, len(test)), make([]float64, len(test)), make([]float64, len(test))
		for i, n := range test {
			pp[i], fl[i], truth[i] = plain.Predict(n.feat), n.flops, n.ms
		}
		feats := make([][]float64, len(test))
		for i, n := range test {
			feats[i] = n.feat
		}
		robust.PredictTo(pr, feats)
		fmt.Printf("%s: on %d networks it did not label, op-cost %.4f (robust %.4f), FLOPs %.4f\n", filepath.Base(f), len(test), rank.Spearman(pp, truth), rank.Spearman(pr, truth), rank.Spearman(fl, truth))
		rng := rand.New(rand.NewPCG(1, 2))
		for _, n := range []int{20, 30, 40, 60} {
			for _, strat := range []bool{true, false} {
				for _, sigma := range []float64{0.01, 0.03} {
					wins := 0
					for range trials {
						idx := drawIdx(rng, len(test), n, strat)
						p, q, t := make([]float64, n), make([]float64, n), make([]float64, n)
						for k, i := range idx {
							p[k], q[k], t[k] = pr[i], fl[i], truth[i]*(1+sigma*rng.NormFloat64())
						}
						if rank.Spearman(p, t) >= rank.Spearman(q, t) {
							wins++
						}
					}
					how := "uniform"
					if strat {
						how = "stratified"
					}
					fmt.Printf("  %2d %-10s noise %.0f%%: robust op-cost >= FLOPs in %3d of %d draws\n", n, how, 100*sigma, wins, trials)
				}
			}
		}
	}
	return nil
}

// drawIdx draws n of m indices, one per equal-count stratum of the
// FLOPs-sorted order (as package draw) or uniformly without replacement.
func drawIdx(r *rand.Rand, m, n int, stratified bool) []int {
	if !stratified {
		return r.Perm(m)[:n]
	}
	idx := make([]int, n)
	for k := range n {
		lo, hi := m*k/n, m*(k+1)/n
		idx[k] = lo + r.IntN(hi-lo)
	}
	return idx
}

func readPool(path string) (map[string][]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string][]float64
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for a, s := range m {
		if len(s) != 3 {
			return nil, fmt.Errorf("%s: %s has %d values, want 3 (fastest, lower quartile, median)", path, a, len(s))
		}
	}
	return m, nil
}
