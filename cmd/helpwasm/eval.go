package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/weights"
)

// evalMethods are the predictors and baselines eval can score.
var evalMethods = []string{"help", "metasgd", "maml", "flops", "proxy"}

// paperTestDevices are HELP's NAS-Bench-201 meta-test devices (paper Table 3).
var paperTestDevices = []string{"titan_rtx_256", "gold_6226", "fpga", "pixel2", "raspi4", "eyeriss"}

// seedStats are one device's scores over the seeds.
type seedStats struct {
	Spearman []float64
	Kendall  []float64
}

// evalReport is what eval prints: per device the mean and sample standard
// deviation (n-1) of the scores over seeds, in the order evaluated.
type evalReport struct {
	Space, Method, Weights string
	Samples, Seeds         int
	Devices                []string
	Scores                 map[string]seedStats
}

// meanStd returns the mean and the sample standard deviation (0 for a
// single value).
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)-1))
}

// meanSpearman is the mean over devices of each device's mean Spearman.
func (r *evalReport) meanOver(pick func(seedStats) []float64) float64 {
	s := 0.0
	for _, d := range r.Devices {
		m, _ := meanStd(pick(r.Scores[d]))
		s += m
	}
	return s / float64(len(r.Devices))
}

func spearmanOf(s seedStats) []float64 { return s.Spearman }
func kendallOf(s seedStats) []float64  { return s.Kendall }

// evalJSON is the -json output, exactly the fields issue 2 specifies.
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

func (r *evalReport) writeJSON(w io.Writer) error {
	out := evalJSON{Space: r.Space, Method: r.Method, Samples: r.Samples, Seeds: r.Seeds,
		Devices: map[string]evalJSONDevice{}, MeanSpearman: r.meanOver(spearmanOf)}
	for _, d := range r.Devices {
		sm, ss := meanStd(r.Scores[d].Spearman)
		km, _ := meanStd(r.Scores[d].Kendall)
		out.Devices[d] = evalJSONDevice{Spearman: sm, SpearmanStd: ss, Kendall: km}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
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
		sm, ss := meanStd(r.Scores[d].Spearman)
		km, ks := meanStd(r.Scores[d].Kendall)
		fmt.Fprintf(tw, "%s\t%.3f ± %.3f\t%.3f ± %.3f\n", d, sm, ss, km, ks)
	}
	fmt.Fprintf(tw, "mean\t%.3f\t%.3f\n", r.meanOver(spearmanOf), r.meanOver(kendallOf))
	return tw.Flush()
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
}

func parseEvalFlags(args []string, stderr io.Writer) (evalFlags, error) {
	var f evalFlags
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.space, "space", "nasbench201", "search space")
	fs.StringVar(&f.data, "data", "../shared/data", "directory holding <space>/latency.csv")
	fs.StringVar(&f.weights, "weights", "", "predictor weights: our format or the authors' help_reference_checkpoint.json (default for help: the shipped weights)")
	fs.StringVar(&f.method, "method", "help", "predictor or baseline: "+strings.Join(evalMethods, ", "))
	test := fs.String("test", strings.Join(paperTestDevices, ","), "comma-separated devices to evaluate on")
	fs.IntVar(&f.samples, "samples", 10, "support samples per device")
	fs.IntVar(&f.seeds, "seeds", 5, "repetitions with new support samples and Monte-Carlo noise")
	fs.Uint64Var(&f.seed, "seed", 0, "first seed; repetition i uses seed+i")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	fs.BoolVar(&f.orders, "orders", false, "instead: score NAS-Bench-201 node type orders with the (unadapted, mean-z) model")
	fs.IntVar(&f.orderArchs, "order-archs", 300, "with -orders: query architectures per device")
	fs.StringVar(&f.similarity, "similarity", "pearson", "with -method proxy: pearson or spearman correlation of reference latencies")
	fs.StringVar(&f.orderSet, "order-set", "io", "with -orders: io (120 orders with input first, output last, then input/output moved) or all (5,040)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, d := range strings.Split(*test, ",") {
		if d = strings.TrimSpace(d); d != "" {
			f.test = append(f.test, d)
		}
	}
	switch {
	case len(f.test) == 0:
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
	known := false
	for _, m := range evalMethods {
		known = known || m == f.method
	}
	if !known {
		return f, fmt.Errorf("-method %q: want one of %s", f.method, strings.Join(evalMethods, ", "))
	}
	if f.weights == "" && (f.orders || f.method == "metasgd" || f.method == "maml") {
		return f, fmt.Errorf("-method %s needs -weights", f.method)
	}
	return f, nil
}

// spaceData is one search space's latency table with its protocol and the
// encodings of its architectures, shared by eval, train and bench.
type spaceData struct {
	table *latency.Table
	proto latency.Protocol
	order nasbench201.TypeOrder
	archs []nasbench201.Arch // by table row
	enc   [][]float64        // by table row, under order
}

// loadSpace reads dir/<space>/ and encodes every architecture under order.
func loadSpace(dataDir, space string, order nasbench201.TypeOrder) (*spaceData, error) {
	if space != latency.NASBench201 {
		return nil, fmt.Errorf("-space %q: only %s is supported so far", space, latency.NASBench201)
	}
	proto, err := latency.Standard(space)
	if err != nil {
		return nil, err
	}
	t, err := latency.Load(filepath.Join(dataDir, space))
	if err != nil {
		return nil, err
	}
	d := &spaceData{table: t, proto: proto, archs: make([]nasbench201.Arch, t.Len())}
	for row := range d.archs {
		if d.archs[row], err = nasbench201.Parse(t.Arch(row)); err != nil {
			return nil, fmt.Errorf("%s row %d: %w", latency.LatencyFile, row, err)
		}
	}
	d.reencode(order)
	return d, nil
}

// reencode encodes every architecture under order, reusing the buffers.
func (d *spaceData) reencode(order nasbench201.TypeOrder) {
	d.order = order
	if d.enc == nil {
		d.enc = make([][]float64, len(d.archs))
	}
	for row, a := range d.archs {
		d.enc[row] = nasbench201.Encode(d.enc[row], a, order)
	}
}

// rowsX returns the encodings of rows (shared storage, read only).
func (d *spaceData) rowsX(rows []int) [][]float64 {
	xs := make([][]float64, len(rows))
	for i, r := range rows {
		xs[i] = d.enc[r]
	}
	return xs
}

// device returns dev's data under the space's protocol.
func (d *spaceData) device(name string) (*latency.Device, error) {
	return d.table.Device(name, d.proto.Pools)
}

// supportRows draws n support rows from dev's trimmed training pool. The
// draw depends only on seed and the device name, so every method sees the
// same support set for the same seed.
func supportRows(dev *latency.Device, n int, seed uint64) ([]int, error) {
	if n > len(dev.Train) {
		return nil, fmt.Errorf("device %s: %d support samples requested but the trimmed training pool has %d", dev.Name, n, len(dev.Train))
	}
	h := fnv.New64a()
	h.Write([]byte(dev.Name))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	rows := make([]int, n)
	for i, k := range r.Perm(len(dev.Train))[:n] {
		rows[i] = dev.Train[k]
	}
	return rows, nil
}

// ranker predicts, for one device and seed, a score per query-pool row
// whose order is the predicted latency order.
type ranker func(dev *latency.Device, seed uint64) ([]float64, error)

// helpRanker adapts m on samples support architectures (HELP's meta-test:
// Config.InnerSteps steps, 10 Monte-Carlo samples of z) and predicts the
// query pool. Works for HELP and the Meta-SGD and MAML variants alike: the
// model's Config says which parts exist.
func helpRanker(d *spaceData, m *predictor.Model, samples int) ranker {
	batches := map[string]*predictor.Batch{} // query pools, prepared once per device
	return func(dev *latency.Device, seed uint64) ([]float64, error) {
		rows, err := supportRows(dev, samples, seed)
		if err != nil {
			return nil, err
		}
		ad, err := m.Adapt(dev.Embedding, d.rowsX(rows), dev.Normalised(nil, rows), predictor.AdaptOptions{Seed: seed})
		if err != nil {
			return nil, fmt.Errorf("device %s: %w", dev.Name, err)
		}
		b := batches[dev.Name]
		if b == nil {
			b = m.NewBatch(d.rowsX(dev.Query))
			batches[dev.Name] = b
		}
		return ad.PredictBatchTo(nil, b), nil
	}
}

// flopsRanker ranks by FLOPs: no device data at all.
func flopsRanker(d *spaceData) ranker {
	return func(dev *latency.Device, _ uint64) ([]float64, error) {
		out := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			out[i] = float64(nasbench201.FLOPs(d.archs[r]))
		}
		return out, nil
	}
}

// proxyRanker is the nearest-device baseline: the meta-train device whose
// reference latencies correlate best (by sim) with the target's stands in
// for it.
func proxyRanker(d *spaceData, sim atlas.Similarity) (ranker, error) {
	at, err := atlas.FromTable(d.table, d.proto, atlas.TableOptions{})
	if err != nil {
		return nil, err
	}
	return func(dev *latency.Device, _ uint64) ([]float64, error) {
		m := at.NearestBy(dev.Reference, 1, sim, atlas.Train)
		if len(m) == 0 {
			return nil, errors.New("no meta-train device to stand in")
		}
		lat := d.table.Latency(m[0].Name)
		out := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			out[i] = lat[r]
		}
		return out, nil
	}, nil
}

// evaluate scores rk on each device over seeds seed..seed+seeds-1:
// Spearman and Kendall tau-b of the scores against the measured latencies
// of the device's trimmed query pool.
func evaluate(d *spaceData, rk ranker, devices []string, seed uint64, seeds int) (map[string]seedStats, error) {
	if err := d.table.CheckDevices(devices...); err != nil {
		return nil, err
	}
	out := make(map[string]seedStats, len(devices))
	var ws rank.Workspace
	for _, name := range devices {
		dev, err := d.device(name)
		if err != nil {
			return nil, err
		}
		truth := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			truth[i] = dev.Latency[r]
		}
		var st seedStats
		for s := range uint64(seeds) {
			pred, err := rk(dev, seed+s)
			if err != nil {
				return nil, err
			}
			st.Spearman = append(st.Spearman, ws.Spearman(pred, truth))
			st.Kendall = append(st.Kendall, ws.Kendall(pred, truth))
		}
		out[name] = st
	}
	return out, nil
}

// loadModel reads predictor weights, telling the authors' JSON checkpoint
// from our format by content.
func loadModel(path string) (*predictor.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if trimmed := bytes.TrimLeft(b, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		m, err := predictor.ReadHELPCheckpoint(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	}
	m, err := predictor.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// modelOrder is the node-type order m was trained with (the authors'
// checkpoint records none: DefaultTypeOrder, verified by eval -orders).
func modelOrder(m *predictor.Model) (nasbench201.TypeOrder, error) {
	if m.Meta.Encoding == "" {
		return nasbench201.DefaultTypeOrder, nil
	}
	return nasbench201.ParseTypeOrder(m.Meta.Encoding)
}

// checkMethod refuses weights that do not match -method.
func checkMethod(method string, c predictor.Config) error {
	var want string
	switch {
	case c.HWEmbed && c.Modulator && c.MetaSGD:
		want = "help"
	case !c.HWEmbed && !c.Modulator && c.MetaSGD:
		want = "metasgd"
	case !c.HWEmbed && !c.Modulator && !c.MetaSGD:
		want = "maml"
	default:
		want = fmt.Sprintf("a custom variant (hw_embed=%v modulator=%v meta_sgd=%v)", c.HWEmbed, c.Modulator, c.MetaSGD)
	}
	if want != method {
		return fmt.Errorf("-method %s, but the weights are %s", method, want)
	}
	return nil
}

func runEval(args []string, stdout, stderr io.Writer) error {
	f, err := parseEvalFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.orders {
		return runOrders(f, stdout, stderr)
	}
	order := nasbench201.DefaultTypeOrder
	var m *predictor.Model
	if f.method != "flops" && f.method != "proxy" {
		if f.weights == "" {
			m, err = weights.Model(f.space)
			f.weights = "shipped weights/" + f.space + weights.ModelFile
		} else {
			m, err = loadModel(f.weights)
		}
		if err != nil {
			return err
		}
		if err := checkMethod(f.method, m.Config); err != nil {
			return err
		}
		if order, err = modelOrder(m); err != nil {
			return fmt.Errorf("%s: %w", f.weights, err)
		}
	}
	d, err := loadSpace(f.data, f.space, order)
	if err != nil {
		return err
	}
	var rk ranker
	switch f.method {
	case "flops":
		rk = flopsRanker(d)
	case "proxy":
		sim := atlas.Pearson
		if f.similarity == "spearman" {
			sim = rank.Spearman
		}
		if rk, err = proxyRanker(d, sim); err != nil {
			return err
		}
	default:
		rk = helpRanker(d, m, f.samples)
	}
	scores, err := evaluate(d, rk, f.test, f.seed, f.seeds)
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
	m, err := loadModel(f.weights)
	if err != nil {
		return err
	}
	d, err := loadSpace(f.data, f.space, nasbench201.DefaultTypeOrder)
	if err != nil {
		return err
	}
	type devQuery struct {
		emb   []float64
		archs []nasbench201.Arch
		truth []float64
		ad    *predictor.Adapted
	}
	var devs []devQuery
	for _, name := range f.test {
		dev, err := d.device(name)
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
			q.archs = append(q.archs, d.archs[row])
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
