package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/dataset"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/registry"
	"github.com/helpwasm/helpwasm/weights"
)

// evalMethods are the predictors and baselines eval can score.
var evalMethods = []string{"help", "metasgd", "maml", "flops", "proxy", "structural", "basis", "nearest", "auto"}

// suiteMethods are the methods a dataset.Suite computes (beside help).
var suiteMethods = []string{dataset.MethodStructural, dataset.MethodBasis, dataset.MethodNearest, dataset.MethodAuto}

// evalReport is what eval prints: per device the mean and sample standard
// deviation (n-1) of the scores over seeds, in the order evaluated.
type evalReport struct {
	Space, Method, Weights string
	Samples, Seeds         int
	Devices                []string
	Scores                 map[string]dataset.Scores
}

// meanOver is the mean over devices of each device's mean score, over
// the devices whose score is defined (n of them); NaN if none is.
func (r *evalReport) meanOver(pick func(dataset.Scores) []float64) (mean float64, n int) {
	s := 0.0
	for _, d := range r.Devices {
		if m, _, _ := definedMeanStd(pick(r.Scores[d])); !math.IsNaN(m) {
			s += m
			n++
		}
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return s / float64(n), n
}

func spearmanOf(s dataset.Scores) []float64 { return s.Spearman }
func kendallOf(s dataset.Scores) []float64  { return s.Kendall }

// definedMeanStd is dataset.MeanStd over the defined (non-NaN) scores of
// xs, and how many were not. A rank correlation is undefined (NaN) when
// the predictions are constant or not finite; averaging it in would make
// every mean NaN. mean is NaN if no score is defined.
func definedMeanStd(xs []float64) (mean, std float64, undefined int) {
	var ok []float64
	for _, x := range xs {
		if math.IsNaN(x) {
			undefined++
		} else {
			ok = append(ok, x)
		}
	}
	if len(ok) == 0 {
		return math.NaN(), math.NaN(), undefined
	}
	mean, std = dataset.MeanStd(ok)
	return mean, std, undefined
}

// meanStdText prints mean ± std over the defined scores of xs, noting the
// undefined ones; "undefined" if none is defined.
func meanStdText(xs []float64) string {
	m, sd, bad := definedMeanStd(xs)
	switch {
	case math.IsNaN(m):
		return "undefined"
	case bad > 0:
		return fmt.Sprintf("%.3f ± %.3f (%d of %d undefined)", m, sd, bad, len(xs))
	}
	return fmt.Sprintf("%.3f ± %.3f", m, sd)
}

// meanText prints a mean over devices, or "undefined".
func meanText(m float64) string {
	if math.IsNaN(m) {
		return "undefined"
	}
	return fmt.Sprintf("%.3f", m)
}

// errAllUndefined is returned, after the report, when no device has a
// defined Spearman: the predictions rank nothing.
var errAllUndefined = errors.New("every Spearman score is undefined: the predictions are constant or not finite on every device")

// evalJSON is the -json output, exactly the fields issue 2 specifies;
// undefined (NaN) scores are written as null.
type evalJSON struct {
	Space        string                    `json:"space"`
	Method       string                    `json:"method"`
	Samples      int                       `json:"samples"`
	Seeds        int                       `json:"seeds"`
	Devices      map[string]evalJSONDevice `json:"devices"`
	MeanSpearman float64                   `json:"mean_spearman"`
}

type evalJSONDevice struct {
	Spearman    float64 `json:"spearman"`
	SpearmanStd float64 `json:"spearman_std"`
	Kendall     float64 `json:"kendall"`
}

// MarshalJSON writes NaN scores as null.
func (r evalJSON) MarshalJSON() ([]byte, error) {
	type plain evalJSON
	return json.Marshal(struct {
		plain
		MeanSpearman *float64 `json:"mean_spearman"`
	}{plain(r), defined(r.MeanSpearman)})
}

// MarshalJSON writes NaN scores as null.
func (d evalJSONDevice) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Spearman    *float64 `json:"spearman"`
		SpearmanStd *float64 `json:"spearman_std"`
		Kendall     *float64 `json:"kendall"`
	}{defined(d.Spearman), defined(d.SpearmanStd), defined(d.Kendall)})
}

// defined is x, or nil (JSON null) if x is NaN.
func defined(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

func (r *evalReport) writeJSON(w io.Writer) error {
	mean, n := r.meanOver(spearmanOf)
	out := evalJSON{Space: r.Space, Method: r.Method, Samples: r.Samples, Seeds: r.Seeds,
		Devices: map[string]evalJSONDevice{}, MeanSpearman: mean}
	for _, d := range r.Devices {
		sm, ss, _ := definedMeanStd(r.Scores[d].Spearman)
		km, _, _ := definedMeanStd(r.Scores[d].Kendall)
		out.Devices[d] = evalJSONDevice{Spearman: sm, SpearmanStd: ss, Kendall: km}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	if _, err = fmt.Fprintf(w, "%s\n", b); err != nil {
		return err
	}
	if n == 0 {
		return errAllUndefined
	}
	return nil
}

func (r *evalReport) writeText(w io.Writer) error {
	fmt.Fprintf(w, "space %s  method %s  samples %d  seeds %d", r.Space, r.Method, r.Samples, r.Seeds)
	if r.Weights != "" {
		fmt.Fprintf(w, "  weights %s", r.Weights)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "device\tspearman\tkendall")
	for _, d := range r.Devices {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d, meanStdText(r.Scores[d].Spearman), meanStdText(r.Scores[d].Kendall))
	}
	sm, n := r.meanOver(spearmanOf)
	km, _ := r.meanOver(kendallOf)
	fmt.Fprintf(tw, "mean\t%s\t%s\n", meanText(sm), meanText(km))
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == 0 {
		return errAllUndefined
	}
	if n < len(r.Devices) {
		_, err := fmt.Fprintf(w, "(means over the %d of %d devices with a defined score)\n", n, len(r.Devices))
		return err
	}
	return nil
}

// evalFlags are eval's settings after flag parsing.
type evalFlags struct {
	space, data, weights, method string
	test                         []string
	samples, seeds               int
	seed                         uint64
	json                         bool
	orders                       bool
	orderArchs                   int
	orderSet                     string
	similarity                   string
	support                      string
	known                        []string
	all, lodo, noHelp            bool
}

func parseEvalFlags(args []string, stderr io.Writer) (evalFlags, error) {
	var f evalFlags
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.space, "space", "nasbench201", "search space")
	fs.StringVar(&f.data, "data", "../shared/data", "directory holding <space>/latency.csv")
	fs.StringVar(&f.weights, "weights", "", "predictor weights: our format or the authors' help_reference_checkpoint.json (default for help: the shipped weights)")
	fs.StringVar(&f.method, "method", "help", "predictor or baseline: "+strings.Join(evalMethods, ", "))
	test := fs.String("test", "", "comma-separated devices to evaluate on (default: the space's meta-test devices in HELP's split)")
	fs.IntVar(&f.samples, "samples", 10, "support samples per device")
	fs.IntVar(&f.seeds, "seeds", 5, "repetitions with new support samples and Monte-Carlo noise")
	fs.Uint64Var(&f.seed, "seed", 0, "first seed; repetition i uses seed+i")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.BoolVar(&f.orders, "orders", false, "instead: score NAS-Bench-201 node type orders with the (unadapted, mean-z) model")
	fs.IntVar(&f.orderArchs, "order-archs", 300, "with -orders: query architectures per device")
	fs.StringVar(&f.similarity, "similarity", "pearson", "with -method proxy: pearson or spearman correlation of reference latencies")
	fs.StringVar(&f.orderSet, "order-set", "io", "with -orders: io (120 orders with input first, output last, then input/output moved) or all (5,040)")
	fs.StringVar(&f.support, "support", "random", "support choice: random (HELP's draw from the trimmed training pool) or design (D-optimal on structural features, from the same pool, the reference archs counting as labelled)")
	known := fs.String("known", "", "with structural, basis, nearest, auto: comma-separated devices whose latencies basis, nearest and auto (the rule these devices choose when each plays the target) may use (default: the split's meta-train devices)")
	methods := fs.String("methods", "", "all: one table of every method (HELP adapted, structural, basis, flops, nearest, auto) per device, with median absolute % error where ms are predicted")
	fs.BoolVar(&f.lodo, "lodo", false, "leave one device out: evaluate on every device of the table, each with all the others known (no HELP: it was meta-trained on some of them)")
	fs.BoolVar(&f.noHelp, "no-help", false, "with structural, basis, nearest, auto: leave HELP out of auto's candidates")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	f.known = splitList(*known)
	switch *methods {
	case "":
	case "all":
		f.all = true
	default:
		return f, fmt.Errorf("-methods %q: want all", *methods)
	}
	if f.support != "random" && f.support != "design" {
		return f, fmt.Errorf("-support %q: want random or design", f.support)
	}
	if f.lodo {
		f.noHelp = true
	}
	if f.all && f.json {
		return f, errors.New("-methods all prints a table; -json is for one method")
	}
	testSet := false
	fs.Visit(func(fl *flag.Flag) { testSet = testSet || fl.Name == "test" })
	f.test = splitList(*test)
	switch {
	case testSet && len(f.test) == 0:
		return f, errors.New("-test names no device")
	case f.samples < 1:
		return f, fmt.Errorf("-samples %d: want at least 1", f.samples)
	case f.seeds < 1:
		return f, fmt.Errorf("-seeds %d: want at least 1", f.seeds)
	}
	if f.similarity != "pearson" && f.similarity != "spearman" {
		return f, fmt.Errorf("-similarity %q: want pearson or spearman", f.similarity)
	}
	if f.orderSet != "io" && f.orderSet != "all" {
		return f, fmt.Errorf("-order-set %q: want io or all", f.orderSet)
	}
	if !slices.Contains(evalMethods, f.method) {
		return f, fmt.Errorf("-method %q: want one of %s", f.method, strings.Join(evalMethods, ", "))
	}
	if f.lodo && (f.method == "help" || f.method == "metasgd" || f.method == "maml") && !f.all {
		return f, fmt.Errorf("-lodo: -method %s was meta-trained on some of the devices; use structural, basis, nearest, auto, flops or -methods all", f.method)
	}
	if f.weights == "" && (f.orders || f.method == "metasgd" || f.method == "maml") {
		return f, fmt.Errorf("-method %s needs -weights", f.method)
	}
	return f, nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// checkMethod refuses weights that do not match -method.
func checkMethod(method string, c predictor.Config) error {
	if got := dataset.MethodOf(c); got != method {
		return fmt.Errorf("-method %s, but the weights are %s", method, got)
	}
	return nil
}

// loadWeights reads -weights (any format predictor.LoadFile knows) or, if
// it is empty, the shipped weights of the space, and checks that they fit
// the space (checkWeights) and, unless method is "", are of that method.
func loadWeights(path, spaceName, method string) (*predictor.Model, string, error) {
	var m *predictor.Model
	var err error
	if path == "" {
		m, err = weights.Model(spaceName)
		path = "shipped weights/" + spaceName + weights.ModelFile
	} else {
		m, err = predictor.LoadFile(path)
	}
	if err != nil {
		return nil, "", err
	}
	if err := checkWeights(m, spaceName, path); err != nil {
		return nil, "", err
	}
	if method != "" {
		if err := checkMethod(method, m.Config); err != nil {
			return nil, "", err
		}
	}
	return m, path, nil
}

// checkWeights is the check every command runs on weights it loads from
// path: they fit the space's encoding and reference architectures
// (registry.Entry.Encoder), so no architecture or embedding of the space
// can reach them with the wrong shape.
func checkWeights(m *predictor.Model, spaceName, path string) error {
	entry, err := registry.Lookup(spaceName)
	if err != nil {
		return err
	}
	if _, err := entry.Encoder(m); err != nil {
		return fmt.Errorf("weights %s: %w", path, err)
	}
	return nil
}

// loadData reads the space's latency table, encoding it for m (the
// space's default encoding if m is nil).
func loadData(dir string, entry registry.Entry, m *predictor.Model) (*dataset.Data, error) {
	enc, err := entry.Space.Encoder("")
	if m != nil {
		enc, err = entry.Encoder(m)
	}
	if err != nil {
		return nil, err
	}
	return dataset.Load(dir, entry.Space, enc)
}

func runEval(args []string, stdout, stderr io.Writer) error {
	f, err := parseEvalFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.orders {
		return runOrders(f, stdout, stderr)
	}
	entry, err := registry.Lookup(f.space)
	if err != nil {
		return fmt.Errorf("-space: %w", err)
	}
	suite := f.all || slices.Contains(suiteMethods, f.method)
	var m *predictor.Model
	if (!suite && f.method != "flops" && f.method != "proxy") || (suite && !f.noHelp) {
		method := f.method
		if suite {
			method = "help"
		}
		if m, f.weights, err = loadWeights(f.weights, f.space, method); err != nil {
			return err
		}
	}
	d, err := loadData(f.data, entry, m)
	if err != nil {
		return err
	}
	if f.lodo {
		f.test = d.Table.Devices()
	}
	if len(f.test) == 0 {
		f.test = d.Proto.Split.MetaTest
	}
	var support dataset.Support
	if f.support == "design" {
		support = dataset.Design(d, func(pool, prior [][]float64, n int) ([]int, error) {
			return draw.DOptimal(pool, prior, n, draw.DefaultRidge)
		})
	}
	known := d.Proto.Split.MetaTrain
	switch {
	case f.lodo:
		known = d.Table.Devices()
	case len(f.known) > 0:
		known = f.known
	}
	if err := d.Table.CheckDevices(known...); err != nil {
		return fmt.Errorf("-known: %w", err)
	}
	st := &dataset.Suite{D: d, Model: m, Samples: f.samples, Support: support,
		Known: func(string) []string { return known }}
	if f.all {
		return runEvalAll(f, st, known, stdout)
	}
	var rk dataset.Ranker
	switch f.method {
	case "flops":
		rk = dataset.FLOPs(d)
	case "proxy":
		sim := atlas.Pearson
		if f.similarity == "spearman" {
			sim = rank.Spearman
		}
		if rk, err = dataset.Proxy(d, known, sim); err != nil {
			return err
		}
	case "help", "metasgd", "maml":
		rk = dataset.HELP(d, m, f.samples, support)
	default:
		rk = st.Ranker(f.method)
	}
	scores, err := dataset.Evaluate(d, rk, f.test, f.seed, f.seeds)
	if err != nil {
		return err
	}
	r := &evalReport{Space: f.space, Method: f.method, Samples: f.samples, Seeds: f.seeds, Devices: f.test, Scores: scores}
	if m != nil {
		r.Weights = f.weights
	}
	if f.json {
		return r.writeJSON(stdout)
	}
	return r.writeText(stdout)
}

// runEvalAll scores every method of st on the same support sets and
// prints one table.
func runEvalAll(f evalFlags, st *dataset.Suite, known []string, stdout io.Writer) error {
	r := &methodsReport{Space: f.space, Support: f.support, Samples: f.samples, Seeds: f.seeds,
		Devices: f.test, Methods: st.Methods(), Scores: map[string]map[string]dataset.Scores{}}
	if st.Model != nil {
		r.Weights = f.weights
	}
	switch {
	case f.lodo:
		r.Known = "all other devices (leave one device out)"
	default:
		r.Known = strings.Join(known, ",")
	}
	for _, method := range r.Methods {
		sc, err := dataset.Evaluate(st.D, st.Ranker(method), f.test, f.seed, f.seeds)
		if err != nil {
			return err
		}
		r.Scores[method] = sc
	}
	r.Chosen = st.Chosen
	return r.writeText(stdout)
}

// methodsReport is eval -methods all's table: per device and method the
// mean ± std Spearman over seeds and, where the method predicts ms, the
// mean over seeds of the median absolute percentage error.
type methodsReport struct {
	Space, Support, Weights, Known string
	Samples, Seeds                 int
	Devices, Methods               []string
	Scores                         map[string]map[string]dataset.Scores // method, device
	Chosen                         map[string]int                       // auto's choices
}

func (r *methodsReport) writeText(w io.Writer) error {
	fmt.Fprintf(w, "space %s  support %s  samples %d  seeds %d  known %s", r.Space, r.Support, r.Samples, r.Seeds, r.Known)
	if r.Weights != "" {
		fmt.Fprintf(w, "  weights %s", r.Weights)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Spearman mean ± std over seeds; [median absolute % error of the predicted ms]")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "device\t%s\n", strings.Join(r.Methods, "\t"))
	for _, d := range r.Devices {
		fmt.Fprint(tw, d)
		for _, m := range r.Methods {
			sc := r.Scores[m][d]
			fmt.Fprintf(tw, "\t%s", meanStdText(sc.Spearman))
			if len(sc.MdAPE) > 0 {
				e, _ := dataset.MeanStd(sc.MdAPE)
				fmt.Fprintf(tw, " [%.1f%%]", e)
			}
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprint(tw, "mean")
	for _, m := range r.Methods {
		s, ns, e, ne := 0.0, 0, 0.0, 0
		for _, d := range r.Devices {
			sc := r.Scores[m][d]
			if v, _, _ := definedMeanStd(sc.Spearman); !math.IsNaN(v) {
				s += v
				ns++
			}
			if len(sc.MdAPE) > 0 {
				x, _ := dataset.MeanStd(sc.MdAPE)
				e += x
				ne++
			}
		}
		mean := math.NaN()
		if ns > 0 {
			mean = s / float64(ns)
		}
		fmt.Fprintf(tw, "\t%s", meanText(mean))
		if ne > 0 {
			fmt.Fprintf(tw, " [%.1f%%]", e/float64(ne))
		}
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Chosen) > 0 {
		names := make([]string, 0, len(r.Chosen))
		for n := range r.Chosen {
			names = append(names, n)
		}
		slices.Sort(names)
		var parts []string
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%s %d", n, r.Chosen[n]))
		}
		_, err := fmt.Fprintf(w, "auto chose (device x seed): %s\n", strings.Join(parts, ", "))
		return err
	}
	return nil
}

// orderScore is one node type order's mean Spearman over the devices.
type orderScore struct {
	order    nasbench201.TypeOrder
	spearman float64
}

// runOrders verifies the NAS-Bench-201 node type order empirically: with
// the (authors') model unadapted and z at its mean, every one of the 5,040
// orders of the 7 node types encodes the same query architectures, and the
// order under which predictions rank them best is the one the model was
// trained with.
func runOrders(f evalFlags, stdout, stderr io.Writer) error {
	if f.space != latency.NASBench201 {
		return fmt.Errorf("-orders: node type orders are NAS-Bench-201's, not %s's", f.space)
	}
	// Any variant will do unadapted, but it must be NAS-Bench-201's shape.
	m, _, err := loadWeights(f.weights, f.space, "")
	if err != nil {
		return err
	}
	sp := nasbench201.Space{}
	d, err := dataset.Load(f.data, sp, nasbench201.Encoder{Order: nasbench201.DefaultTypeOrder})
	if err != nil {
		return err
	}
	if len(f.test) == 0 {
		f.test = d.Proto.Split.MetaTest
	}
	type devQuery struct {
		emb   []float64
		archs []nasbench201.Arch
		truth []float64
		ad    *predictor.Adapted
	}
	var devs []devQuery
	for _, name := range f.test {
		dev, err := d.Device(name)
		if err != nil {
			return err
		}
		// Without adaptation the predictions do not depend on the order of
		// architectures, only on the embedding and the encodings.
		ad, err := m.Adapt(dev.Embedding, nil, nil, predictor.AdaptOptions{Steps: predictor.NoSteps, Mode: predictor.ZMean})
		if err != nil {
			return err
		}
		q := devQuery{emb: dev.Embedding, ad: ad}
		r := rand.New(rand.NewPCG(f.seed, 0x6f7264657273)) // "orders"
		n := min(f.orderArchs, len(dev.Query))
		for _, k := range r.Perm(len(dev.Query))[:n] {
			row := dev.Query[k]
			q.archs = append(q.archs, d.Archs[row].(nasbench201.Arch))
			q.truth = append(q.truth, dev.Latency[row])
		}
		devs = append(devs, q)
	}
	var ws rank.Workspace
	var xs [][]float64
	var pred []float64
	score := func(o nasbench201.TypeOrder) orderScore {
		sum := 0.0
		for _, q := range devs {
			for len(xs) < len(q.archs) {
				xs = append(xs, nil)
			}
			for j, a := range q.archs {
				xs[j] = nasbench201.Encode(xs[j], a, o)
			}
			pred = q.ad.PredictTo(pred, xs[:len(q.archs)])
			sum += ws.Spearman(pred, q.truth)
		}
		return orderScore{o, sum / float64(len(devs))}
	}
	// Phase 1: the 120 orders of the 5 operations with input first and
	// output last (or all 5,040 orders with -order-set all).
	var scores []orderScore
	seen := map[nasbench201.TypeOrder]bool{}
	for _, o := range nasbench201.AllTypeOrders() {
		inputFirstOutputLast := o[0] == nasbench201.InputNode && o[nasbench201.NumNodeTypes-1] == nasbench201.OutputNode
		if f.orderSet == "all" || inputFirstOutputLast {
			scores = append(scores, score(o))
			seen[o] = true
			if len(scores)%20 == 0 {
				fmt.Fprintf(stderr, "\rorders: %d", len(scores))
			}
		}
	}
	// Phase 2: the best operation order with input and output moved to
	// every other pair of positions (42 placements).
	best := slices.MaxFunc(scores, func(a, b orderScore) int { return cmp.Compare(a.spearman, b.spearman) })
	var ops []nasbench201.NodeType
	for _, t := range best.order {
		if t != nasbench201.InputNode && t != nasbench201.OutputNode {
			ops = append(ops, t)
		}
	}
	for i := range nasbench201.NumNodeTypes {
		for j := range nasbench201.NumNodeTypes {
			if i == j {
				continue
			}
			var o nasbench201.TypeOrder
			o[i], o[j] = nasbench201.InputNode, nasbench201.OutputNode
			k := 0
			for c := range o {
				if c != i && c != j {
					o[c] = ops[k]
					k++
				}
			}
			if !seen[o] {
				scores = append(scores, score(o))
				seen[o] = true
			}
		}
	}
	orders := scores
	fmt.Fprintln(stderr)
	rankOf := make(map[nasbench201.TypeOrder]int, len(scores))
	sorted := slices.Clone(scores)
	slices.SortStableFunc(sorted, func(a, b orderScore) int { return cmp.Compare(b.spearman, a.spearman) })
	for i, s := range sorted {
		rankOf[s.order] = i + 1
	}
	fmt.Fprintf(stdout, "node type orders scored: %d (phase 1: %s; phase 2: input/output moved around the best); devices %s; %d query archs each; model unadapted, mean z\n",
		len(orders), map[string]string{"io": "the 120 with input first, output last", "all": "all 5,040"}[f.orderSet], strings.Join(f.test, ","), len(devs[0].archs))
	fmt.Fprintln(stdout, "rank  mean spearman  order")
	for i, s := range sorted[:min(10, len(sorted))] {
		fmt.Fprintf(stdout, "%4d  %.4f         %s\n", i+1, s.spearman, s.order)
	}
	named := []struct{ what, order string }{
		{"default (data README lead)", nasbench201.DefaultTypeOrder.String()},
		{"arch2vec", "input,nor_conv_1x1,nor_conv_3x3,avg_pool_3x3,skip_connect,none,output"},
		{"NAS-Bench-201 op order", "input,none,skip_connect,nor_conv_1x1,nor_conv_3x3,avg_pool_3x3,output"},
	}
	bestIO := orderScore{spearman: math.Inf(-1)}
	for _, s := range sorted {
		if s.order[0] == nasbench201.InputNode && s.order[nasbench201.NumNodeTypes-1] == nasbench201.OutputNode {
			bestIO = s
			break
		}
	}
	fmt.Fprintf(stdout, "best with input first, output last: %.4f  %s (rank %d of %d)\n", bestIO.spearman, bestIO.order, rankOf[bestIO.order], len(orders))
	for _, n := range named {
		o, err := nasbench201.ParseTypeOrder(n.order)
		if err != nil {
			return err
		}
		for _, s := range scores {
			if s.order == o {
				fmt.Fprintf(stdout, "%s: %.4f  %s (rank %d of %d)\n", n.what, s.spearman, o, rankOf[o], len(orders))
			}
		}
	}
	return nil
}
