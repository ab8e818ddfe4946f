// Package worker is the logic of the page's measuring Web Worker, kept free
// of browser APIs so it runs and is tested natively: it profiles the device
// (times networks with the engine under the measure protocol), adapts the
// predictor, validates it against baselines, predicts and explores the search
// space, and imports and exports device profiles. wasm/worker only moves
// protocol messages between postMessage and Service.Handle.
//
// # Concurrency
//
// Handle never blocks: cancel and visibility requests take effect at once;
// every other request runs in its own goroutine, one at a time (a request
// arriving while another runs is answered with a "busy" error). Results are
// reported through Config.Emit, which may be called from any goroutine.
//
// # Drift between phases
//
// A profile measures the reference and anchor networks first and the
// support samples second; their latencies only make sense together if the
// machine ran at the same speed throughout. The support phase therefore
// times two of the first phase's networks again (the two middle reference
// networks), and the support timings are divided by the geometric mean k
// of the two slow-down ratios before they are stored (the exported profile
// holds the rescaled values) and used for adaptation; if the two ratios
// disagree by more than 25%, noise dominates and k = 1. Result.Drift
// reports k. Measuring a single network re-times the same two networks to
// express it at the profile's speed.
//
// In a browser, Go's WASM runtime is single-threaded and only delivers
// messages when every goroutine is blocked, so long work calls Config.Yield
// between timed samples (never inside one) to let cancel and visibility
// messages in.
package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// Config is what a Service needs. Model, Atlas and Emit are required.
type Config struct {
	Model *predictor.Model
	Atlas *atlas.Atlas
	// Emit delivers an event to the UI.
	Emit func(protocol.Event)
	// Yield lets the host deliver pending messages; nil does nothing.
	Yield func()
	// Clock times everything; nil means measure.SystemClock().
	Clock measure.Clock
	// Runtime is recorded in profiles (GOOS, user agent, ...).
	Runtime measure.Runtime
	// Options returns the measurement preset for a mode; nil means
	// measure.Quick and measure.Thorough.
	Options func(mode string) measure.Options
	// NewItem returns the thing timed for an architecture; nil means the
	// engine's network with NetworkSeed.
	NewItem func(a nasbench201.Arch) measure.Item
	// Now returns the wall-clock time recorded in profiles; nil: time.Now.
	Now func() time.Time
}

// NetworkSeed seeds the engine's pseudo-random weights; timings do not
// depend on weight values, so any fixed seed will do.
const NetworkSeed = 1

// Service answers protocol requests; see the package comment.
type Service struct {
	cfg       Config
	order     nasbench201.TypeOrder
	clockStep time.Duration

	job    sync.Mutex // held by the running request
	ctrl   sync.Mutex // guards cancel
	cancel context.CancelFunc
	hidden atomic.Bool

	// Guarded by job.
	dev   *device          // the current profile; nil before the first
	batch *predictor.Batch // every architecture, planned for bulk prediction
}

// device is a profile and the predictor adapted to it. A profile run
// builds a new one and makes it current only when it completes, so a
// cancelled run leaves the previous profile in place.
type device struct {
	profile   *measure.Profile
	adapted   *predictor.Adapted // HELP's protocol: mean over 10 samples of z
	meanZ     *predictor.Adapted // z at its mean: 10x cheaper, for interactive use
	norm      measure.Normaliser
	embedding []float64
	seed      uint64
}

// New checks cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Model == nil || cfg.Atlas == nil || cfg.Emit == nil {
		return nil, errors.New("worker: Config needs Model, Atlas and Emit")
	}
	if cfg.Model.Config.Space != "" && cfg.Model.Config.Space != cfg.Atlas.Space {
		return nil, fmt.Errorf("worker: weights are for space %q, atlas for %q", cfg.Model.Config.Space, cfg.Atlas.Space)
	}
	if len(cfg.Atlas.Reference) != cfg.Model.Config.EmbedDim {
		return nil, fmt.Errorf("worker: atlas has %d reference architectures, weights expect %d", len(cfg.Atlas.Reference), cfg.Model.Config.EmbedDim)
	}
	order := nasbench201.DefaultTypeOrder
	if s := cfg.Model.Meta.Encoding; s != "" {
		o, err := nasbench201.ParseTypeOrder(s)
		if err != nil {
			return nil, fmt.Errorf("worker: weights' type order: %w", err)
		}
		order = o
	}
	if cfg.Clock == nil {
		cfg.Clock = measure.SystemClock()
	}
	if cfg.Yield == nil {
		cfg.Yield = func() {}
	}
	if cfg.Options == nil {
		cfg.Options = func(mode string) measure.Options {
			if mode == protocol.ModeThorough {
				return measure.Thorough()
			}
			return measure.Quick()
		}
	}
	if cfg.NewItem == nil {
		cfg.NewItem = func(a nasbench201.Arch) measure.Item {
			return measure.ItemFunc(engine.New(a, NetworkSeed).Forward)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg, order: order}
	s.clockStep = measure.Resolution(cfg.Clock, time.Millisecond)
	s.cfg.Runtime.ClockResolutionNS = s.clockStep.Nanoseconds()
	return s, nil
}

// Ready describes the service for the UI's first render.
func (s *Service) Ready(loadMS float64) protocol.Ready {
	r := protocol.Ready{
		Space:       s.cfg.Atlas.Space,
		Devices:     len(s.cfg.Atlas.Devices),
		ClockStepUS: float64(s.clockStep) / float64(time.Microsecond),
		LoadMS:      loadMS,
		Reference:   slices.Clone(s.cfg.Atlas.Reference),
	}
	if p := s.cfg.Runtime.CrossOriginIsolated; p != nil {
		r.Isolated = *p
	}
	r.ExampleArchs = append(r.ExampleArchs, s.cfg.Atlas.Anchors.Fastest, s.cfg.Atlas.Anchors.Slowest)
	if len(s.cfg.Atlas.Candidates) > 0 {
		r.ExampleArchs = append(r.ExampleArchs, s.cfg.Atlas.Candidates[0].Arch)
	}
	return r
}

// Handle starts answering req; see the package comment.
func (s *Service) Handle(req protocol.Request) {
	switch req.Kind {
	case protocol.KindCancel:
		s.ctrl.Lock()
		if s.cancel != nil {
			s.cancel()
		}
		s.ctrl.Unlock()
		return
	case protocol.KindVisibility:
		s.hidden.Store(req.Hidden)
		return
	}
	if !s.job.TryLock() {
		s.fail(req.ID, errors.New("busy: wait for the running measurement to finish, or cancel it"))
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ctrl.Lock()
	s.cancel = cancel
	s.ctrl.Unlock()
	go func() {
		// The request's last event goes out after the job lock is
		// released, so a request sent in reply to it is never "busy".
		final := s.runJob(ctx, req)
		s.ctrl.Lock()
		s.cancel = nil
		s.ctrl.Unlock()
		cancel()
		s.job.Unlock()
		s.cfg.Emit(final)
	}()
}

// runJob runs req and returns its final event (result, error or
// cancelled). A panic (a bug) is reported as an error rather than taking
// the worker down.
func (s *Service) runJob(ctx context.Context, req protocol.Request) (final protocol.Event) {
	defer func() {
		if r := recover(); r != nil {
			final = protocol.Event{ID: req.ID, Kind: protocol.KindError, Message: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	ev, err := s.run(ctx, req)
	switch {
	case err == nil:
		return ev
	case errors.Is(err, context.Canceled):
		return protocol.Event{ID: req.ID, Kind: protocol.KindCancelled, Message: "cancelled"}
	}
	return protocol.Event{ID: req.ID, Kind: protocol.KindError, Message: err.Error()}
}

func (s *Service) fail(id int, err error) {
	s.cfg.Emit(protocol.Event{ID: id, Kind: protocol.KindError, Message: err.Error()})
}

// run runs req and returns its final event.
func (s *Service) run(ctx context.Context, req protocol.Request) (protocol.Event, error) {
	switch req.Kind {
	case protocol.KindProfile:
		return s.runProfile(ctx, req.ID, *req.Profile)
	case protocol.KindPredict:
		return s.runPredict(req.ID, req.Arch)
	case protocol.KindMeasure:
		return s.runMeasure(ctx, req.ID, req.Arch)
	case protocol.KindExplore:
		return s.runExplore(req.ID)
	case protocol.KindExport:
		return s.runExport(req.ID)
	case protocol.KindImport:
		return s.runImport(req.ID, req.ProfileJSON)
	}
	return protocol.Event{}, fmt.Errorf("unknown request kind %q", req.Kind)
}

// ErrNoProfile is returned for requests that need an adapted predictor.
var ErrNoProfile = errors.New("profile this device first (or import a profile)")

// parseArch parses a visitor's architecture string with a message that
// says what a valid one looks like.
func parseArch(s string) (nasbench201.Arch, error) {
	a, err := nasbench201.Parse(strings.TrimSpace(s))
	if err != nil {
		return a, fmt.Errorf("%w (expected e.g. |nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|)", err)
	}
	return a, nil
}

func (s *Service) encode(dst []float64, a nasbench201.Arch) []float64 {
	return nasbench201.Encode(dst, a, s.order)
}

func (s *Service) encodeString(arch string) ([]float64, error) {
	a, err := nasbench201.Parse(arch)
	if err != nil {
		return nil, err
	}
	return s.encode(nil, a), nil
}

// predictMS is the interactive prediction (editor, measured table, explore):
// z at its mean, one adapted model instead of HELP's average over 10 samples
// of z. It is 10x cheaper and ranks as well (predictor's
// TestMeanZRanksLikeSampling); the validation plots use the 10 samples.
func (s *Service) predictMS(d *device, a nasbench201.Arch) float64 {
	return d.norm.Denormalise(d.meanZ.Predict(s.encode(nil, a)))
}

func (s *Service) runPredict(id int, arch string) (protocol.Event, error) {
	a, err := parseArch(arch)
	if err != nil {
		return protocol.Event{}, err
	}
	if s.dev == nil {
		return protocol.Event{}, ErrNoProfile
	}
	t0 := s.cfg.Clock.Now()
	ms := s.predictMS(s.dev, a)
	took := s.cfg.Clock.Now() - t0
	return protocol.Event{ID: id, Kind: protocol.KindPrediction, Prediction: &protocol.Prediction{
		Arch: a.String(), MS: ms,
		MFLOPs: float64(nasbench201.FLOPs(a)) / 1e6,
		Params: float64(nasbench201.Params(a)) / 1e6,
		TookMS: ms64(took),
	}}, nil
}

func (s *Service) runMeasure(ctx context.Context, id int, arch string) (protocol.Event, error) {
	a, err := parseArch(arch)
	if err != nil {
		return protocol.Event{}, err
	}
	archs := []nasbench201.Arch{a}
	var checks []measure.Timing
	var seed uint64 = 7
	if d := s.dev; d != nil {
		// Time two of the profile's networks alongside, to express the
		// result at the speed the profile was taken at (see Drift).
		seed += d.seed
		ref := d.profile.Reference
		mid := middleTwo(func(i int) float64 { return ref[i].MS }, len(ref))
		checks = []measure.Timing{ref[mid[0]], ref[mid[1]]}
		for _, c := range checks {
			ca, err := nasbench201.Parse(c.Arch)
			if err != nil {
				return protocol.Event{}, err
			}
			archs = append(archs, ca)
		}
	}
	res, err := s.measureArchs(ctx, archs, s.options(ctx, protocol.ModeQuick, protocol.PhaseValidation, id, seed))
	if err != nil {
		return protocol.Event{}, err
	}
	m := &protocol.Measured{Arch: a.String(), MS: res[0].MS, Spread: res[0].Spread, Stable: res[0].Stable, Drift: 1}
	if s.dev != nil {
		m.Drift = driftOf(res[1].MS/checks[0].MS, res[2].MS/checks[1].MS)
		m.PredictedMS = s.predictMS(s.dev, a)
	}
	m.RescaledMS = m.MS / m.Drift
	return protocol.Event{ID: id, Kind: protocol.KindMeasured, Measured: m}, nil
}

// options returns the measurement options for one phase of request id.
// They report progress, pause while the tab is hidden, and yield to the
// host at the protocol's checkpoints (before every run, outside any timed
// region) about every 50 ms, so a cancel message is seen within about one
// forward pass.
func (s *Service) options(ctx context.Context, mode, phase string, id int, seed uint64) measure.Options {
	o := s.cfg.Options(mode)
	o.Seed = seed
	o.Phase = phase
	o.Clock = s.cfg.Clock
	o.Resolution = s.clockStep
	var lastYield, lastEmit time.Duration
	o.Interrupted = func() bool {
		if now := s.cfg.Clock.Now(); now-lastYield > 50*time.Millisecond {
			lastYield = now
			s.cfg.Yield()
		}
		// A cancelled run counts as interrupted, so measure stops at
		// this checkpoint rather than after one more run.
		return s.hidden.Load() || ctx.Err() != nil
	}
	var paused bool
	o.Progress = func(p measure.Progress) {
		now := s.cfg.Clock.Now()
		isPaused := p.Step == "paused" && s.hidden.Load()
		if isPaused && !paused {
			s.cfg.Emit(protocol.Event{ID: 0, Kind: protocol.KindWarning,
				Message: "This tab is hidden: measuring is paused (browsers slow hidden tabs down) and the interrupted round will be repeated."})
		}
		if isPaused != paused || now-lastEmit > 100*time.Millisecond || p.Done >= p.Total {
			lastEmit = now
			s.cfg.Emit(protocol.Event{ID: id, Kind: protocol.KindProgress, Progress: &protocol.Progress{
				Phase: p.Phase, Step: p.Step, Done: p.Done, Total: p.Total, Paused: isPaused}})
		}
		paused = isPaused
	}
	return o
}

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measureArchs times archs in one interleaved measurement.
func (s *Service) measureArchs(ctx context.Context, archs []nasbench201.Arch, opts measure.Options) ([]measure.Result, error) {
	items := make([]measure.Item, len(archs))
	for i, a := range archs {
		items[i] = s.cfg.NewItem(a)
	}
	return measure.Measure(ctx, items, opts)
}

// middleTwo returns the indices of the two middle values of ms(0..n-1).
// Mid-sized networks make good speed checks: tiny ones can run within one
// scheduler time slice and miss a slow-down that larger ones see.
func middleTwo(ms func(int) float64, n int) [2]int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ms(idx[a]) < ms(idx[b]) })
	return [2]int{idx[(n-1)/2], idx[n/2]}
}

// driftOf combines the slow-down ratios of the two check networks into one
// factor, their geometric mean. If they disagree by more than 25% the
// timings are too noisy to tell a drift from noise, and it returns 1 (no
// correction).
func driftOf(r1, r2 float64) float64 {
	if !(r1 > 0 && r2 > 0) || max(r1, r2)/min(r1, r2) > 1.25 {
		return 1
	}
	return math.Sqrt(r1 * r2)
}

func mustParseAll(ss []string) ([]nasbench201.Arch, error) {
	out := make([]nasbench201.Arch, len(ss))
	for i, str := range ss {
		a, err := nasbench201.Parse(str)
		if err != nil {
			return nil, fmt.Errorf("atlas architecture %d: %w", i, err)
		}
		out[i] = a
	}
	return out, nil
}

func (s *Service) runProfile(ctx context.Context, id int, req protocol.ProfileRequest) (protocol.Event, error) {
	at := s.cfg.Atlas
	start := s.cfg.Clock.Now()
	var times protocol.PhaseTimes
	drawn, err := draw.Draw(at, req.Support, req.Validation, req.Seed)
	if err != nil {
		return protocol.Event{}, err
	}
	sup, val := drawn.Support, drawn.Validation
	fixedStr := append(slices.Clone(at.Reference), at.Anchors.Fastest, at.Anchors.Slowest)
	fixed, err := mustParseAll(fixedStr)
	if err != nil {
		return protocol.Event{}, err
	}

	// Phase 1: reference + anchors, interleaved so drift hits them alike.
	opts := s.options(ctx, req.Mode, protocol.PhaseReference, id, req.Seed)
	t := s.cfg.Clock.Now()
	refRes, err := s.measureArchs(ctx, fixed, opts)
	if err != nil {
		return protocol.Event{}, err
	}
	times.Reference = ms64(s.cfg.Clock.Now() - t)

	p := &measure.Profile{
		Format:   measure.Format,
		Version:  measure.Version,
		Space:    at.Space,
		Created:  s.cfg.Now().UTC(),
		Runtime:  s.cfg.Runtime,
		Protocol: measure.ProtocolOf(req.Mode, opts),
	}
	n := len(at.Reference)
	for i := range n {
		p.Reference = append(p.Reference, measure.TimingOf(fixedStr[i], refRes[i]))
	}
	p.Anchors.Fastest = measure.TimingOf(fixedStr[n], refRes[n])
	p.Anchors.Slowest = measure.TimingOf(fixedStr[n+1], refRes[n+1])

	// Phase 2: support samples, interleaved with two of phase 1's
	// networks (the two middle reference networks by latency) timed again.
	// If the machine got slower or faster between the phases (another
	// program, thermal throttling), the support latencies would no longer
	// match the scale set by the anchors; their ratio k measures that and
	// the support timings are rescaled to phase 1's conditions.
	checks := middleTwo(func(i int) float64 { return refRes[i].MS }, n)
	t = s.cfg.Clock.Now()
	supRes, err := s.measureArchs(ctx, append(slices.Clone(sup), fixed[checks[0]], fixed[checks[1]]), s.options(ctx, req.Mode, protocol.PhaseSupport, id, req.Seed+1))
	if err != nil {
		return protocol.Event{}, err
	}
	times.Support = ms64(s.cfg.Clock.Now() - t)
	drift := driftOf(supRes[len(sup)].MS/refRes[checks[0]].MS, supRes[len(sup)+1].MS/refRes[checks[1]].MS)
	for i, a := range sup {
		tm := measure.TimingOf(a.String(), supRes[i])
		tm.MS /= drift
		p.Support = append(p.Support, tm)
	}

	// Adapt.
	t = s.cfg.Clock.Now()
	s.cfg.Emit(protocol.Event{ID: id, Kind: protocol.KindProgress, Progress: &protocol.Progress{Phase: protocol.PhaseAdapt, Step: "adapting", Done: 0, Total: 1}})
	d, err := s.adopt(p, req.Seed)
	if err != nil {
		return protocol.Event{}, err
	}
	times.Adapt = ms64(s.cfg.Clock.Now() - t)
	s.cfg.Yield()

	// Phase 3: validation samples.
	var valRes []measure.Result
	if len(val) > 0 {
		t = s.cfg.Clock.Now()
		valRes, err = s.measureArchs(ctx, val, s.options(ctx, req.Mode, protocol.PhaseValidation, id, req.Seed+2))
		if err != nil {
			return protocol.Event{}, err
		}
		times.Validation = ms64(s.cfg.Clock.Now() - t)
		v := &measure.Validation{}
		for i, a := range val {
			tm := measure.TimingOf(a.String(), valRes[i])
			pred := s.predictMS(d, a)
			tm.PredictedMS = &pred
			v.Samples = append(v.Samples, tm)
		}
		p.Validation = v
	}
	times.Total = ms64(s.cfg.Clock.Now() - start)

	res, err := s.describe(d, req.Mode, false)
	if err != nil {
		return protocol.Event{}, err
	}
	res.PhaseMS = times
	res.Drift = drift
	s.dev = d
	return protocol.Event{ID: id, Kind: protocol.KindResult, Result: res}, nil
}

// adopt adapts the predictor to profile p (embedding, scale, support).
func (s *Service) adopt(p *measure.Profile, seed uint64) (*device, error) {
	emb := p.Embedding()
	for _, v := range emb {
		if math.IsNaN(v) {
			return nil, errors.New("all reference architectures took the same time: the clock is too coarse to profile this device")
		}
	}
	norm := p.Normaliser()
	xs, ys, err := p.SupportSet(s.encodeString)
	if err != nil {
		return nil, err
	}
	ad, err := s.cfg.Model.Adapt(emb, xs, ys, predictor.AdaptOptions{Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("adapting the predictor: %w", err)
	}
	mean, err := s.cfg.Model.Adapt(emb, xs, ys, predictor.AdaptOptions{Mode: predictor.ZMean, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("adapting the predictor: %w", err)
	}
	return &device{profile: p, adapted: ad, meanZ: mean, norm: norm, embedding: emb, seed: seed}, nil
}

// describe turns the current profile into what the UI shows, filling the
// profile's validation correlations and nearest devices as it goes.
func (s *Service) describe(d *device, mode string, imported bool) (*protocol.Result, error) {
	at := s.cfg.Atlas
	p := d.profile
	res := &protocol.Result{Mode: mode, Imported: imported, Embedding: slices.Clone(d.embedding),
		ScaleMS:     [2]float64{d.norm.Min, d.norm.Max},
		ClockStepUS: float64(p.Runtime.ClockResolutionNS) / 1e3,
		Meta:        protocol.ProfileSource{Runtime: p.Runtime.GOOS + "/" + p.Runtime.GOARCH + " " + p.Runtime.GoVersion, UserAgent: p.Runtime.UserAgent, Taken: p.Created.Format(time.RFC3339)},
	}
	for _, tm := range p.Reference {
		res.Reference = append(res.Reference, protocol.ArchMS{Arch: tm.Arch, MS: tm.MS})
	}
	res.Anchors = []protocol.ArchMS{{Arch: p.Anchors.Fastest.Arch, MS: p.Anchors.Fastest.MS}, {Arch: p.Anchors.Slowest.Arch, MS: p.Anchors.Slowest.MS}}
	for _, tm := range p.Support {
		res.Support = append(res.Support, protocol.ArchMS{Arch: tm.Arch, MS: tm.MS})
	}
	for _, tm := range slices.Concat(p.Reference, []measure.Timing{p.Anchors.Fastest, p.Anchors.Slowest}, p.Support) {
		if tm.Unstable {
			res.Unstable = append(res.Unstable, tm.Arch)
		}
	}

	refMS := p.ReferenceMS()
	p.Nearest = p.Nearest[:0]
	for _, m := range at.Nearest(refMS, 5) {
		res.Nearest = append(res.Nearest, protocol.Nearest{Device: m.Name, Split: string(m.Split), Similarity: m.Similarity})
		p.Nearest = append(p.Nearest, measure.Neighbour{Device: m.Name, Similarity: m.Similarity})
	}
	for _, mp := range at.Map2D() {
		res.Map = append(res.Map, protocol.MapPoint{Device: mp.Name, Split: string(mp.Split), X: mp.X, Y: mp.Y})
	}
	self := at.Project(d.embedding)
	res.Map = append(res.Map, protocol.MapPoint{Device: "this device", X: self.X, Y: self.Y, Self: true})

	// A single interactive prediction's cost, the median of a few.
	if len(p.Support) > 0 {
		a, _ := nasbench201.Parse(p.Support[0].Arch)
		var took []float64
		for range 5 {
			t0 := s.cfg.Clock.Now()
			s.predictMS(d, a)
			took = append(took, ms64(s.cfg.Clock.Now()-t0))
		}
		slices.Sort(took)
		res.PredictOneMS = took[len(took)/2]
	}

	if p.Validation != nil && len(p.Validation.Samples) > 1 {
		if err := s.validate(d, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// validate compares HELP, the FLOPs baseline and the nearest-device baseline
// on the profile's validation samples, and shows adaptation step by step.
func (s *Service) validate(d *device, res *protocol.Result) error {
	at := s.cfg.Atlas
	p := d.profile
	v := p.Validation
	archs := make([]nasbench201.Arch, len(v.Samples))
	xs := make([][]float64, len(v.Samples))
	measured := make([]float64, len(v.Samples))
	for i, tm := range v.Samples {
		a, err := nasbench201.Parse(tm.Arch)
		if err != nil {
			return fmt.Errorf("validation[%d]: %w", i, err)
		}
		archs[i], xs[i], measured[i] = a, s.encode(nil, a), tm.MS
	}
	compare := func(method, unit string, pred []float64) protocol.Comparison {
		c := protocol.Comparison{Method: method, Unit: unit, Spearman: rank.Spearman(pred, measured), Kendall: rank.Kendall(pred, measured)}
		for i := range pred {
			c.Points = append(c.Points, protocol.XYPair{Arch: v.Samples[i].Arch, Predicted: pred[i], Measured: measured[i]})
		}
		return c
	}

	help := d.norm.DenormaliseTo(nil, d.adapted.PredictTo(nil, xs))
	for i := range v.Samples {
		v.Samples[i].PredictedMS = &help[i]
	}
	hc := compare("HELP", "ms", help)
	hc.OnScale = true
	v.Spearman, v.Kendall = hc.Spearman, hc.Kendall
	res.Validation = append(res.Validation, hc)

	flops := make([]float64, len(archs))
	for i, a := range archs {
		flops[i] = float64(nasbench201.FLOPs(a)) / 1e6
	}
	fc := compare("FLOPs", "MFLOPs", flops)
	res.Validation = append(res.Validation, fc)
	v.Baselines = map[string]measure.Correlation{"flops": {Spearman: fc.Spearman, Kendall: fc.Kendall}}

	// Nearest meta-train device, by correlation of reference latencies.
	if near := at.NearestBy(p.ReferenceMS(), 1, atlas.Pearson, atlas.Train); len(near) == 1 {
		poolMS, _ := at.PoolMS(near[0].Name)
		idx := map[string]int{}
		for i, a := range at.PoolArchs {
			idx[a] = i
		}
		pred := make([]float64, 0, len(archs))
		ok := true
		for _, a := range archs {
			j, found := idx[a.String()]
			if !found {
				ok = false // an imported profile's samples may lie outside the pool
				break
			}
			pred = append(pred, poolMS[j])
		}
		if ok {
			nc := compare("nearest device ("+near[0].Name+")", "ms", pred)
			res.Validation = append(res.Validation, nc)
			v.Baselines["nearest_device"] = measure.Correlation{Spearman: nc.Spearman, Kendall: nc.Kendall}
		}
	}

	// Teaching: the prior, then after each inner step.
	norm := d.norm
	ys, supY, err := p.SupportSet(s.encodeString)
	if err != nil {
		return err
	}
	for _, step := range []int{predictor.NoSteps, 1, 2} {
		ad, err := s.cfg.Model.Adapt(d.embedding, ys, supY, predictor.AdaptOptions{Steps: step, Seed: d.seed})
		if err != nil {
			return fmt.Errorf("adapting step by step: %w", err)
		}
		name := fmt.Sprintf("after step %d", step)
		if step == predictor.NoSteps {
			name = "before adaptation"
		}
		sc := compare(name, "ms", norm.DenormaliseTo(nil, ad.PredictTo(nil, xs)))
		sc.OnScale = true
		res.Steps = append(res.Steps, sc)
	}
	return nil
}

func (s *Service) runExplore(id int) (protocol.Event, error) {
	if s.dev == nil {
		return protocol.Event{}, ErrNoProfile
	}
	t0 := s.cfg.Clock.Now()
	planned := s.planAll()
	t1 := s.cfg.Clock.Now()
	all := s.predictAll()
	took := ms64(s.cfg.Clock.Now() - t1)

	ex := &protocol.Explored{Count: len(all), TookMS: took, Histogram: histogram(all, 40), MeanZ: true}
	if planned {
		ex.PlanMS = ms64(t1 - t0)
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return all[order[i]] < all[order[j]] })
	for _, i := range order[:10] {
		ex.Fastest = append(ex.Fastest, protocol.ArchMS{Arch: nasbench201.FromIndex(i).String(), MS: all[i]})
	}
	for _, c := range s.cfg.Atlas.Candidates {
		a, err := nasbench201.Parse(c.Arch)
		if err != nil {
			return protocol.Event{}, fmt.Errorf("atlas candidate %q: %w", c.Arch, err)
		}
		ex.Candidates = append(ex.Candidates, protocol.Candidate{Arch: c.Arch, Accuracy: c.Accuracy, PredictedMS: all[a.Index()]})
	}
	return protocol.Event{ID: id, Kind: protocol.KindExplored, Explored: ex}, nil
}

// planAll encodes the whole space and plans the predictor's bulk
// evaluation (shared GCN node states) once; it reports whether it did now.
// The plan depends only on the architectures, not on the device.
func (s *Service) planAll() bool {
	if s.batch == nil {
		n := nasbench201.NumArchs
		buf := make([]float64, n*nasbench201.EncodedLen)
		xs := make([][]float64, n)
		for i := range xs {
			xs[i] = s.encode(buf[i*nasbench201.EncodedLen:(i+1)*nasbench201.EncodedLen], nasbench201.FromIndex(i))
		}
		s.batch = s.cfg.Model.NewBatch(xs)
		return true
	}
	return false
}

// predictAll returns the predicted latency (ms) of every architecture, in
// nasbench201 index order.
func (s *Service) predictAll() []float64 {
	s.planAll()
	all := s.dev.meanZ.PredictBatchTo(nil, s.batch)
	return s.dev.norm.DenormaliseTo(all, all)
}

// histogram bins xs into n equal-width bins between their min and max.
func histogram(xs []float64, n int) protocol.Histogram {
	lo, hi := slices.Min(xs), slices.Max(xs)
	if hi <= lo {
		hi = lo + 1
	}
	h := protocol.Histogram{Edges: make([]float64, n+1), Counts: make([]int, n)}
	w := (hi - lo) / float64(n)
	for i := range h.Edges {
		h.Edges[i] = lo + float64(i)*w
	}
	for _, x := range xs {
		b := min(int((x-lo)/w), n-1)
		h.Counts[b]++
	}
	return h
}

func (s *Service) runExport(id int) (protocol.Event, error) {
	if s.dev == nil {
		return protocol.Event{}, ErrNoProfile
	}
	var sb strings.Builder
	if err := s.dev.profile.Write(&sb); err != nil {
		return protocol.Event{}, fmt.Errorf("writing the profile: %w", err)
	}
	return protocol.Event{ID: id, Kind: protocol.KindExported, ProfileJSON: sb.String()}, nil
}

func (s *Service) runImport(id int, doc string) (protocol.Event, error) {
	p, err := measure.Read(strings.NewReader(doc))
	if err != nil {
		return protocol.Event{}, fmt.Errorf("this is not a usable device profile: %w", err)
	}
	if p.Space != s.cfg.Atlas.Space {
		return protocol.Event{}, fmt.Errorf("this profile is for the %q search space; the page predicts %q", p.Space, s.cfg.Atlas.Space)
	}
	if len(p.Reference) != len(s.cfg.Atlas.Reference) {
		return protocol.Event{}, fmt.Errorf("this profile has %d reference architectures; the page needs %d", len(p.Reference), len(s.cfg.Atlas.Reference))
	}
	for i, tm := range p.Reference {
		if tm.Arch != s.cfg.Atlas.Reference[i] {
			return protocol.Event{}, fmt.Errorf("reference[%d] is %s, expected %s: the profile was taken with other reference architectures", i, tm.Arch, s.cfg.Atlas.Reference[i])
		}
	}
	d, err := s.adopt(p, p.Protocol.Seed)
	if err != nil {
		return protocol.Event{}, err
	}
	res, err := s.describe(d, p.Protocol.Preset, true)
	if err != nil {
		return protocol.Event{}, err
	}
	s.dev = d
	return protocol.Event{ID: id, Kind: protocol.KindResult, Result: res}, nil
}
