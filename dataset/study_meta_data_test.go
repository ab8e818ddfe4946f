package dataset

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/rank"
)

// TestStudyMeta (HELPWASM_STUDY=seeds, STUDY_ONLY, STUDY_SEED0 as for
// TestStudy; META_SEEDS simulated draws per known device, default 3)
// scores meta-selection: before a target is fitted, every rule of
// metaRules is run on each known device as if it were the target (HELP's
// protocol on its own table: the reference networks and a support draw
// of its training pool labelled, the other known devices its basis),
// scored by Spearman on that device's query pool, and the target gets
// the rule that scored best on the known devices, averaged over all of
// them or over a subset chosen from what the target's labelled points
// show (its resolution, its reference latencies). Only known devices'
// tables and the target's labelled points choose; the target's query
// latencies only score.
func TestStudyMeta(t *testing.T) {
	seeds, _ := strconv.Atoi(os.Getenv("HELPWASM_STUDY"))
	if seeds == 0 {
		t.Skip("set HELPWASM_STUDY=seeds")
	}
	only := os.Getenv("STUDY_ONLY")
	seed0, _ := strconv.ParseUint(os.Getenv("STUDY_SEED0"), 10, 64)
	simSeeds := 3
	if s, err := strconv.Atoi(os.Getenv("META_SEEDS")); err == nil {
		simSeeds = s
	}
	rules := metaRules()
	studyLean = map[string]bool{"Shuber": true, "Sh±": true, "Bq": true}
	defer func() { studyLean = nil }()
	schemes := []string{"all", "res", "near3", "res+near3"}
	datas := map[string]*Data{}
	feats := map[string][][]float64{}
	var ws rank.Workspace
	for _, st := range studySettings() {
		if only != "" && !strings.Contains(","+only+",", ","+st.name+",") {
			continue
		}
		d := datas[st.space]
		if d == nil {
			d = loadStudy(t, st.space)
			datas[st.space] = d
			feats[st.space] = d.ScaledFeatures()
		}
		f := feats[st.space]
		test := st.test
		if st.lodo {
			test = d.Table.Devices()
		} else if test == nil {
			test = d.Proto.Split.MetaTest
		}
		support := SupportRows
		if st.design {
			support = Design(d, func(pool, prior [][]float64, n int) ([]int, error) {
				return draw.DOptimal(pool, prior, n, draw.DefaultRidge)
			})
		}
		knownOf := func(target string) []string {
			known := st.known
			switch {
			case st.lodo:
				known = d.Table.Devices()
			case known == nil:
				known = d.Proto.Split.MetaTrain
			}
			return slices.DeleteFunc(slices.Clone(known), func(n string) bool { return n == target })
		}
		// sim[k|basis] = each rule's mean Spearman on known device k.
		sim := map[string][]float64{}
		simulate := func(k string, basis []string) []float64 {
			key := k + "|" + strings.Join(basis, ",")
			if v, ok := sim[key]; ok {
				return v
			}
			dev, err := d.Device(k)
			if err != nil {
				t.Fatal(err)
			}
			truth := pick(dev.Latency, dev.Query)
			v := make([]float64, len(rules))
			for s := range simSeeds {
				sup, err := support(dev, st.samples, uint64(1000+s))
				if err != nil {
					t.Fatal(err)
				}
				labelled := slices.Concat(d.Table.ReferenceRows(), sup)
				ms := pick(dev.Latency, labelled)
				cs, err := studyCandidates(d, f, basis, labelled, dev.Query, ms)
				if err != nil {
					t.Fatal(err)
				}
				tk := studyTask{dev: k, truth: truth, ms: ms, cands: cs}
				for ri, r := range rules {
					pred, _, err := r.f(tk)
					if err != nil {
						t.Fatalf("simulating %s on %s: %v", r.name, k, err)
					}
					v[ri] += ws.Spearman(pred, truth) / float64(simSeeds)
				}
			}
			sim[key] = v
			return v
		}
		nr := len(rules)
		sp := make([][]float64, nr+len(schemes)) // [rule or scheme][device]
		chosen := make([]map[string]int, len(schemes))
		for k := range sp {
			sp[k] = make([]float64, len(test))
		}
		for k := range chosen {
			chosen[k] = map[string]int{}
		}
		var simLog strings.Builder
		for di, name := range test {
			dev, err := d.Device(name)
			if err != nil {
				t.Fatal(err)
			}
			known := knownOf(name)
			// Each known device simulated with the others as its basis.
			scores := map[string][]float64{}
			for _, k := range known {
				basis := slices.DeleteFunc(slices.Clone(known), func(n string) bool { return n == k })
				scores[k] = simulate(k, basis)
			}
			if di == 0 || st.lodo {
				if !st.lodo || di == 0 {
					for _, k := range known {
						fmt.Fprintf(&simLog, "  sim %-14s", k)
						for ri := range rules {
							fmt.Fprintf(&simLog, " %s %.3f", rules[ri].name, scores[k][ri])
						}
						fmt.Fprintf(&simLog, "\n")
					}
				}
			}
			// Known devices by reference-latency similarity to the target.
			byNear := slices.Clone(known)
			sims := map[string]float64{}
			refRows := d.Table.ReferenceRows()
			for _, k := range known {
				sims[k] = atlas.Pearson(dev.Reference, pick(d.Table.Latency(k), refRows))
			}
			slices.SortFunc(byNear, func(a, b string) int { return -cmpF(sims[a], sims[b]) })
			truth := pick(dev.Latency, dev.Query)
			for seed := seed0; seed < seed0+uint64(seeds); seed++ {
				sup, err := support(dev, st.samples, seed)
				if err != nil {
					t.Fatal(err)
				}
				labelled := slices.Concat(d.Table.ReferenceRows(), sup)
				ms := pick(dev.Latency, labelled)
				cs, err := studyCandidates(d, f, known, labelled, dev.Query, ms)
				if err != nil {
					t.Fatal(err)
				}
				tk := studyTask{dev: name, truth: truth, ms: ms, cands: cs}
				preds := make([][]float64, nr)
				for ri, r := range rules {
					p, _, err := r.f(tk)
					if err != nil {
						t.Fatal(err)
					}
					preds[ri] = p
					sp[ri][di] += ws.Spearman(p, truth) / float64(seeds)
				}
				whole := wholeMS(ms)
				sameRes := slices.DeleteFunc(slices.Clone(known), func(k string) bool { return wholeMS(d.Table.Latency(k)) != whole })
				if len(sameRes) == 0 {
					sameRes = known
				}
				near := func(from []string, m int) []string {
					out := slices.DeleteFunc(slices.Clone(byNear), func(k string) bool { return !slices.Contains(from, k) })
					return out[:min(m, len(out))]
				}
				for si, sc := range schemes {
					var set []string
					switch sc {
					case "all":
						set = known
					case "res":
						set = sameRes
					case "near3":
						set = near(known, 3)
					case "res+near3":
						set = near(sameRes, 3)
					}
					best, bi := math.Inf(-1), 0
					for ri := range rules {
						m := 0.0
						for _, k := range set {
							m += scores[k][ri] / float64(len(set))
						}
						if m > best {
							best, bi = m, ri
						}
					}
					chosen[si][rules[bi].name]++
					sp[nr+si][di] += ws.Spearman(preds[bi], truth) / float64(seeds)
				}
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%-18s", "rule")
		for _, n := range test {
			fmt.Fprintf(&b, " %7.7s", n)
		}
		fmt.Fprintf(&b, "   mean\n")
		row := func(name string, v []float64, extra string) {
			fmt.Fprintf(&b, "%-18s", name)
			m := 0.0
			for _, x := range v {
				fmt.Fprintf(&b, " %7.3f", x)
				m += x / float64(len(v))
			}
			fmt.Fprintf(&b, " %6.4f %s\n", m, extra)
		}
		for ri, r := range rules {
			row(r.name, sp[ri], "")
		}
		for si, sc := range schemes {
			row("meta:"+sc, sp[nr+si], fmt.Sprint(chosen[si]))
		}
		t.Logf("%s, %d seeds from %d (%d simulated draws per known device):\n%s%s", st.name, seeds, seed0, simSeeds, b.String(), simLog.String())
	}
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// metaRules are the rules meta-selection chooses among (env META_RULES
// keeps a ;-separated subset). Suite's auto is scheme "all" over
// META_RULES='Stack(Sh,Bq);Stack(Sh,Bq,Nq);W.3(Sh,Bq,Nq)' with
// META_SEEDS=5 (docs/RESULTS.md §20; the full set let F5's GPUs choose
// basis-only rules, and P(Sh,Sh±) cost pixel2 on seeds 10-29).
func metaRules() []studyRule {
	rs := []studyRule{
		modeRule("Stack(Sh,Bq)", blend.Stack, "Shuber", "Bq"),
		modeRule("Stack(Sh,Bq,Nq)", blend.Stack, "Shuber", "Bq", "Nq"),
		modeRule("Stack(Sh,Nq)", blend.Stack, "Shuber", "Nq"),
		candRule("Bq"),
		avgRule("Avg(Bq,Nq)", "Bq", "Nq"),
		preferRule("P(Sh,Sh±)", "Shuber", "Sh±"),
		withinRule("W.3(Sh,Bq,Nq)", 0.3, "Shuber", "Bq", "Nq"),
	}
	if keep := os.Getenv("META_RULES"); keep != "" {
		rs = slices.DeleteFunc(rs, func(r studyRule) bool { return !slices.Contains(strings.Split(keep, ";"), r.name) })
	}
	return rs
}
