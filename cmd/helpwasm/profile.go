package main

// helpwasm profile: time architectures on this machine with our engine,
// adapt the predictor to it, and check the prediction on held-out
// architectures.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/weights"
)

type profileFlags struct {
	space     string
	weights   string
	atlasPath string
	data      string
	samples   int
	validate  int
	out       string
	json      bool
	seed      uint64
	thorough  bool
	device    string
	nearest   int
	compare   bool
	clock     string
	quantile  float64
	rounds    int
}

func parseProfileFlags(args []string, stderr io.Writer) (profileFlags, []string, error) {
	var f profileFlags
	fl := flag.NewFlagSet("profile", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: helpwasm profile [flags]\n       helpwasm profile -compare A.json B.json\n\nflags:")
		fl.PrintDefaults()
	}
	fl.StringVar(&f.space, "space", "nasbench201", "search space (only nasbench201 networks can be run)")
	fl.StringVar(&f.weights, "weights", "", "predictor weights (our format or the authors' JSON checkpoint; default: the shipped weights, else the checkpoint in -data)")
	fl.StringVar(&f.atlasPath, "atlas", "", "known-device atlas JSON (default: the shipped atlas, else built from -data)")
	fl.StringVar(&f.data, "data", defaultDataDir(), "HELP data directory (used when no weights or atlas are shipped)")
	fl.IntVar(&f.samples, "samples", 10, "support samples to adapt on")
	fl.IntVar(&f.validate, "validate", 30, "held-out validation architectures to measure and predict (0: none)")
	fl.StringVar(&f.out, "out", "", "write the profile to this file")
	fl.BoolVar(&f.json, "json", false, "print the profile JSON instead of the report")
	fl.Uint64Var(&f.seed, "seed", 1, "seed for the choice of architectures, the measurement order and the predictor's noise")
	quick := fl.Bool("quick", false, "quick measurement protocol (the default)")
	fl.BoolVar(&f.thorough, "thorough", false, "thorough measurement protocol: more and longer samples")
	fl.IntVar(&f.rounds, "rounds", 0, "timed samples per architecture (default: 10 quick, 15 thorough)")
	fl.StringVar(&f.device, "device", "", "a name for this machine, recorded in the profile")
	fl.IntVar(&f.nearest, "nearest", 3, "known devices to list by embedding similarity")
	fl.StringVar(&f.clock, "clock", "auto", "what times the samples: cpu (this thread's CPU time: steady on a busy machine, Linux only), wall (elapsed time, as the browser measures) or auto (cpu where available)")
	fl.Float64Var(&f.quantile, "quantile", -1, "statistic: this quantile of each architecture's samples (0.5 median, 0 minimum; default: 0 with the cpu clock, 0.25 with the wall clock)")
	fl.BoolVar(&f.compare, "compare", false, "compare two profile files (repeatability) instead of profiling")
	if err := fl.Parse(args); err != nil {
		return f, nil, err
	}
	switch {
	case *quick && f.thorough:
		return f, nil, errors.New("-quick and -thorough are exclusive")
	case f.compare && fl.NArg() != 2:
		return f, nil, fmt.Errorf("-compare wants two profile files, got %d arguments", fl.NArg())
	case !f.compare && fl.NArg() > 0:
		return f, nil, fmt.Errorf("unexpected arguments %q", fl.Args())
	case f.rounds < 0:
		return f, nil, fmt.Errorf("-rounds %d: want at least 1", f.rounds)
	case f.samples < 1:
		return f, nil, fmt.Errorf("-samples %d: want at least 1", f.samples)
	case f.validate < 0:
		return f, nil, fmt.Errorf("-validate %d: want 0 or more", f.validate)
	case f.quantile != -1 && !(f.quantile >= 0 && f.quantile <= 1):
		return f, nil, fmt.Errorf("-quantile %g: want a number in [0, 1]", f.quantile)
	case f.clock != "auto" && f.clock != "cpu" && f.clock != "wall":
		return f, nil, fmt.Errorf("-clock %q: want auto, cpu or wall", f.clock)
	case f.space != "nasbench201":
		return f, nil, fmt.Errorf("-space %q: the engine runs only nasbench201 networks", f.space)
	}
	return f, fl.Args(), nil
}

// defaultDataDir is $HELPWASM_DATA or ../shared/data.
func defaultDataDir() string {
	if d := os.Getenv("HELPWASM_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "shared", "data")
}

func runProfile(args []string, stdout, stderr io.Writer) error {
	f, rest, err := parseProfileFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.compare {
		return runCompare(rest[0], rest[1], stdout)
	}
	start := time.Now()
	m, err := loadPredictor(f.weights, f.data, f.space)
	if err != nil {
		return err
	}
	at, err := loadAtlas(f.atlasPath, f.data, f.space)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := measure.Quick()
	// The page's 6 rounds leave the minimum at the mercy of a busy
	// machine's slow spells (host contention the guest cannot see slows
	// whole seconds by 30-50%); natively there is time for more.
	opts.Rounds = 10
	preset := "quick"
	if f.thorough {
		opts, preset = measure.Thorough(), "thorough"
	}
	if f.rounds > 0 {
		opts.Rounds = f.rounds
		opts.MinSamples = min(opts.MinSamples, f.rounds)
	}
	opts.Seed = f.seed
	opts.Progress = progressLine(stderr, isTerminal(stderr))
	clockName, clock := measure.ClockWall, measure.SystemClock()
	if c, ok := cpuClock(); ok && f.clock != "wall" {
		clockName, clock = measure.ClockThreadCPU, c
		// A thread's CPU time only ever gains noise (caches refilled after
		// the thread was preempted), so the fastest sample is the best
		// estimate: back-to-back profiles at load 15 on 2 cores agreed to
		// 2-3% with the minimum against 4-41% with the median.
		opts.Quantile = 0
	} else if f.clock == "cpu" {
		return errors.New("-clock cpu: this system has no thread CPU clock")
	}
	if f.quantile != -1 {
		opts.Quantile = f.quantile
	}
	res, err := profileMachine(ctx, profileSetup{
		model: m, atlas: at, samples: f.samples, validate: f.validate, seed: f.seed,
		opts: opts, preset: preset, device: f.device, nearest: f.nearest,
		clock: clock, clockName: clockName,
	})
	if isTerminal(stderr) {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	if f.out != "" {
		if err := writeProfileFile(f.out, res.profile); err != nil {
			return err
		}
	}
	if f.json {
		return res.profile.Write(stdout)
	}
	return res.report(stdout, time.Since(start))
}

// isTerminal reports whether w is a terminal (so a progress line can be
// redrawn in place).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine draws one updating progress line on a terminal, or prints a
// line per phase and step otherwise (logs stay short).
func progressLine(w io.Writer, tty bool) func(measure.Progress) {
	last := time.Time{}
	lastStep := ""
	return func(p measure.Progress) {
		if !tty {
			if step := p.Phase + ": " + p.Step; step != lastStep {
				lastStep = step
				fmt.Fprintln(w, step)
			}
			return
		}
		// Redrawing on every sample would cost more than some samples.
		if now := time.Now(); now.Sub(last) > 100*time.Millisecond || p.Done == p.Total {
			last = now
			fmt.Fprintf(w, "\r\033[K%s: %s %d/%d", p.Phase, p.Step, p.Done, p.Total)
		}
	}
}

// writeProfileFile writes p atomically: a crash leaves the old file or
// none, never half a profile.
func writeProfileFile(path string, p *measure.Profile) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".profile-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := p.Write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// loadPredictor reads the weights at path, or the authors' checkpoint in
// the data directory if path is empty.
func loadPredictor(path, data, space string) (*predictor.Model, error) {
	if path == "" {
		if m, ok, err := shippedModel(space); ok || err != nil {
			return m, err
		}
		path = filepath.Join(data, space, "help_reference_checkpoint.json")
	}
	m, err := predictor.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	if m.Config.Space != "" && m.Config.Space != space {
		return nil, fmt.Errorf("weights %s are for space %q, not %q", path, m.Config.Space, space)
	}
	return m, nil
}

// shippedModel is the predictor shipped in package weights, if any.
func shippedModel(space string) (*predictor.Model, bool, error) {
	m, err := weights.Model(space)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	return m, err == nil, err
}

// shippedAtlas is the atlas shipped in package weights, if any.
func shippedAtlas(space string) (*atlas.Atlas, bool, error) {
	a, err := weights.Atlas(space)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	return a, err == nil, err
}

// loadAtlas reads the atlas at path, or builds it from the data directory
// if path is empty and none is shipped.
func loadAtlas(path, data, space string) (*atlas.Atlas, error) {
	if path != "" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("atlas: %w", err)
		}
		defer fh.Close()
		a, err := atlas.Read(fh)
		if err != nil {
			return nil, fmt.Errorf("atlas %s: %w", path, err)
		}
		return a, nil
	}
	if a, ok, err := shippedAtlas(space); ok || err != nil {
		return a, err
	}
	proto, err := latency.Standard(space)
	if err != nil {
		return nil, err
	}
	t, err := latency.Load(filepath.Join(data, space))
	if err != nil {
		return nil, fmt.Errorf("no atlas shipped, and building one from the data failed: %w", err)
	}
	return atlas.FromTable(t, proto, atlas.TableOptions{})
}

// profileSetup is everything profileMachine needs.
type profileSetup struct {
	model    *predictor.Model
	atlas    *atlas.Atlas
	samples  int // support
	validate int // validation archs, 0 for none
	seed     uint64
	opts     measure.Options
	preset   string
	device   string
	nearest  int
	// clock times the samples; clockName is recorded in the profile.
	clock     measure.Clock
	clockName string
}

// profileResult is a profile plus what the text report shows.
type profileResult struct {
	profile *measure.Profile
	nearest []atlas.Match
	// unstable lists the measured architectures whose spread stayed above
	// the protocol's limit.
	unstable []string
	// phaseTime is the wall time of each measuring phase.
	phaseTime map[string]time.Duration
	// predictor describes the weights used.
	predictor string
	// nearestBaseline is the device behind the nearest_device baseline.
	nearestBaseline string
}

// profilePlan is the architectures to measure, by role.
type profilePlan struct {
	reference, support, validation []string
	anchors                        [2]string // fastest, slowest
	validationPool                 []int     // index into atlas.PoolArchs of each validation arch
}

// chooseArchs draws the support and validation architectures (package
// draw, as the page does).
func chooseArchs(at *atlas.Atlas, samples, validate int, seed uint64) (profilePlan, error) {
	p := profilePlan{
		reference: slices.Clone(at.Reference),
		anchors:   [2]string{at.Anchors.Fastest, at.Anchors.Slowest},
	}
	d, err := draw.Draw(at, samples, validate, seed)
	if err != nil {
		return p, err
	}
	for _, a := range d.Support {
		p.support = append(p.support, a.String())
	}
	for _, a := range d.Validation {
		p.validation = append(p.validation, a.String())
	}
	p.validationPool = d.ValidationPool
	return p, nil
}

// instancesPerArch is how many separately allocated copies of each
// network are timed in turn. Now and then one instance of a network runs
// slower than another instance of the same network for its whole life
// (timed in interleaved rounds, minimum of 8 runs: 1 instance in 18 was 30%
// slower than its siblings); with the minimum statistic two instances make
// that rare.
const instancesPerArch = 2

// alternating runs its networks in turn, one per Run.
type alternating struct {
	nets []*engine.Network
	next int
}

func (a *alternating) Run() {
	a.nets[a.next].Forward()
	a.next = (a.next + 1) % len(a.nets)
}

// archItems builds engine networks for the architecture strings, as measure
// items.
func archItems(archs []string) ([]measure.Item, error) {
	items := make([]measure.Item, len(archs))
	for i, s := range archs {
		a, err := nasbench201.Parse(s)
		if err != nil {
			return nil, err
		}
		alt := &alternating{}
		for range instancesPerArch {
			alt.nets = append(alt.nets, engine.New(a, 1))
		}
		items[i] = alt
	}
	return items, nil
}

// profileMachine measures the reference, anchor and support architectures
// on this machine, adapts the predictor, then measures the validation
// architectures and compares them with the predictions made before they
// were measured.
func profileMachine(ctx context.Context, s profileSetup) (*profileResult, error) {
	if s.atlas.Space != "nasbench201" || s.model.Config.EmbedDim != len(s.atlas.Reference) {
		return nil, fmt.Errorf("atlas (%s, %d reference archs) does not fit the predictor (embedding of %d)",
			s.atlas.Space, len(s.atlas.Reference), s.model.Config.EmbedDim)
	}
	order, err := weightsTypeOrder(s.model)
	if err != nil {
		return nil, err
	}
	pl, err := chooseArchs(s.atlas, s.samples, s.validate, s.seed)
	if err != nil {
		return nil, err
	}
	// A thread CPU clock only means something if the goroutine stays on
	// one thread; the wall clock does not mind.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	resolution := measure.Resolution(s.clock, 10*time.Millisecond)
	s.opts.Clock, s.opts.Resolution = s.clock, resolution
	res := &profileResult{phaseTime: map[string]time.Duration{}, predictor: s.model.Meta.Source}
	if res.predictor == "" {
		res.predictor = "unnamed weights"
	}

	// Phase 1: everything adaptation needs, interleaved in one run so the
	// normalisation (reference + anchors) and the support share conditions.
	first := slices.Concat(pl.reference, pl.anchors[:], pl.support)
	timings, err := measureArchs(ctx, "reference+support", first, s.opts, res)
	if err != nil {
		return nil, err
	}
	nref := len(pl.reference)
	protocol := measure.ProtocolOf(s.preset, s.opts)
	protocol.Instances = instancesPerArch
	p := &measure.Profile{
		Format:  measure.Format,
		Version: measure.Version,
		Space:   s.atlas.Space,
		Device:  s.device,
		Created: time.Now().UTC().Truncate(time.Second),
		Runtime: measure.Runtime{
			GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(),
			Clock: s.clockName, ClockResolutionNS: max(1, resolution.Nanoseconds()), CPUs: runtime.NumCPU(),
		},
		Protocol:  protocol,
		Reference: timings[:nref],
		Anchors:   measure.Anchors{Fastest: timings[nref], Slowest: timings[nref+1]},
		Support:   timings[nref+2:],
	}
	if err := checkUsable(timings); err != nil {
		return nil, err
	}
	res.nearest = s.atlas.Nearest(p.ReferenceMS(), s.nearest)
	for _, m := range res.nearest {
		p.Nearest = append(p.Nearest, measure.Neighbour{Device: m.Name, Similarity: m.Similarity})
	}
	if s.validate == 0 {
		res.profile = p
		return res, p.Validate()
	}

	// Adapt and predict the validation architectures before measuring them.
	pred, err := predictMS(s.model, order, p, pl.validation)
	if err != nil {
		return nil, err
	}
	s.opts.Seed++ // a fresh measurement order
	valid, err := measureArchs(ctx, "validation", pl.validation, s.opts, res)
	if err != nil {
		return nil, err
	}
	if err := checkUsable(valid); err != nil {
		return nil, err
	}
	measured := make([]float64, len(valid))
	for i := range valid {
		valid[i].PredictedMS = &pred[i]
		measured[i] = valid[i].MS
	}
	v := &measure.Validation{
		Spearman: rank.Spearman(pred, measured),
		Kendall:  rank.Kendall(pred, measured),
		Samples:  valid,
	}
	v.Baselines, res.nearestBaseline = validationBaselines(s.atlas, p.ReferenceMS(), pl, measured)
	p.Validation = v
	res.profile = p
	return res, p.Validate()
}

// measureArchs times archs and records them as profile timings.
func measureArchs(ctx context.Context, phase string, archs []string, opts measure.Options, res *profileResult) ([]measure.Timing, error) {
	items, err := archItems(archs)
	if err != nil {
		return nil, err
	}
	opts.Phase = phase
	t0 := time.Now()
	rs, err := measure.Measure(ctx, items, opts)
	if err != nil {
		return nil, err
	}
	res.phaseTime[phase] = time.Since(t0)
	timings := make([]measure.Timing, len(rs))
	for i, r := range rs {
		timings[i] = measure.TimingOf(archs[i], r)
		if !r.Stable {
			res.unstable = append(res.unstable, fmt.Sprintf("%s (spread %.0f%%, %d samples)", archs[i], 100*r.Spread, len(r.Samples)))
		}
	}
	return timings, nil
}

// checkUsable refuses timings without a finite positive latency (every
// sample discarded); merely noisy ones are kept, marked unstable.
func checkUsable(ts []measure.Timing) error {
	for _, t := range ts {
		if !(t.MS > 0) || t.Runs == 0 {
			return fmt.Errorf("no usable timing for %s: every sample was discarded", t.Arch)
		}
	}
	return nil
}

// weightsTypeOrder is the GCN node-type order m was trained with.
func weightsTypeOrder(m *predictor.Model) (nasbench201.TypeOrder, error) {
	if m.Meta.Encoding == "" {
		return nasbench201.DefaultTypeOrder, nil // the authors' checkpoint records none
	}
	return nasbench201.ParseTypeOrder(m.Meta.Encoding)
}

// predictMS adapts m to the profile's device on its support timings and
// returns the predicted latency (ms) of each of archs.
func predictMS(m *predictor.Model, order nasbench201.TypeOrder, p *measure.Profile, archs []string) ([]float64, error) {
	encode := func(arch string) ([]float64, error) {
		a, err := nasbench201.Parse(arch)
		if err != nil {
			return nil, err
		}
		return nasbench201.Encode(nil, a, order), nil
	}
	xs, ys, err := p.SupportSet(encode)
	if err != nil {
		return nil, err
	}
	ad, err := m.Adapt(p.Embedding(), xs, ys, predictor.AdaptOptions{Seed: p.Protocol.Seed})
	if err != nil {
		return nil, fmt.Errorf("adapting the predictor: %w", err)
	}
	qs := make([][]float64, len(archs))
	for i, s := range archs {
		if qs[i], err = encode(s); err != nil {
			return nil, err
		}
	}
	pred := ad.PredictTo(nil, qs)
	return p.Normaliser().DenormaliseTo(pred, pred), nil
}

// validationBaselines scores the FLOPs ranking and the nearest meta-train device's
// latencies on the validation architectures.
// The nearest device's name is returned too; the key is "nearest_device",
// as the page names it.
func validationBaselines(at *atlas.Atlas, refMS []float64, pl profilePlan, measured []float64) (map[string]measure.Correlation, string) {
	nearest := ""
	out := map[string]measure.Correlation{}
	flops := make([]float64, len(pl.validation))
	for i, s := range pl.validation {
		flops[i] = float64(nasbench201.FLOPs(nasbench201.MustParse(s)))
	}
	out["flops"] = measure.Correlation{Spearman: rank.Spearman(flops, measured), Kendall: rank.Kendall(flops, measured)}
	if m := at.NearestBy(refMS, 1, atlas.Pearson, atlas.Train); len(m) == 1 {
		if pool, ok := at.PoolMS(m[0].Name); ok {
			near := make([]float64, len(pl.validation))
			for i, j := range pl.validationPool {
				near[i] = pool[j]
			}
			nearest = m[0].Name
			out["nearest_device"] = measure.Correlation{Spearman: rank.Spearman(near, measured), Kendall: rank.Kendall(near, measured)}
		}
	}
	for k, c := range out { // constant rankings give NaN; JSON cannot hold it
		if c.Spearman != c.Spearman || c.Kendall != c.Kendall {
			delete(out, k)
		}
	}
	return out, nearest
}

// report prints the human-readable summary.
func (r *profileResult) report(w io.Writer, wall time.Duration) error {
	p := r.profile
	var b strings.Builder
	stat := fmt.Sprintf("%g-quantile", p.Protocol.Quantile)
	switch p.Protocol.Quantile {
	case 0:
		stat = "minimum"
	case 0.5:
		stat = "median"
	}
	fmt.Fprintf(&b, "profiled %s/%s (%s, %d CPUs), %s clock (resolution %v), %s protocol, %s of %d rounds\n",
		p.Runtime.GOOS, p.Runtime.GOARCH, p.Runtime.GoVersion, p.Runtime.CPUs,
		p.Runtime.Clock, time.Duration(p.Runtime.ClockResolutionNS), p.Protocol.Preset, stat, p.Protocol.Rounds)
	fmt.Fprintf(&b, "predictor: %s\n", r.predictor)
	fmt.Fprintf(&b, "\nreference latencies (ms, embedding order):\n")
	for i, t := range p.Reference {
		fmt.Fprintf(&b, "  %2d %9.3f  ±%4.1f%%  %s\n", i, t.MS, 100*t.Spread, t.Arch)
	}
	fmt.Fprintf(&b, "anchors: fastest %.3f ms, slowest %.3f ms\n", p.Anchors.Fastest.MS, p.Anchors.Slowest.MS)
	fmt.Fprintf(&b, "support: %d architectures, %.3f .. %.3f ms\n", len(p.Support), minMS(p.Support), maxMS(p.Support))
	if v := p.Validation; v != nil {
		fmt.Fprintf(&b, "\nvalidation (%d held-out architectures):\n  %10s %10s  %s\n", len(v.Samples), "measured", "predicted", "arch")
		for _, t := range v.Samples {
			fmt.Fprintf(&b, "  %10.3f %10.3f  %s\n", t.MS, *t.PredictedMS, t.Arch)
		}
		fmt.Fprintf(&b, "\n  %-36s spearman %.3f  kendall %.3f\n", "HELP (adapted)", v.Spearman, v.Kendall)
		names := make([]string, 0, len(v.Baselines))
		for k := range v.Baselines {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			c := v.Baselines[k]
			name := "baseline " + k
			if k == "nearest_device" {
				name += " (" + r.nearestBaseline + ")"
			}
			fmt.Fprintf(&b, "  %-36s spearman %.3f  kendall %.3f\n", name, c.Spearman, c.Kendall)
		}
	}
	if len(r.nearest) > 0 {
		fmt.Fprintf(&b, "\nnearest known devices (Pearson correlation of reference latencies):\n")
		for _, m := range r.nearest {
			fmt.Fprintf(&b, "  %-16s %-5s %.4f\n", m.Name, m.Split, m.Similarity)
		}
	}
	if len(r.unstable) > 0 {
		fmt.Fprintf(&b, "\nwarning: %d timings stayed above the spread limit (%.0f%%) and are marked unstable:\n", len(r.unstable), 100*p.Protocol.MaxSpread)
		for _, u := range r.unstable {
			fmt.Fprintf(&b, "  %s\n", u)
		}
	}
	phases := make([]string, 0, len(r.phaseTime))
	for k, d := range r.phaseTime {
		phases = append(phases, fmt.Sprintf("%s %.1fs", k, d.Seconds()))
	}
	slices.Sort(phases)
	fmt.Fprintf(&b, "\nwall time %.1fs (%s)\n", wall.Seconds(), strings.Join(phases, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}

func minMS(ts []measure.Timing) float64 {
	m := ts[0].MS
	for _, t := range ts {
		m = min(m, t.MS)
	}
	return m
}

func maxMS(ts []measure.Timing) float64 {
	m := ts[0].MS
	for _, t := range ts {
		m = max(m, t.MS)
	}
	return m
}

// Repeatability targets of two back-to-back profiles of one machine.
const (
	minReferenceSpearman = 0.98
	maxSupportRelDiff    = 0.10
)

// comparison is how much two profiles of one machine agree.
type comparison struct {
	referenceSpearman float64
	referenceRelDiff  float64 // median |a-b|/mean(a,b) over reference archs
	supportRelDiff    float64 // the same over support archs in both
	supportCommon     int
	// supportNormDiff is the median |a-b| of the support latencies each
	// normalised by its own profile's anchors: what the predictor sees,
	// immune to a uniform slowdown of the whole machine.
	supportNormDiff float64
}

// compareProfiles compares the reference vectors and the support timings
// of the architectures both profiles measured.
func compareProfiles(a, b *measure.Profile) (comparison, error) {
	var c comparison
	if a.Space != b.Space {
		return c, fmt.Errorf("profiles are of different spaces (%s, %s)", a.Space, b.Space)
	}
	for i := range a.Reference {
		if a.Reference[i].Arch != b.Reference[i].Arch {
			return c, fmt.Errorf("reference[%d] differs: %s vs %s", i, a.Reference[i].Arch, b.Reference[i].Arch)
		}
	}
	ra, rb := a.ReferenceMS(), b.ReferenceMS()
	c.referenceSpearman = rank.Spearman(ra, rb)
	c.referenceRelDiff = medianRelDiff(ra, rb)
	bySupport := map[string]float64{}
	for _, t := range b.Support {
		bySupport[t.Arch] = t.MS
	}
	var sa, sb, na []float64
	na0, nb0 := a.Normaliser(), b.Normaliser()
	for _, t := range a.Support {
		if ms, ok := bySupport[t.Arch]; ok {
			sa, sb = append(sa, t.MS), append(sb, ms)
			na = append(na, fabs(na0.Normalise(t.MS)-nb0.Normalise(ms)))
		}
	}
	if len(sa) == 0 {
		return c, errors.New("the profiles share no support architecture (profile both with the same -seed)")
	}
	c.supportCommon = len(sa)
	c.supportRelDiff = medianRelDiff(sa, sb)
	slices.Sort(na)
	c.supportNormDiff = medianSorted(na)
	return c, nil
}

func medianRelDiff(a, b []float64) float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = 2 * fabs(a[i]-b[i]) / (a[i] + b[i])
	}
	slices.Sort(d)
	return medianSorted(d)
}

func medianSorted(d []float64) float64 {
	n := len(d)
	if n%2 == 1 {
		return d[n/2]
	}
	return (d[n/2-1] + d[n/2]) / 2
}

func fabs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func readProfileFile(path string) (*measure.Profile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	p, err := measure.Read(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// runCompare prints the repeatability of two profiles and fails if it
// misses the targets.
func runCompare(pathA, pathB string, stdout io.Writer) error {
	a, err := readProfileFile(pathA)
	if err != nil {
		return err
	}
	b, err := readProfileFile(pathB)
	if err != nil {
		return err
	}
	c, err := compareProfiles(a, b)
	if err != nil {
		return err
	}
	verdict := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "MISSED"
	}
	refOK := c.referenceSpearman >= minReferenceSpearman
	supOK := c.supportRelDiff <= maxSupportRelDiff
	fmt.Fprintf(stdout, "reference latencies: spearman %.4f (target >= %.2f: %s), median relative difference %.1f%%\n",
		c.referenceSpearman, minReferenceSpearman, verdict(refOK), 100*c.referenceRelDiff)
	fmt.Fprintf(stdout, "support latencies (%d in both): median relative difference %.1f%% (target <= %.0f%%: %s)\n",
		c.supportCommon, 100*c.supportRelDiff, 100*maxSupportRelDiff, verdict(supOK))
	fmt.Fprintf(stdout, "support latencies normalised by each profile's anchors (what the predictor sees): median difference %.3f on the 0.05..0.95 scale\n",
		c.supportNormDiff)
	if !refOK || !supOK {
		return errors.New("repeatability targets missed")
	}
	return nil
}
