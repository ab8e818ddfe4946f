package opcost_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// The study (HELPWASM_STUDY=seeds go test ./opcost/ -run Study -v)
// measures candidate predictors and selection rules on the same draws.

// cset is one task's candidates: name, LOO on the labelled points and
// predictions on the query pool, all in ms.
type cset struct {
	names []string
	cands []blend.Candidate
}

func (c *cset) add(name string, loo, pred []float64) {
	c.names = append(c.names, name)
	c.cands = append(c.cands, blend.Candidate{Name: name, LOO: loo, Pred: pred})
}

func (c *cset) get(name string) blend.Candidate {
	i := slices.Index(c.names, name)
	if i < 0 {
		panic("no candidate " + name)
	}
	return c.cands[i]
}

func expAll(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Exp(x)
	}
	return out
}

// studyCands fits every candidate on one task.
func studyCands(d *nbTables, tk task) (*cset, error) {
	cs := &cset{}
	lab, qry := pick(d.feat, tk.labelled), pick(d.feat, tk.dev.Query)
	sc := nasbench201.FeatureScale()
	fit := func(name string, xs, qs [][]float64, y []float64, o opcost.Options, log bool) (*opcost.Model, error) {
		m, err := opcost.Fit(xs, y, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if log {
			cs.add(name, expAll(m.LOO), expAll(m.PredictTo(nil, qs)))
		} else {
			cs.add(name, m.LOO, m.PredictTo(nil, qs))
		}
		return m, nil
	}
	s, err := fit("S", lab, qry, tk.ms, opcost.Options{Scale: sc}, false)
	if err != nil {
		return nil, err
	}
	// Relative-error fit: weights 1/y^2 (mean 1).
	w := make([]float64, len(tk.ms))
	mw := 0.0
	for i, y := range tk.ms {
		w[i] = 1 / (y * y)
		mw += w[i] / float64(len(w))
	}
	for i := range w {
		w[i] /= mw
	}
	if _, err := fit("Srel", lab, qry, tk.ms, opcost.Options{Scale: sc, Weights: w}, false); err != nil {
		return nil, err
	}
	// Huber IRLS from the plain fit's residuals (3 rounds; LOO with the
	// final weights fixed).
	hw := make([]float64, len(tk.ms))
	res := make([]float64, len(tk.ms))
	for i, x := range lab {
		res[i] = tk.ms[i] - s.Predict(x)
	}
	for range 3 {
		ab := make([]float64, len(res))
		for i, r := range res {
			ab[i] = math.Abs(r)
		}
		slices.Sort(ab)
		c := 1.345 * max(ab[len(ab)/2]/0.6745, 1e-9)
		for i, r := range res {
			hw[i] = min(1, c/max(math.Abs(r), 1e-12))
		}
		m, err := opcost.Fit(lab, tk.ms, opcost.Options{Scale: sc, Weights: hw})
		if err != nil {
			return nil, err
		}
		for i, x := range lab {
			res[i] = tk.ms[i] - m.Predict(x)
		}
	}
	if _, err := fit("Shuber", lab, qry, tk.ms, opcost.Options{Scale: sc, Weights: hw}, false); err != nil {
		return nil, err
	}
	logy := make([]float64, len(tk.ms))
	for i, y := range tk.ms {
		logy[i] = math.Log(y)
	}
	if _, err := fit("Slog", lab, qry, logy, opcost.Options{Scale: sc, Loss: opcost.Squared}, true); err != nil {
		return nil, err
	}
	if _, err := fit("S0", lab, qry, tk.ms, opcost.Options{Scale: sc, Lambdas: []float64{0}}, false); err != nil {
		return nil, err
	}
	if _, err := fit("B", pick(d.basis, tk.labelled), pick(d.basis, tk.dev.Query), tk.ms, opcost.Options{Scale: d.basisScale}, false); err != nil {
		return nil, err
	}
	bx, bs := both(d)
	if _, err := fit("S+B", pick(bx, tk.labelled), pick(bx, tk.dev.Query), tk.ms, opcost.Options{Scale: bs}, false); err != nil {
		return nil, err
	}
	fl, err := candidate("F", d.flops, []float64{220.12}, tk)
	if err != nil {
		return nil, err
	}
	cs.add("F", fl.LOO, fl.Pred)
	// Nearest device by LOO of its calibration, then structural + it.
	nj, best := -1, math.Inf(1)
	for j := range d.proto.Split.MetaTrain {
		col := make([][]float64, len(tk.labelled))
		for i, r := range tk.labelled {
			col[i] = d.basis[r][j : j+1]
		}
		m, err := opcost.Fit(col, tk.ms, opcost.Options{Scale: d.basisScale[j : j+1], Lambdas: []float64{0}})
		if err != nil {
			return nil, err
		}
		if m.LOOLoss < best {
			nj, best = j, m.LOOLoss
		}
	}
	col := func(rows []int) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			out[i] = d.basis[r][nj : nj+1]
		}
		return out
	}
	if _, err := fit("N", col(tk.labelled), col(tk.dev.Query), tk.ms, opcost.Options{Scale: d.basisScale[nj : nj+1], Lambdas: []float64{0}}, false); err != nil {
		return nil, err
	}
	sn := func(rows []int) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			out[i] = append(append(make([]float64, 0, 8), d.feat[r]...), d.basis[r][nj])
		}
		return out
	}
	if _, err := fit("S+N", sn(tk.labelled), sn(tk.dev.Query), tk.ms, opcost.Options{Scale: append(slices.Clone(sc), d.basisScale[nj])}, false); err != nil {
		return nil, err
	}
	// Signed dead-edge features: a dead edge may cost more or less than
	// a live one (the ridge shrinks toward "the same").
	pm := func(rows []int) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			f := d.feat[r]
			out[i] = append(slices.Clone(f), -f[4], -f[5], -f[6])
		}
		return out
	}
	pms := append(slices.Clone(sc), 3, 3, 3)
	if _, err := fit("S±", pm(tk.labelled), pm(tk.dev.Query), tk.ms, opcost.Options{Scale: pms}, false); err != nil {
		return nil, err
	}
	if _, err := fit("S±ridge", pm(tk.labelled), pm(tk.dev.Query), tk.ms, opcost.Options{Scale: pms, Lambdas: []float64{0.01, 0.1, 1}}, false); err != nil {
		return nil, err
	}
	return cs, nil
}

// rule turns one task's candidates into query predictions.
type rule struct {
	name string
	f    func(ms []float64, cs *cset) ([]float64, string)
}

func relErr(pred, y []float64) []float64 {
	e := make([]float64, len(y))
	for i := range y {
		d := (pred[i] - y[i]) / y[i]
		e[i] = d * d
	}
	return e
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// calib is a + b*loo fitted by NNLS on the labelled points, with its
// exact LOO; it returns the calibrated LOO and query predictions.
func calib(ms []float64, c blend.Candidate) (loo, pred []float64, loss float64) {
	m, err := opcost.Fit(column(c.LOO), ms, opcost.Options{Scale: []float64{max(1e-9, slices.Max(c.LOO))}, Lambdas: []float64{0}})
	if err != nil {
		panic(err)
	}
	pred = make([]float64, len(c.Pred))
	for i, v := range c.Pred {
		pred[i] = m.Predict([]float64{v})
	}
	return m.LOO, pred, m.LOOLoss
}

func column(v []float64) [][]float64 {
	xs := make([][]float64, len(v))
	for i := range v {
		xs[i] = v[i : i+1]
	}
	return xs
}

func only(name string) rule {
	return rule{name, func(_ []float64, cs *cset) ([]float64, string) { return cs.get(name).Pred, name }}
}

func combineRule(name string, mode blend.Mode, names ...string) rule {
	return rule{name, func(ms []float64, cs *cset) ([]float64, string) {
		var cands []blend.Candidate
		for _, n := range names {
			cands = append(cands, cs.get(n))
		}
		b, err := blend.Combine(ms, cands, blend.Options{Mode: mode})
		if err != nil {
			panic(err)
		}
		return b.PredictTo(nil, cands), b.Method
	}}
}

// marginRule keeps prior unless another candidate's calibrated LOO
// relative loss is below (1-margin) times the prior's.
func marginRule(name, prior string, margin float64, names ...string) rule {
	return rule{name, func(ms []float64, cs *cset) ([]float64, string) {
		_, pp, pl := calib(ms, cs.get(prior))
		best, bestL, bestP := prior, pl*(1-margin), pp
		for _, n := range names {
			_, p, l := calib(ms, cs.get(n))
			if l < bestL {
				best, bestL, bestP = n, l, p
			}
		}
		return bestP, best
	}}
}

// oneSERule keeps prior unless another candidate's per-point relative
// squared LOO errors are lower on average by more than se standard
// errors of the paired difference.
func oneSERule(name, prior string, se float64, names ...string) rule {
	return rule{name, func(ms []float64, cs *cset) ([]float64, string) {
		pl, pp, _ := calib(ms, cs.get(prior))
		pe := relErr(pl, ms)
		best, bestP, bestZ := prior, pp, se
		for _, n := range names {
			l, p, _ := calib(ms, cs.get(n))
			e := relErr(l, ms)
			dd := make([]float64, len(e))
			for i := range e {
				dd[i] = pe[i] - e[i]
			}
			m := meanOf(dd)
			v := 0.0
			for _, x := range dd {
				v += (x - m) * (x - m)
			}
			sd := math.Sqrt(v / float64(len(dd)-1) / float64(len(dd)))
			if z := m / max(sd, 1e-300); z > bestZ {
				best, bestP, bestZ = n, p, z
			}
		}
		return bestP, best
	}}
}

// spearmanSelect picks the candidate whose LOO predictions rank the
// labelled points best (prior on ties or within margin).
func spearmanSelect(name, prior string, margin float64, names ...string) rule {
	return rule{name, func(ms []float64, cs *cset) ([]float64, string) {
		var ws rank.Workspace
		best := prior
		bestS := ws.Spearman(cs.get(prior).LOO, ms) + margin
		for _, n := range names {
			if s := ws.Spearman(cs.get(n).LOO, ms); s > bestS {
				best, bestS = n, s
			}
		}
		return cs.get(best).Pred, best
	}}
}

// bmaRule averages calibrated candidates with weights proportional to
// loss^(-n*temp/2) (a Gaussian likelihood of the LOO relative errors).
func bmaRule(name string, temp float64, names ...string) rule {
	return rule{name, func(ms []float64, cs *cset) ([]float64, string) {
		n := float64(len(ms))
		var preds [][]float64
		var lw []float64
		for _, nm := range names {
			_, p, l := calib(ms, cs.get(nm))
			preds = append(preds, p)
			lw = append(lw, -n*temp/2*math.Log(l))
		}
		mx := slices.Max(lw)
		tot := 0.0
		for i := range lw {
			lw[i] = math.Exp(lw[i] - mx)
			tot += lw[i]
		}
		out := make([]float64, len(preds[0]))
		top := 0
		for k, p := range preds {
			if lw[k] > lw[top] {
				top = k
			}
			for i, v := range p {
				out[i] += lw[k] / tot * v
			}
		}
		return out, names[top]
	}}
}

// pairRule mixes the calibrated prior and the best other candidate,
// w*prior + (1-w)*other, w on a grid chosen by the LOO relative loss,
// with w = 1 unless the mix wins by margin.
func pairRule(name, prior string, margin float64, names ...string) rule {
	return rule{name, func(ms []float64, cs *cset) ([]float64, string) {
		pl, pp, ploss := calib(ms, cs.get(prior))
		bestL, bestW, bestO := ploss*(1-margin), 1.0, ""
		var bestOP []float64
		for _, nm := range names {
			ol, op, _ := calib(ms, cs.get(nm))
			mix := make([]float64, len(ms))
			for w := 0.0; w < 0.999; w += 0.1 {
				for i := range ms {
					mix[i] = w*pl[i] + (1-w)*ol[i]
				}
				if l := meanOf(relErr(mix, ms)); l < bestL {
					bestL, bestW, bestO, bestOP = l, w, nm, op
				}
			}
		}
		if bestO == "" {
			return pp, prior
		}
		out := make([]float64, len(pp))
		for i := range pp {
			out[i] = bestW*pp[i] + (1-bestW)*bestOP[i]
		}
		return out, bestO
	}}
}

// oracleRule picks, per task, the candidate that ranks the query pool
// best: an upper bound on any selection rule.
func oracleRule(truth func() []float64, names ...string) rule {
	return rule{"oracle select", func(_ []float64, cs *cset) ([]float64, string) {
		var ws rank.Workspace
		best, bs := "", -2.0
		for _, n := range names {
			if s := ws.Spearman(cs.get(n).Pred, truth()); s > bs {
				best, bs = n, s
			}
		}
		return cs.get(best).Pred, best
	}}
}

func TestStudy(t *testing.T) {
	seeds, _ := strconv.Atoi(os.Getenv("HELPWASM_STUDY"))
	if seeds == 0 {
		t.Skip("set HELPWASM_STUDY=<seeds> to run the selection study")
	}
	d := loadNB(t)
	var truth []float64
	others := []string{"B", "N", "F", "S+B", "S+N", "Slog", "Srel", "Shuber", "S±", "S±ridge"}
	all := append([]string{"S"}, others...)
	rules := []rule{}
	for _, n := range all {
		rules = append(rules, only(n))
	}
	rules = append(rules,
		only("S0"),
		marginRule("S± margin .2 (S)", "S±", 0.2, "S"),
		marginRule("S margin .2 (S±)", "S", 0.2, "S±"),
		marginRule("S margin .1 (S±)", "S", 0.1, "S±"),
		marginRule("S margin 0 (S±)", "S", 0, "S±"),
		oneSERule("S 1SE (S±)", "S", 1, "S±"),
		marginRule("S margin .3 (S±,B,S+B)", "S", 0.3, "S±", "B", "S+B"),
		marginRule("S margin .5 (all)", "S", 0.5, others...),
		combineRule("blend select (old 4)", blend.Select, "S", "B", "F", "N"),
		combineRule("blend stack (old 4)", blend.Stack, "S", "B", "F", "N"),
		combineRule("blend auto (old 4)", blend.Auto, "S", "B", "F", "N"),
		combineRule("blend auto (all)", blend.Auto, all...),
		marginRule("margin 0 (all)", "S", 0, others...),
		marginRule("margin .1 (all)", "S", 0.1, others...),
		marginRule("margin .2 (all)", "S", 0.2, others...),
		marginRule("margin .3 (all)", "S", 0.3, others...),
		marginRule("margin .5 (all)", "S", 0.5, others...),
		marginRule("margin .2 (B,N,S+N,S+B)", "S", 0.2, "B", "N", "S+N", "S+B"),
		marginRule("margin .3 (B,N,S+N,S+B)", "S", 0.3, "B", "N", "S+N", "S+B"),
		marginRule("margin .2 (S-variants)", "S", 0.2, "Slog", "Srel", "Shuber", "S+N"),
		oneSERule("1SE (all)", "S", 1, others...),
		oneSERule("2SE (all)", "S", 2, others...),
		oneSERule("1SE (B,N,S+N,S+B)", "S", 1, "B", "N", "S+N", "S+B"),
		spearmanSelect("LOO spearman (all)", "S", 0, others...),
		spearmanSelect("LOO spearman +.01", "S", 0.01, others...),
		bmaRule("BMA t=1 (all)", 1, all...),
		bmaRule("BMA t=.5 (all)", 0.5, all...),
		bmaRule("BMA t=1 (S,B,N,S+N)", 1, "S", "B", "N", "S+N"),
		pairRule("pair mix (all)", "S", 0, others...),
		pairRule("pair mix m.1 (all)", "S", 0.1, others...),
		pairRule("pair mix m.1 (B,N)", "S", 0.1, "B", "N"),
		oracleRule(func() []float64 { return truth }, all...),
	)
	for _, samples := range []int{10, 5, 20} {
		for _, sr := range []struct {
			name string
			rule supportRule
		}{{"random", randomSupport}, {"D-optimal", dOptimalSupport}} {
			devices := d.proto.Split.MetaTest
			sp := make([][][]float64, len(rules)) // [rule][device][seed]
			chosen := make([]map[string]int, len(rules))
			for k := range sp {
				sp[k] = make([][]float64, len(devices))
				chosen[k] = map[string]int{}
			}
			var ws rank.Workspace
			for di, device := range devices {
				for seed := range seeds {
					tk := d.taskN(t, device, seed, sr.rule, samples)
					truth = tk.truth
					cs, err := studyCands(d, tk)
					if err != nil {
						t.Fatal(err)
					}
					for k, r := range rules {
						pred, ch := r.f(tk.ms, cs)
						chosen[k][ch]++
						sp[k][di] = append(sp[k][di], ws.Spearman(pred, tk.truth))
					}
				}
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%-26s", "rule")
			for _, dev := range devices {
				fmt.Fprintf(&b, " %8.8s", dev)
			}
			fmt.Fprintf(&b, " %6s %6s  chosen\n", "mean", "±se")
			for k, r := range rules {
				fmt.Fprintf(&b, "%-26s", r.name)
				perSeed := make([]float64, seeds)
				mean := 0.0
				for di := range devices {
					m := meanOf(sp[k][di])
					fmt.Fprintf(&b, " %8.3f", m)
					mean += m / float64(len(devices))
					for s, v := range sp[k][di] {
						perSeed[s] += v / float64(len(devices))
					}
				}
				v := 0.0
				for _, x := range perSeed {
					v += (x - mean) * (x - mean)
				}
				se := math.Sqrt(v / float64(max(seeds-1, 1)) / float64(seeds))
				fmt.Fprintf(&b, " %6.4f %6.4f  %v\n", mean, se, topChosen(chosen[k]))
			}
			t.Logf("%s support, %d samples, %d seeds:\n%s", sr.name, samples, seeds, b.String())
		}
	}
}

func topChosen(m map[string]int) string {
	if len(m) <= 1 {
		return ""
	}
	type kv struct {
		k string
		v int
	}
	var s []kv
	for k, v := range m {
		s = append(s, kv{k, v})
	}
	slices.SortFunc(s, func(a, b kv) int { return b.v - a.v })
	var parts []string
	for _, e := range s {
		parts = append(parts, fmt.Sprintf("%s:%d", e.k, e.v))
	}
	return strings.Join(parts, " ")
}
