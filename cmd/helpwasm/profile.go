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
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/internal/orderstat"
	"github.com/helpwasm/helpwasm/internal/outfile"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/registry"
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
	// plan is the profile's plan: plan.For the space on the CPU in the
	// mode, as the page's, with -samples, -validate and -rounds applied.
	plan plan.Plan
}

func parseProfileFlags(args []string, stderr io.Writer) (profileFlags, []string, error) {
	var f profileFlags
	fl := flag.NewFlagSet("profile", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: helpwasm profile [flags]\n       helpwasm profile -compare A.json B.json\n\nflags:")
		fl.PrintDefaults()
	}
	fl.StringVar(&f.space, "space", "nasbench201", "search space (one the engine can run: "+strings.Join(registry.Names(), ", ")+")")
	fl.StringVar(&f.weights, "weights", "", "predictor weights (our format or the authors' JSON checkpoint; default: the shipped weights, else the checkpoint in -data)")
	fl.StringVar(&f.atlasPath, "atlas", "", "known-device atlas JSON (default: the shipped atlas, else built from -data)")
	fl.StringVar(&f.data, "data", defaultDataDir(), "HELP data directory (used when no weights or atlas are shipped)")
	fl.IntVar(&f.samples, "samples", 0, "support samples to adapt on (default: the space's plan, as the page's: 10 quick, 20 thorough)")
	fl.IntVar(&f.validate, "validate", 0, "held-out validation architectures to measure and predict, 0 for none (default: the space's plan, as the page's: NAS-Bench-201 40 quick and 50 thorough, FBNet 12 quick, OFA 10 and 20)")
	fl.StringVar(&f.out, "out", "", "write the profile to this file")
	fl.BoolVar(&f.json, "json", false, "print the profile JSON instead of the report")
	fl.Uint64Var(&f.seed, "seed", 1, "seed for the choice of architectures, the measurement order and the predictor's noise")
	quick := fl.Bool("quick", false, "quick measurement protocol (the default)")
	fl.BoolVar(&f.thorough, "thorough", false, "thorough measurement protocol: more and longer samples")
	fl.IntVar(&f.rounds, "rounds", 0, "timed samples per architecture in both phases (default: the space's plan, as the page's: 10 labelled and 6 validation quick, 15 thorough; OFA 8 and 6 quick)")
	fl.StringVar(&f.device, "device", "", "a name for this machine, recorded in the profile")
	fl.IntVar(&f.nearest, "nearest", 3, "known devices to list by embedding similarity")
	fl.StringVar(&f.clock, "clock", "auto", "what times the samples: cpu (this thread's CPU time: steady on a busy machine, Linux only), wall (elapsed time, as the browser measures) or auto (cpu where available)")
	fl.Float64Var(&f.quantile, "quantile", -1, "statistic: this quantile of each architecture's samples (0.5 median, 0 minimum; default: 0 with the cpu clock, 0.25 with the wall clock)")
	fl.BoolVar(&f.compare, "compare", false, "compare two profile files (repeatability) instead of profiling")
	if err := fl.Parse(args); err != nil {
		return f, nil, err
	}
	set := map[string]bool{}
	fl.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	mode := plan.ModeQuick
	if f.thorough {
		mode = plan.ModeThorough
	}
	f.plan = plan.For(f.space, measure.EngineCPU, mode)
	if !set["samples"] {
		f.samples = f.plan.Support
	}
	if !set["validate"] {
		f.validate = f.plan.Validation
	}
	f.plan.Support, f.plan.Validation = f.samples, f.validate
	if f.rounds > 0 {
		f.plan.Effort.LabelledRounds, f.plan.Effort.ValidationRounds = f.rounds, f.rounds
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
	case f.samples < 1 || f.samples > measure.MaxSupport:
		return f, nil, fmt.Errorf("-samples %d: want 1 to %d (what a profile holds)", f.samples, measure.MaxSupport)
	case f.validate < 0 || f.validate > measure.MaxValidation:
		return f, nil, fmt.Errorf("-validate %d: want 0 to %d (what a profile holds)", f.validate, measure.MaxValidation)
	case f.quantile != -1 && !(f.quantile >= 0 && f.quantile <= 1):
		return f, nil, fmt.Errorf("-quantile %g: want a number in [0, 1]", f.quantile)
	case f.clock != "auto" && f.clock != "cpu" && f.clock != "wall":
		return f, nil, fmt.Errorf("-clock %q: want auto, cpu or wall", f.clock)
	}
	if _, err := registry.Lookup(f.space); err != nil {
		return f, nil, fmt.Errorf("-space: %w", err)
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
	if f.out != "" {
		// Refuse a bad -out before the machine is timed, not after.
		if err := outfile.Check(f.out); err != nil {
			return err
		}
	}
	m, err := loadPredictor(f.weights, f.data, f.space)
	if err != nil {
		return err
	}
	at, err := loadAtlas(f.atlasPath, f.data, f.space)
	if err != nil {
		return err
	}
	entry, err := registry.Lookup(f.space)
	if err != nil {
		return err
	}
	// Weights that cannot predict a latency would be found out only after
	// every network was timed: try them on the known devices first.
	if err := checkPredicts(entry, m, at); err != nil {
		return fmt.Errorf("weights %s: %w", weightsName(f.weights, f.space), err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	setup, err := f.setup()
	if err != nil {
		return err
	}
	setup.entry, setup.model, setup.atlas = entry, m, at
	setup.opts.Progress = progressLine(stderr, isTerminal(stderr))
	res, err := profileMachine(ctx, setup)
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

// setup is the profile the flags ask for, but for the space's entry,
// predictor and atlas: the plan's sizes and effort over the mode's
// measure preset, timed by the chosen clock and statistic.
func (f profileFlags) setup() (profileSetup, error) {
	opts, preset := measure.Quick(), plan.ModeQuick
	if f.thorough {
		opts, preset = measure.Thorough(), plan.ModeThorough
	}
	opts.Seed = f.seed
	clockName, clock := measure.ClockWall, measure.SystemClock()
	if c, ok := cpuClock(); ok && f.clock != "wall" {
		clockName, clock = measure.ClockThreadCPU, c
		// A thread's CPU time only ever gains noise (caches refilled after
		// the thread was preempted), so the fastest sample is the best
		// estimate: back-to-back profiles at load 15 on 2 cores agreed to
		// 2-3% with the minimum against 4-41% with the median.
		opts.Quantile = 0
	} else if f.clock == "cpu" {
		return profileSetup{}, errors.New("-clock cpu: this system has no thread CPU clock")
	}
	if f.quantile != -1 {
		opts.Quantile = f.quantile
	}
	effort := f.plan.Effort
	return profileSetup{
		samples: f.plan.Support, validate: f.plan.Validation, seed: f.seed,
		opts: opts, effort: &effort, preset: preset, device: f.device, nearest: f.nearest,
		clock: clock, clockName: clockName,
	}, nil
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

// writeProfileFile writes p through package outfile: never half a
// profile, never over a symlink or a device.
func writeProfileFile(path string, p *measure.Profile) error {
	return outfile.Write(path, p.Write)
}

// loadPredictor reads the weights at path, or the shipped ones, or the
// authors' checkpoint in the data directory if path is empty, and checks
// that they fit the space (checkWeights).
func loadPredictor(path, data, space string) (*predictor.Model, error) {
	if path == "" {
		m, ok, err := shippedModel(space)
		if err != nil {
			return nil, err
		}
		if ok {
			return m, checkWeights(m, space, "shipped weights/"+space+weights.ModelFile)
		}
		path = filepath.Join(data, space, "help_reference_checkpoint.json")
	}
	m, err := predictor.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	if err := checkWeights(m, space, path); err != nil {
		return nil, err
	}
	return m, nil
}

// weightsName names the weights -weights path selects, for errors.
func weightsName(path, space string) string {
	if path == "" {
		return "(the shipped " + space + " weights, or the checkpoint in -data)"
	}
	return path
}

// checkPredicts predicts, unadapted and with z at its mean, the reference
// architectures and anchors of every device in at, as that device's
// milliseconds: each must be a latency (measure.PlausibleMS). Weights that
// fail cannot give a usable latency on a new device either, and profile
// finds that out here rather than after timing every network.
func checkPredicts(entry registry.Entry, m *predictor.Model, at *atlas.Atlas) error {
	enc, err := entry.Encoder(m)
	if err != nil {
		return err
	}
	strs := append(slices.Clone(at.Reference), at.Anchors.Fastest, at.Anchors.Slowest)
	archs, err := space.ParseAll(entry.Space, strs)
	if err != nil {
		return fmt.Errorf("atlas: %w", err)
	}
	xs := make([][]float64, len(archs))
	for i, a := range archs {
		xs[i] = enc.Encode(nil, a)
	}
	var ys []float64
	for _, dev := range at.Devices {
		ad, err := m.Adapt(dev.Embedding, nil, nil, predictor.AdaptOptions{Steps: predictor.NoSteps, Mode: predictor.ZMean})
		if err != nil {
			return fmt.Errorf("on known device %s: %w", dev.Name, err)
		}
		ys = ad.PredictTo(ys, xs)
		lo, hi := minMax(append(slices.Clone(dev.ReferenceMS), dev.AnchorMS[:]...))
		sc := latency.Scale{Min: lo, Max: hi, Portion: latency.LatencyPortion, Tail: true}
		for i, y := range ys {
			if ms := sc.Denormalise(y); !measure.PlausibleMS(ms) {
				return fmt.Errorf("on known device %s the weights predict %s ms for %s (the reference architectures and anchors must get latencies from %g to %g ms): they give no usable latency",
					dev.Name, formatMS(ms), strs[i], measure.MinMS, measure.MaxMS)
			}
		}
	}
	return nil
}

// minMax is the least and greatest of xs.
func minMax(xs []float64) (lo, hi float64) { return slices.Min(xs), slices.Max(xs) }

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
	entry    registry.Entry
	model    *predictor.Model
	atlas    *atlas.Atlas
	samples  int // support
	validate int // validation archs, 0 for none
	seed     uint64
	opts     measure.Options
	// effort, if not nil, is how hard each network is timed, over opts
	// (session.Request.Effort).
	effort  *plan.Effort
	preset  string
	device  string
	nearest int
	// clock times the samples; clockName is recorded in the profile.
	clock     measure.Clock
	clockName string
}

// profileResult is a profile plus what the text report shows.
type profileResult struct {
	profile    *measure.Profile
	outcome    *session.Outcome
	nearest    []atlas.Match
	predictor  string // describes the weights used
	validation *session.Validation
}

// newSession is the device session of entry's space with m and at; the
// engine's networks are timed.
func newSession(entry registry.Entry, m *predictor.Model, at *atlas.Atlas) (*session.Session, error) {
	return session.New(session.Config{
		Space: entry.Space, Model: m, Atlas: at,
		Build: func(a space.Arch) measure.Item { return entry.Item(a, engineSeed) },
	})
}

// engineSeed seeds the engine's pseudo-random weights; timings do not
// depend on weight values.
const engineSeed = 1

// profileMachine profiles this machine by package session's plan, as the
// page does.
func profileMachine(ctx context.Context, s profileSetup) (*profileResult, error) {
	sess, err := newSession(s.entry, s.model, s.atlas)
	if err != nil {
		return nil, err
	}
	// A thread CPU clock only means something if the goroutine stays on
	// one thread; the wall clock does not mind.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	out, err := sess.Profile(ctx, s.request(measure.Resolution(s.clock, 10*time.Millisecond)))
	if err != nil {
		return nil, err
	}
	res := &profileResult{profile: out.Device.Profile, outcome: out, predictor: s.model.Meta.Source, validation: out.Validation}
	if res.predictor == "" {
		res.predictor = "unnamed weights"
	}
	res.nearest = s.atlas.Nearest(res.profile.ReferenceMS(), s.nearest)
	return res, nil
}

// request is the session request of s, timed by a clock of this
// resolution.
func (s profileSetup) request(resolution time.Duration) session.Request {
	s.opts.Clock, s.opts.Resolution = s.clock, resolution
	return session.Request{
		Preset: s.preset, Support: s.samples, Validation: s.validate, Seed: s.seed,
		Options: func(string) measure.Options { return s.opts },
		Effort:  s.effort,
		Runtime: measure.Runtime{
			GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(),
			Clock: s.clockName, ClockResolutionNS: max(1, resolution.Nanoseconds()), CPUs: runtime.NumCPU(),
		},
		Device:  s.device,
		Nearest: s.nearest,
	}
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
	fmt.Fprintf(&b, "profiled %s/%s (%s, %d CPUs), %s clock (resolution %v), %s protocol, %s of %d rounds, plan %s, %d instances\n",
		p.Runtime.GOOS, p.Runtime.GOARCH, p.Runtime.GoVersion, p.Runtime.CPUs,
		p.Runtime.Clock, time.Duration(p.Runtime.ClockResolutionNS), p.Protocol.Preset, stat, p.Protocol.Rounds, p.Protocol.Plan, p.Protocol.Instances)
	fmt.Fprintf(&b, "predictor: %s\n", r.predictor)
	fmt.Fprintf(&b, "\nreference latencies (ms, embedding order):\n")
	for i, t := range p.Reference {
		fmt.Fprintf(&b, "  %2d %9.3f  ±%4.1f%%  %s\n", i, t.MS, 100*t.Spread, t.Arch)
	}
	fmt.Fprintf(&b, "anchors: fastest %.3f ms, slowest %.3f ms\n", p.Anchors.Fastest.MS, p.Anchors.Slowest.MS)
	fmt.Fprintf(&b, "support: %d architectures, %.3f .. %.3f ms\n", len(p.Support), minMS(p.Support), maxMS(p.Support))
	if pr := p.Prediction; pr != nil {
		fmt.Fprintf(&b, "prediction: %s chose %s (leave-one-out on the %d labelled networks: median error %.1f%%)\n",
			pr.Method, session.MethodName(pr.Chosen), len(p.Reference)+2+len(p.Support), 100*pr.LOO[session.MethodAuto].MedianAPE)
	}
	if v, pv := r.validation, p.Validation; v != nil && pv != nil {
		fmt.Fprintf(&b, "\nvalidation (%d held-out architectures, drift %.3f):\n  %10s %10s %10s  %s\n", len(pv.Samples), pv.Drift, "measured", "auto", "HELP", "arch")
		help, _ := v.Find(session.MethodHELP)
		for i, t := range pv.Samples {
			h := math.NaN()
			if help.Predicted != nil {
				h = help.Predicted[i]
			}
			fmt.Fprintf(&b, "  %10.3f %10.3f %10.3f  %s\n", t.MS, *t.PredictedMS, h, t.Arch)
		}
		b.WriteString("\n")
		for _, c := range v.Comparisons {
			ape := "       -"
			if !math.IsNaN(c.MedianAPE) {
				ape = fmt.Sprintf("%7.1f%%", 100*c.MedianAPE)
			}
			fmt.Fprintf(&b, "  %-48s spearman %.3f  kendall %.3f  median error %s\n", c.Label, c.Spearman, c.Kendall, ape)
		}
		fmt.Fprintf(&b, "\n%s\n%s\n%s\n", v.Summary(), v.LeadSummary(), v.StepSummary())
	}
	if len(r.nearest) > 0 {
		fmt.Fprintf(&b, "\nnearest known devices (Pearson correlation of reference latencies):\n")
		for _, m := range r.nearest {
			fmt.Fprintf(&b, "  %-16s %-5s %.4f\n", m.Name, m.Split, m.Similarity)
		}
	}
	if u := r.outcome.Unstable; len(u) > 0 {
		fmt.Fprintf(&b, "\nwarning: %d timings stayed above the spread limit (%.0f%%) and are marked unstable:\n", len(u), 100*p.Protocol.MaxSpread)
		for _, u := range u {
			fmt.Fprintf(&b, "  %s\n", u)
		}
	}
	phases := make([]string, 0, len(r.outcome.PhaseTime))
	for k, d := range r.outcome.PhaseTime {
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
	na0, nb0 := a.Scale(), b.Scale()
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
	c.supportNormDiff = orderstat.Median(na)
	return c, nil
}

func medianRelDiff(a, b []float64) float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = 2 * fabs(a[i]-b[i]) / (a[i] + b[i])
	}
	return orderstat.Median(d)
}

func fabs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// runCompare prints the repeatability of two profiles and fails if it
// misses the targets.
func runCompare(pathA, pathB string, stdout io.Writer) error {
	a, err := measure.ReadFile(pathA)
	if err != nil {
		return err
	}
	b, err := measure.ReadFile(pathB)
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
