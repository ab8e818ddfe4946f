// Command replay replays the page's quick profile offline on timings from
// experiments/timepool, to compare ways of drawing the support and
// validation architectures, and compares repeated timings of the same
// architectures under each statistic.
//
//	replay [-stat 1] [-trials 200] timings.json
//
// draws, for each trial, 10 support and 20 validation architectures from
// the timed pool architectures (uniformly, or one per equal-count FLOPs
// stratum), adapts the shipped predictor to the reference, anchor and
// support timings as the page does, and prints HELP's validation Spearman
// (mean, 10th percentile, how many trials fall below 0.85) and FLOPs'. It
// also prints HELP's Spearman over all timed architectures but the support.
//
//	replay -agree a.json b.json [c.json ...]
//
// prints, for the fastest sample, the lower quartile and the median, the
// Spearman between every pair of runs over the architectures they share.
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/weights"
)

var statNames = [3]string{"fastest", "lower quartile", "median"}

func main() {
	stat := flag.Int("stat", 1, "statistic: 0 fastest, 1 lower quartile, 2 median")
	trials := flag.Int("trials", 200, "draws per strategy")
	agree := flag.Bool("agree", false, "compare repeated timings instead of replaying")
	flag.Parse()
	var err error
	switch {
	case *stat < 0 || *stat > 2:
		err = fmt.Errorf("-stat %d: want 0, 1 or 2", *stat)
	case *agree:
		err = runAgree(flag.Args())
	case flag.NArg() != 1:
		err = fmt.Errorf("want one timings file, got %d", flag.NArg())
	default:
		err = runReplay(flag.Arg(0), *stat, *trials)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
}

func readTimings(path string) (map[string][3]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t map[string][3]float64
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func runAgree(paths []string) error {
	if len(paths) < 2 {
		return fmt.Errorf("-agree wants at least two timings files")
	}
	runs := make([]map[string][3]float64, len(paths))
	for i, p := range paths {
		var err error
		if runs[i], err = readTimings(p); err != nil {
			return err
		}
	}
	for s, name := range statNames {
		var rhos []string
		for i := range runs {
			for j := i + 1; j < len(runs); j++ {
				var x, y []float64
				for arch, t := range runs[i] {
					if u, ok := runs[j][arch]; ok {
						x, y = append(x, t[s]), append(y, u[s])
					}
				}
				rhos = append(rhos, fmt.Sprintf("%.4f", rank.Spearman(x, y)))
			}
		}
		fmt.Printf("%-15s pairwise Spearman %s\n", name, strings.Join(rhos, " "))
	}
	return nil
}

func runReplay(path string, stat, trials int) error {
	timings, err := readTimings(path)
	if err != nil {
		return err
	}
	m, err := weights.Model("nasbench201")
	if err != nil {
		return err
	}
	at, err := weights.Atlas("nasbench201")
	if err != nil {
		return err
	}
	order, err := nasbench201.ParseTypeOrder(m.Meta.Encoding)
	if err != nil {
		return err
	}
	ms := func(arch string) float64 { return timings[arch][stat] }
	timing := func(arch string) (measure.Timing, error) {
		if _, ok := timings[arch]; !ok {
			return measure.Timing{}, fmt.Errorf("%s has no timing of %s", path, arch)
		}
		return measure.Timing{Arch: arch, MS: ms(arch)}, nil
	}
	p := &measure.Profile{}
	fixed := map[string]bool{}
	for _, a := range append(slices.Clone(at.Reference), at.Anchors.Fastest, at.Anchors.Slowest) {
		t, err := timing(a)
		if err != nil {
			return err
		}
		if len(p.Reference) < len(at.Reference) {
			p.Reference = append(p.Reference, t)
		}
		fixed[a] = true
	}
	p.Anchors.Fastest, _ = timing(at.Anchors.Fastest)
	p.Anchors.Slowest, _ = timing(at.Anchors.Slowest)

	type candidate struct {
		arch  string
		x     []float64
		flops int64
	}
	var cands []candidate
	for arch := range timings {
		if fixed[arch] {
			continue
		}
		a, err := nasbench201.Parse(arch)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		cands = append(cands, candidate{arch, nasbench201.Encode(nil, a, order), nasbench201.FLOPs(a)})
	}
	// By FLOPs, then by string, so the strata do not depend on map order.
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.flops, b.flops), cmp.Compare(a.arch, b.arch))
	})
	if len(cands) < 30 {
		return fmt.Errorf("%s: %d timed pool architectures, want at least 30", path, len(cands))
	}

	type drawFunc func(r *rand.Rand, n int, taken []bool) []int
	uniform := func(r *rand.Rand, n int, taken []bool) []int {
		var out []int
		for _, i := range r.Perm(len(cands)) {
			if len(out) < n && !taken[i] {
				taken[i] = true
				out = append(out, i)
			}
		}
		return out
	}
	stratified := func(r *rand.Rand, n int, taken []bool) []int {
		var out []int
		for k := range n {
			lo, hi := len(cands)*k/n, len(cands)*(k+1)/n
			for range 100 {
				if i := lo + r.IntN(hi-lo); !taken[i] {
					taken[i] = true
					out = append(out, i)
					break
				}
			}
		}
		return out
	}
	norm, emb := p.Scale(), latency.Embedding(nil, p.ReferenceMS())
	adapt := func(sup []int, seed uint64) (*predictor.Adapted, error) {
		var xs [][]float64
		var ys []float64
		for _, i := range sup {
			xs, ys = append(xs, cands[i].x), append(ys, norm.Normalise(ms(cands[i].arch)))
		}
		return m.Adapt(emb, xs, ys, predictor.AdaptOptions{Seed: seed})
	}
	score := func(ad *predictor.Adapted, idx []int) (help, flops float64) {
		var xs [][]float64
		var y, f []float64
		for _, i := range idx {
			xs, y, f = append(xs, cands[i].x), append(y, ms(cands[i].arch)), append(f, float64(cands[i].flops))
		}
		return rank.Spearman(ad.PredictTo(nil, xs), y), rank.Spearman(f, y)
	}

	fmt.Printf("%s, %s of each architecture's samples, %d timed pool architectures, %d trials\n", path, statNames[stat], len(cands), trials)
	var whole float64
	for tr := range trials {
		taken := make([]bool, len(cands))
		ad, err := adapt(uniform(rand.New(rand.NewPCG(uint64(tr), 77)), 10, taken), uint64(tr))
		if err != nil {
			return err
		}
		var rest []int
		for i := range cands {
			if !taken[i] {
				rest = append(rest, i)
			}
		}
		h, _ := score(ad, rest)
		whole += h / float64(trials)
	}
	fmt.Printf("%-32s HELP mean %.3f\n", "all but the support", whole)
	for _, st := range []struct {
		name     string
		sup, val drawFunc
	}{
		{"uniform support, uniform val", uniform, uniform},
		{"strat. support, uniform val", stratified, uniform},
		{"uniform support, strat. val", uniform, stratified},
		{"strat. support, strat. val", stratified, stratified},
	} {
		var helps []float64
		var flopsSum float64
		below := 0
		for tr := range trials {
			r := rand.New(rand.NewPCG(uint64(tr), 77))
			taken := make([]bool, len(cands))
			val := st.val(r, 20, taken)
			ad, err := adapt(st.sup(r, 10, taken), uint64(tr))
			if err != nil {
				return err
			}
			h, f := score(ad, val)
			helps = append(helps, h)
			flopsSum += f
			if h < 0.85 {
				below++
			}
		}
		slices.Sort(helps)
		var sum float64
		for _, h := range helps {
			sum += h
		}
		fmt.Printf("%-32s HELP mean %.3f  p10 %.3f  below 0.85 %3d/%d  FLOPs mean %.3f\n",
			st.name, sum/float64(trials), helps[trials/10], below, trials, flopsSum/float64(trials))
	}
	return nil
}
