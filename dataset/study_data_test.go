package dataset

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/blend"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// The study (HELPWASM_STUDY=seeds go test ./dataset/ -run TestStudy -v)
// scores candidate predictors and rules for auto on the draws eval uses
// (SupportRows / Design, seeds 0..seeds-1) for every evaluation setting of
// issue 8: NB201 meta-test (random, design), leave-one-device-out, FBNet's
// standard split and NASFLAT's F1-F5 at 20 samples.

type studySetting struct {
	name    string
	space   string
	samples int
	design  bool
	lodo    bool
	known   []string // nil: the split's meta-train devices
	test    []string // nil: the split's meta-test devices
}

var nasflat = []struct{ name, train, test string }{
	{"F1", "2080ti_1,essential_ph_1,silver_4114,titan_rtx_1,titan_rtx_32", "eyeriss,fpga,raspi4,samsung_a50,samsung_s7"},
	{"F2", "essential_ph_1,gold_6226,gold_6240,pixel3,raspi4", "1080ti_1,1080ti_32,2080ti_32,titan_rtx_1,titanxp_1"},
	{"F3", "essential_ph_1,pixel2,pixel3,raspi4,samsung_s7", "1080ti_1,1080ti_32,2080ti_1,titan_rtx_1,titan_rtx_32"},
	{"F4", "1080ti_64,2080ti_1,eyeriss,gold_6226,gold_6240,raspi4,samsung_s7,silver_4210r,titan_rtx_1,titan_rtx_32", "1080ti_1,pixel2,essential_ph_1"},
	{"F5", "1080ti_1,1080ti_32,1080ti_64,2080ti_1,2080ti_32,2080ti_64,titan_rtx_1,titan_rtx_32,titan_rtx_64,titanx_1,titanx_32,titanx_64,titanxp_1,titanxp_32,titanxp_64", "gold_6226,essential_ph_1,samsung_s7,pixel2"},
}

func studySettings() []studySetting {
	out := []studySetting{
		{name: "nb201.10.random", space: "nasbench201", samples: 10},
		{name: "nb201.10.design", space: "nasbench201", samples: 10, design: true},
		{name: "lodo", space: "nasbench201", samples: 10, lodo: true},
		{name: "fbnet.10", space: "fbnet", samples: 10},
	}
	for _, f := range nasflat {
		out = append(out, studySetting{name: f.name, space: "fbnet", samples: 20, known: strings.Split(f.train, ","), test: strings.Split(f.test, ",")})
	}
	return out
}

// studyTask is one (device, seed) with its labelled points and candidates.
type studyTask struct {
	dev   string
	truth []float64
	ms    []float64
	cands map[string]blend.Candidate
}

func loadStudy(t *testing.T, name string) *Data {
	dir := shareddata.Dir(t)
	var sp space.Space = nasbench201.Space{}
	if name == "fbnet" {
		sp = fbnet.Space{}
	}
	enc, err := sp.Encoder("")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir, sp, enc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// huberWeights returns IRLS Huber weights (3 rounds from the plain fit).
func huberWeights(xs [][]float64, ms []float64, o opcost.Options) ([]float64, error) {
	m, err := opcost.Fit(xs, ms, o)
	if err != nil {
		return nil, err
	}
	res := make([]float64, len(ms))
	w := make([]float64, len(ms))
	for range 3 {
		for i, x := range xs {
			res[i] = ms[i] - m.Predict(x)
		}
		ab := make([]float64, len(res))
		for i, r := range res {
			ab[i] = math.Abs(r)
		}
		slices.Sort(ab)
		c := 1.345 * max(ab[len(ab)/2]/0.6745, 1e-9)
		for i, r := range res {
			w[i] = min(1, c/max(math.Abs(r), 1e-12))
		}
		o.Weights = w
		if m, err = opcost.Fit(xs, ms, o); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func studyCandidates(d *Data, feats [][]float64, known []string, labelled, query []int, ms []float64) (map[string]blend.Candidate, error) {
	cs := map[string]blend.Candidate{}
	fit := func(name string, xs func([]int) [][]float64, o opcost.Options) error {
		if studyLean != nil && !studyLean[name] {
			return nil
		}
		m, err := opcost.Fit(xs(labelled), ms, o)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		cs[name] = blend.Candidate{Name: name, LOO: m.LOO, Pred: m.PredictTo(nil, xs(query))}
		return nil
	}
	sx := func(rows []int) [][]float64 { return rowsOf(feats, rows) }
	fx := func(rows []int) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			out[i] = []float64{float64(d.Space.FLOPs(d.Archs[r]))}
		}
		return out
	}
	if err := fit("F", fx, opcost.Options{Lambdas: []float64{0}, Scale: []float64{1e8}}); err != nil {
		return nil, err
	}
	cols := make([][]float64, len(known))
	for j, n := range known {
		c := d.Table.Latency(n)
		s := slices.Max(c)
		cols[j] = make([]float64, len(c))
		for r, v := range c {
			cols[j][r] = v / s
		}
	}
	bx := func(rows []int) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			out[i] = make([]float64, len(cols))
			for j := range cols {
				out[i][j] = cols[j][r]
			}
		}
		return out
	}
	sbx := func(rows []int) [][]float64 {
		a, b := sx(rows), bx(rows)
		out := make([][]float64, len(rows))
		for i := range rows {
			out[i] = slices.Concat(a[i], b[i])
		}
		return out
	}
	for _, c := range []struct {
		name string
		xs   func([]int) [][]float64
		o    opcost.Options
	}{
		{"S", sx, opcost.Options{}},
		{"S±", sx, opcost.Options{Signed: true}},
		{"B", bx, opcost.Options{}},
		{"SB", sbx, opcost.Options{}},
		{"SB±", sbx, opcost.Options{Signed: true}},
	} {
		if len(known) == 0 && c.name != "S" && c.name != "S±" {
			continue
		}
		if err := fit(c.name, c.xs, c.o); err != nil {
			return nil, err
		}
	}
	huber := func(name string, xs func([]int) [][]float64, o opcost.Options) error {
		if studyLean != nil && !studyLean[name] {
			return nil
		}
		hw, err := huberWeights(xs(labelled), ms, o)
		if err != nil {
			return err
		}
		o.Weights = hw
		return fit(name, xs, o)
	}
	if err := huber("Shuber", sx, opcost.Options{}); err != nil {
		return nil, err
	}
	if err := huber("Sh±", sx, opcost.Options{Signed: true}); err != nil {
		return nil, err
	}
	l10 := []float64{0, 0.01, 0.1, 1, 10}
	if err := fit("S:L10", sx, opcost.Options{Lambdas: l10}); err != nil {
		return nil, err
	}
	if len(known) > 0 {
		if err := huber("SBhuber", sbx, opcost.Options{}); err != nil {
			return nil, err
		}
		if err := huber("Bhuber", bx, opcost.Options{}); err != nil {
			return nil, err
		}
		if err := fit("B:L10", bx, opcost.Options{Lambdas: l10}); err != nil {
			return nil, err
		}
		if err := fit("SB:L10", sbx, opcost.Options{Lambdas: l10}); err != nil {
			return nil, err
		}
		// nearest: the known column whose calibration has the smallest LOO loss.
		nj, best := -1, math.Inf(1)
		for j := range cols {
			cx := func(rows []int) [][]float64 {
				out := make([][]float64, len(rows))
				for i, r := range rows {
					out[i] = []float64{cols[j][r]}
				}
				return out
			}
			m, err := opcost.Fit(cx(labelled), ms, opcost.Options{Lambdas: []float64{0}})
			if err != nil {
				return nil, err
			}
			if m.LOOLoss < best {
				nj, best = j, m.LOOLoss
			}
		}
		sn := func(rows []int) [][]float64 {
			a := sx(rows)
			out := make([][]float64, len(rows))
			for i, r := range rows {
				out[i] = append(slices.Clone(a[i]), cols[nj][r])
			}
			return out
		}
		if err := fit("SN", sn, opcost.Options{}); err != nil {
			return nil, err
		}
		nx := func(rows []int) [][]float64 {
			out := make([][]float64, len(rows))
			for i, r := range rows {
				out[i] = []float64{cols[nj][r]}
			}
			return out
		}
		if err := fit("N", nx, opcost.Options{Lambdas: []float64{0}}); err != nil {
			return nil, err
		}
		// Bs: each known column smoothed by the op-cost model fitted to
		// all of that device's rows.
		scols := smoothCols(d, feats, known)
		bsx := func(rows []int) [][]float64 {
			out := make([][]float64, len(rows))
			for i, r := range rows {
				out[i] = make([]float64, len(scols))
				for j := range scols {
					out[i][j] = scols[j][r]
				}
			}
			return out
		}
		if err := fit("Bs", bsx, opcost.Options{}); err != nil {
			return nil, err
		}
		sbsx := func(rows []int) [][]float64 {
			a, b := sx(rows), bsx(rows)
			out := make([][]float64, len(rows))
			for i := range rows {
				out[i] = slices.Concat(a[i], b[i])
			}
			return out
		}
		if err := fit("SBs", sbsx, opcost.Options{}); err != nil {
			return nil, err
		}
		// Bq: B with each whole-ms known column replaced by its smoothing.
		qcols := slices.Clone(cols)
		for j, n := range known {
			if wholeMS(d.Table.Latency(n)) {
				qcols[j] = scols[j]
			}
		}
		bqx := func(rows []int) [][]float64 {
			out := make([][]float64, len(rows))
			for i, r := range rows {
				out[i] = make([]float64, len(qcols))
				for j := range qcols {
					out[i][j] = qcols[j][r]
				}
			}
			return out
		}
		if err := fit("Bq", bqx, opcost.Options{}); err != nil {
			return nil, err
		}
		sbqx := func(rows []int) [][]float64 {
			a, b := sx(rows), bqx(rows)
			out := make([][]float64, len(rows))
			for i := range rows {
				out[i] = slices.Concat(a[i], b[i])
			}
			return out
		}
		if err := fit("SBq", sbqx, opcost.Options{}); err != nil {
			return nil, err
		}
		// Nq: the one Bq column whose calibration (a + b*col) has the
		// smallest leave-one-out loss.
		qj, qbest := -1, math.Inf(1)
		var qm *opcost.Model
		for j := range qcols {
			cx := func(rows []int) [][]float64 {
				out := make([][]float64, len(rows))
				for i, r := range rows {
					out[i] = []float64{qcols[j][r]}
				}
				return out
			}
			m, err := opcost.Fit(cx(labelled), ms, opcost.Options{Lambdas: []float64{0}})
			if err != nil {
				return nil, err
			}
			if m.LOOLoss < qbest {
				qj, qbest, qm = j, m.LOOLoss, m
			}
		}
		nqx := func(rows []int) [][]float64 {
			out := make([][]float64, len(rows))
			for i, r := range rows {
				out[i] = []float64{qcols[qj][r]}
			}
			return out
		}
		cs["Nq"] = blend.Candidate{Name: "Nq", LOO: qm.LOO, Pred: qm.PredictTo(nil, nqx(query))}
		// SBq×c: a coefficient-space prior: the op-cost features' costs
		// as the deviation from the combination of known devices (the
		// smoothed columns are each device's op-cost model), the
		// features' ridge c^2 times the basis' (Scale c on them).
		for _, c := range []float64{3, 10} {
			sc := make([]float64, len(feats[0])+len(qcols))
			for j := range sc {
				sc[j] = 1
				if j < len(feats[0]) {
					sc[j] = c
				}
			}
			if err := fit(fmt.Sprintf("SBq×%g", c), sbqx, opcost.Options{Scale: sc, Lambdas: l10}); err != nil {
				return nil, err
			}
		}
		if err := fit("Bq:L10", bqx, opcost.Options{Lambdas: l10}); err != nil {
			return nil, err
		}
		if err := huber("Bqh", bqx, opcost.Options{}); err != nil {
			return nil, err
		}
		if err := huber("SBqh", sbqx, opcost.Options{}); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// studyLean, if not nil, limits studyCandidates' fits to these names
// (TestStudyMeta's simulations need only a few).
var studyLean map[string]bool

type studyRule struct {
	name string
	f    func(tk studyTask) ([]float64, string, error)
}

func preferRule(name string, names ...string) studyRule {
	return marginRule(name, 0, names...)
}

func marginRule(name string, margin float64, names ...string) studyRule {
	return studyRule{name, func(tk studyTask) ([]float64, string, error) {
		var cs []blend.Candidate
		for _, n := range names {
			if c, ok := tk.cands[n]; ok {
				cs = append(cs, c)
			}
		}
		b, err := blend.Combine(tk.ms, cs, blend.Options{Mode: blend.Prefer, Margin: margin})
		if err != nil {
			return nil, "", err
		}
		return b.PredictTo(nil, cs), b.Method, nil
	}}
}

func modeRule(name string, mode blend.Mode, names ...string) studyRule {
	return studyRule{name, func(tk studyTask) ([]float64, string, error) {
		var cs []blend.Candidate
		for _, n := range names {
			if c, ok := tk.cands[n]; ok {
				cs = append(cs, c)
			}
		}
		b, err := blend.Combine(tk.ms, cs, blend.Options{Mode: mode})
		if err != nil {
			return nil, "", err
		}
		return b.PredictTo(nil, cs), b.Method, nil
	}}
}

// avgRule is the mean of the named candidates, each calibrated to ms on
// its LOO predictions (a + b*pred).
func avgRule(name string, names ...string) studyRule {
	return studyRule{name, func(tk studyTask) ([]float64, string, error) {
		var out []float64
		k := 0
		for _, n := range names {
			c, ok := tk.cands[n]
			if !ok {
				continue
			}
			b, err := blend.Combine(tk.ms, []blend.Candidate{c}, blend.Options{Mode: blend.Select})
			if err != nil {
				return nil, "", err
			}
			p := b.PredictTo(nil, []blend.Candidate{c})
			if out == nil {
				out = make([]float64, len(p))
			}
			for i, v := range p {
				out[i] += v
			}
			k++
		}
		return out, name, nil
	}}
}

// nestRule combines the outputs of inner rules (each a blend with its own
// LOO) by mode.
func nestRule(name string, o blend.Options, inner ...[]string) studyRule {
	return studyRule{name, func(tk studyTask) ([]float64, string, error) {
		var outer []blend.Candidate
		for _, in := range inner {
			mode := blend.Prefer
			if in[0] == "stack" {
				mode = blend.Stack
			}
			var cs []blend.Candidate
			for _, n := range in[1:] {
				if c, ok := tk.cands[n]; ok {
					cs = append(cs, c)
				}
			}
			b, err := blend.Combine(tk.ms, cs, blend.Options{Mode: mode})
			if err != nil {
				return nil, "", err
			}
			outer = append(outer, blend.Candidate{Name: strings.Join(in, " "), LOO: b.LOO, Pred: b.PredictTo(nil, cs)})
		}
		b, err := blend.Combine(tk.ms, outer, o)
		if err != nil {
			return nil, "", err
		}
		return b.PredictTo(nil, outer), b.Method, nil
	}}
}

func candRule(n string) studyRule {
	return studyRule{n, func(tk studyTask) ([]float64, string, error) {
		c, ok := tk.cands[n]
		if !ok {
			c = tk.cands["S"]
		}
		return c.Pred, n, nil
	}}
}

func TestStudy(t *testing.T) {
	seeds, _ := strconv.Atoi(os.Getenv("HELPWASM_STUDY"))
	if seeds == 0 {
		t.Skip("set HELPWASM_STUDY=seeds")
	}
	only := os.Getenv("STUDY_ONLY")
	seed0, _ := strconv.ParseUint(os.Getenv("STUDY_SEED0"), 10, 64)
	rules := []studyRule{
		candRule("S"), candRule("S±"), candRule("B"), candRule("SB"), candRule("SB±"), candRule("Shuber"), candRule("SBhuber"),
		preferRule("cur=P(S,S±)", "S", "S±"),
		preferRule("P(S,S±,SB)", "S", "S±", "SB"),
		preferRule("P(S,S±,SB,SB±)", "S", "S±", "SB", "SB±"),
		preferRule("P(SB,S,S±)", "SB", "S", "S±"),
		preferRule("P(SB,SB±,S,S±)", "SB", "SB±", "S", "S±"),
		modeRule("Sel(S,SB)", blend.Select, "S", "SB"),
		modeRule("Sel(S,S±,SB)", blend.Select, "S", "S±", "SB"),
		modeRule("Auto(S,S±,SB)", blend.Auto, "S", "S±", "SB"),
		modeRule("Stack(S,SB)", blend.Stack, "S", "SB"),
		candRule("Sh±"), candRule("S:L10"), candRule("Bhuber"), candRule("B:L10"), candRule("SB:L10"), candRule("SN"),
		preferRule("P(Sh,Sh±)", "Shuber", "Sh±"),
		preferRule("P(S,S±,Sh)", "S", "S±", "Shuber"),
		preferRule("P(S,S±,B)", "S", "S±", "B"),
		modeRule("Sel(S,B)", blend.Select, "S", "B"),
		modeRule("Stack(S,B)", blend.Stack, "S", "B"),
		modeRule("Stack(S,S±,B)", blend.Stack, "S", "S±", "B"),
		modeRule("Stack(Sh,B)", blend.Stack, "Shuber", "B"),
		candRule("F"), candRule("N"), candRule("Bs"), candRule("SBs"),
		avgRule("Avg(S,B)", "S", "B"),
		avgRule("Avg(S,Bs)", "S", "Bs"),
		avgRule("Avg(S,B,N)", "S", "B", "N"),
		avgRule("Avg(S,B,SB)", "S", "B", "SB"),
		avgRule("Avg(Sh,Sh±,B)", "Shuber", "Sh±", "B"),
		modeRule("Stack(S,Bs)", blend.Stack, "S", "Bs"),
		modeRule("Stack(Sh,B,Bs)", blend.Stack, "Shuber", "B", "Bs"),
		candRule("Bq"), candRule("SBq"),
		preferRule("P(Sh,Sh±,Bq)", "Shuber", "Sh±", "Bq"),
		candRule("Bqh"), candRule("SBqh"),
		preferRule("P(Bq,Sh,Sh±)", "Bq", "Shuber", "Sh±"),
		preferRule("P(Bq,Sh)", "Bq", "Shuber"),
		preferRule("P(SBq,Sh,Sh±)", "SBq", "Shuber", "Sh±"),
		preferRule("P(Bqh,Sh,Sh±)", "Bqh", "Shuber", "Sh±"),
		withinRule("W.3(Sh,Bqh)", 0.3, "Shuber", "Bqh"),
		withinRule("W.3(Sh,Bq,SBq)", 0.3, "Shuber", "Bq", "SBq"),
		withinRule("W.3(Sh,SBq)", 0.3, "Shuber", "SBq"),
		withinRule("W.2(Sh,Bq,Bs)", 0.2, "Shuber", "Bq", "Bs"),
		withinRule("W.5(Sh,Bq,Bs)", 0.5, "Shuber", "Bq", "Bs"),
		nestRule("N:P(StShBq,PSh)", blend.Options{Mode: blend.Prefer}, []string{"stack", "Shuber", "Bq"}, []string{"prefer", "Shuber", "Sh±"}),
		marginRule("P.1(Sh,Sh±,Bq)", 0.1, "Shuber", "Sh±", "Bq"),
		modeRule("Sel(Sh,Bq)", blend.Select, "Shuber", "Bq"),
		modeRule("Sel(Sh,Sh±,Bq)", blend.Select, "Shuber", "Sh±", "Bq"),
		modeRule("Auto(Sh,Bq)", blend.Auto, "Shuber", "Bq"),
		modeRule("Stack(Sh,Sh±,Bq)", blend.Stack, "Shuber", "Sh±", "Bq"),
		avgRule("Avg(Sh,Bq)", "Shuber", "Bq"),
		withinRule("W.2(Sh,Bq)", 0.2, "Shuber", "Bq"),
		withinRule("W.3(Sh,Bq)", 0.3, "Shuber", "Bq"),
		withinRule("W.5(Sh,Bq)", 0.5, "Shuber", "Bq"),
		withinRule("W.3(Sh,Sh±,Bq)", 0.3, "Shuber", "Sh±", "Bq"),
		nestRule("N:P(PSh,Bq)", blend.Options{Mode: blend.Prefer}, []string{"prefer", "Shuber", "Sh±"}, []string{"prefer", "Bq"}),
		nestRule("N:Sel(PSh,Bq)", blend.Options{Mode: blend.Select}, []string{"prefer", "Shuber", "Sh±"}, []string{"prefer", "Bq"}),
		nestRule("N:Stack(PSh,Bq)", blend.Options{Mode: blend.Stack}, []string{"prefer", "Shuber", "Sh±"}, []string{"prefer", "Bq"}),
		nestRule("N:P(PSh,StShBq)", blend.Options{Mode: blend.Prefer}, []string{"prefer", "Shuber", "Sh±"}, []string{"stack", "Shuber", "Bq"}),
		nestRule("N:P1(PSh,StShBq)", blend.Options{Mode: blend.Prefer, Prior: 1}, []string{"prefer", "Shuber", "Sh±"}, []string{"stack", "Shuber", "Bq"}),
		modeRule("Stack(Sh,Bq)", blend.Stack, "Shuber", "Bq"),
		modeRule("Stack(Sh,Bq,Bs)", blend.Stack, "Shuber", "Bq", "Bs"),
		avgRule("Avg(Bq,Bs)", "Bq", "Bs"),
		withinRule("W.1(Sh,B,Bs)", 0.1, "Shuber", "B", "Bs"),
		withinRule("W.3(Sh,B,Bs)", 0.3, "Shuber", "B", "Bs"),
		withinRule("W.3(Sh,Bq,Bs)", 0.3, "Shuber", "Bq", "Bs"),
		withinRule("W.5(Sh,B,Bs)", 0.5, "Shuber", "B", "Bs"),
		withinRule("W.3(Sh,Sh±,B,Bs)", 0.3, "Shuber", "Sh±", "B", "Bs"),
		withinRule("W1(Sh,B,Bs)", 1, "Shuber", "B", "Bs"),
		nestRule("N:P0(PSh,StShB)", blend.Options{Mode: blend.Prefer}, []string{"prefer", "Shuber", "Sh±"}, []string{"stack", "Shuber", "B"}),
		nestRule("N:P1(PSh,StShB)", blend.Options{Mode: blend.Prefer, Prior: 1}, []string{"prefer", "Shuber", "Sh±"}, []string{"stack", "Shuber", "B"}),
		nestRule("N:Sel(PSh,StShB)", blend.Options{Mode: blend.Select}, []string{"prefer", "Shuber", "Sh±"}, []string{"stack", "Shuber", "B"}),
		nestRule("N:P(StShB,StSh±B)", blend.Options{Mode: blend.Prefer}, []string{"stack", "Shuber", "B"}, []string{"stack", "Sh±", "B"}),
		nestRule("N:Stack(PSh,B)", blend.Options{Mode: blend.Stack}, []string{"prefer", "Shuber", "Sh±"}, []string{"prefer", "B"}),
		nestRule("N:Stack(PSh,B,Bs)", blend.Options{Mode: blend.Stack}, []string{"prefer", "Shuber", "Sh±"}, []string{"prefer", "B"}, []string{"prefer", "Bs"}),
		nestRule("N:Stack(PS,B)", blend.Options{Mode: blend.Stack}, []string{"prefer", "S", "S±"}, []string{"prefer", "B"}),
		modeRule("Stack(S,B,Bs)", blend.Stack, "S", "B", "Bs"),
		modeRule("Stack(Sh,Bs)", blend.Stack, "Shuber", "Bs"),
		modeRule("Stack(B,Bs)", blend.Stack, "B", "Bs"),
		modeRule("Stack(Sh,N,Bs)", blend.Stack, "Shuber", "N", "Bs"),
		modeRule("Stack(Sh,N)", blend.Stack, "Shuber", "N"),
		avgRule("Avg(B,Bs)", "B", "Bs"),
		avgRule("Avg(N,Bs)", "N", "Bs"),
		modeRule("Sel(B,Bs)", blend.Select, "B", "Bs"),
		modeRule("Auto(Sh,B,Bs)", blend.Auto, "Shuber", "B", "Bs"),
		modeRule("Stack(Sh,Sh±,B)", blend.Stack, "Shuber", "Sh±", "B"),
		avgRule("Avg(S,SB)", "S", "SB"),
		avgRule("Avg(S,S±,B)", "S", "S±", "B"),
		candRule("Nq"), candRule("Bq:L10"), candRule("SBq×3"), candRule("SBq×10"),
		modeRule("Stack(Sh,SBq×3)", blend.Stack, "Shuber", "SBq×3"),
		modeRule("Stack(Sh,SBq×10)", blend.Stack, "Shuber", "SBq×10"),
		modeRule("Stack(Sh,Nq)", blend.Stack, "Shuber", "Nq"),
		modeRule("Stack(Sh,Bq,Nq)", blend.Stack, "Shuber", "Bq", "Nq"),
		modeRule("Stack(Bq,Nq)", blend.Stack, "Bq", "Nq"),
		modeRule("Sel(Bq,Nq)", blend.Select, "Bq", "Nq"),
		preferRule("P(Bq,Nq)", "Bq", "Nq"),
		avgRule("Avg(Bq,Nq)", "Bq", "Nq"),
		withinRule("W.3(Sh,Bq,Nq)", 0.3, "Shuber", "Bq", "Nq"),
	}
	if keep := os.Getenv("STUDY_RULES"); keep != "" {
		rules = slices.DeleteFunc(rules, func(r studyRule) bool {
			return !slices.Contains(strings.Split(keep, ";"), r.name)
		})
	}
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
		sp := make([][]float64, len(rules)) // [rule][device]
		chosen := make([]map[string]int, len(rules))
		for k := range sp {
			sp[k] = make([]float64, len(test))
			chosen[k] = map[string]int{}
		}
		oracle := make([]float64, len(test))
		for di, name := range test {
			dev, err := d.Device(name)
			if err != nil {
				t.Fatal(err)
			}
			known := st.known
			switch {
			case st.lodo:
				known = d.Table.Devices()
			case known == nil:
				known = d.Proto.Split.MetaTrain
			}
			known = slices.DeleteFunc(slices.Clone(known), func(n string) bool { return n == name })
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
				best := math.Inf(-1)
				for _, c := range cs {
					best = max(best, ws.Spearman(c.Pred, truth))
				}
				oracle[di] += best / float64(seeds)
				for k, r := range rules {
					pred, ch, err := r.f(tk)
					if err != nil {
						t.Fatalf("%s %s %s seed %d: %v", st.name, r.name, name, seed, err)
					}
					chosen[k][ch]++
					sp[k][di] += ws.Spearman(pred, truth) / float64(seeds)
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
		for k, r := range rules {
			ex := ""
			if !strings.HasPrefix(r.name, "S") && !strings.HasPrefix(r.name, "B") || strings.Contains(r.name, "(") {
				ex = fmt.Sprint(chosen[k])
			}
			row(r.name, sp[k], ex)
		}
		row("oracle(cands)", oracle, "")
		t.Logf("%s, %d seeds from %d:\n%s", st.name, seeds, seed0, b.String())
	}
}

// TestStudyCeiling (HELPWASM_STUDY=1 STUDY_ONLY=F4) fits S, B and SB to
// every non-query row of each test device: the best these feature sets
// can rank the query pool.
func TestStudyCeiling(t *testing.T) {
	if os.Getenv("HELPWASM_STUDY") == "" {
		t.Skip("set HELPWASM_STUDY")
	}
	only := os.Getenv("STUDY_ONLY")
	var ws rank.Workspace
	for _, st := range studySettings() {
		if only != "" && !strings.Contains(","+only+",", ","+st.name+",") {
			continue
		}
		d := loadStudy(t, st.space)
		f := d.ScaledFeatures()
		test := st.test
		if st.lodo {
			test = d.Table.Devices()
		} else if test == nil {
			test = d.Proto.Split.MetaTest
		}
		for _, name := range test {
			dev, _ := d.Device(name)
			known := st.known
			switch {
			case st.lodo:
				known = d.Table.Devices()
			case known == nil:
				known = d.Proto.Split.MetaTrain
			}
			known = slices.DeleteFunc(slices.Clone(known), func(n string) bool { return n == name })
			q := map[int]bool{}
			for _, r := range dev.Query {
				q[r] = true
			}
			var rows []int
			for r := range d.Table.Len() {
				if !q[r] {
					rows = append(rows, r)
				}
			}
			truth := pick(dev.Latency, dev.Query)
			cs, err := studyCandidates(d, f, known, rows, dev.Query, pick(dev.Latency, rows))
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, n := range []string{"S", "S±", "B", "SB", "SB±", "Shuber", "Bq", "SBq", "Bs"} {
				if c, ok := cs[n]; ok {
					parts = append(parts, fmt.Sprintf("%s %.3f", n, ws.Spearman(c.Pred, truth)))
				}
			}
			// Spearman of the truth against itself plus jitter
			// smaller than the resolution: 1 for distinct values.
			t.Logf("%s %-14s query %d distinct %d: %s", st.name, name, len(truth), len(distinct(truth)), strings.Join(parts, "  "))
		}
	}
}

var smoothMemo = map[string][]float64{}

// smoothCols returns each known device's op-cost fit to all its rows,
// divided by its maximum.
func smoothCols(d *Data, feats [][]float64, known []string) [][]float64 {
	out := make([][]float64, len(known))
	for j, n := range known {
		key := d.Space.Name() + "/" + n
		if c, ok := smoothMemo[key]; ok {
			out[j] = c
			continue
		}
		rows := make([]int, d.Table.Len())
		for r := range rows {
			rows[r] = r
		}
		b, w, err := opcost.NNLS(feats, d.Table.Latency(n), 0)
		if err != nil {
			panic(err)
		}
		c := make([]float64, len(feats))
		for r, x := range feats {
			c[r] = b
			for k, v := range x {
				c[r] += w[k] * v
			}
		}
		s := slices.Max(c)
		for r := range c {
			c[r] /= s
		}
		smoothMemo[key] = c
		out[j] = c
	}
	return out
}

// withinRule averages the calibrated candidates whose calibrated LOO loss
// is within a factor 1+m of the best one's.
func withinRule(name string, m float64, names ...string) studyRule {
	return studyRule{name, func(tk studyTask) ([]float64, string, error) {
		var cs []blend.Candidate
		for _, n := range names {
			if c, ok := tk.cands[n]; ok {
				cs = append(cs, c)
			}
		}
		b, err := blend.Combine(tk.ms, cs, blend.Options{Mode: blend.Select})
		if err != nil {
			return nil, "", err
		}
		best := slices.Min(b.Scores)
		var out []float64
		k := 0
		var used []string
		for j, c := range cs {
			if b.Scores[j] > (1+m)*best {
				continue
			}
			bj, err := blend.Combine(tk.ms, []blend.Candidate{c}, blend.Options{Mode: blend.Select})
			if err != nil {
				return nil, "", err
			}
			p := bj.PredictTo(nil, []blend.Candidate{c})
			if out == nil {
				out = make([]float64, len(p))
			}
			for i, v := range p {
				out[i] += v
			}
			k++
			used = append(used, c.Name)
		}
		return out, strings.Join(used, "+"), nil
	}}
}

func distinct(v []float64) map[float64]bool {
	m := map[float64]bool{}
	for _, x := range v {
		m[x] = true
	}
	return m
}
