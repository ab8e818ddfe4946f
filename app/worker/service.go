// Package worker is the logic of the page's measuring Web Worker, kept free
// of browser APIs so it runs and is tested natively: it profiles the device
// (a session.Session: times networks with the engine under the measure
// protocol, adapts the predictor, validates it against baselines), predicts
// and explores the search space, and imports and exports device profiles. wasm/worker only moves
// protocol messages between postMessage and Service.Handle.
//
// # Concurrency
//
// Handle never blocks: cancel and visibility requests take effect at once;
// every other request runs in its own goroutine, one at a time (a request
// arriving while another runs is answered with a "busy" error). Results are
// reported through Config.Emit, which may be called from any goroutine.
//
// # Profiles
//
// Profiling, adaptation, prediction and validation are package session's,
// which the CLI runs too: the worker adds concurrency, progress messages
// and the views the UI shows. Measuring a single network re-times the
// profile's two drift-check networks to express it at the profile's speed.
//
// # Spaces
//
// The service serves one search space at a time, Config.Space at first.
// Config.Load supplies another space's predictor, atlas and engine the
// first time a request needs it (a KindSpace switch, or an imported
// profile of that space); the service keeps each space's session and last
// profile, so switching back and forth loses nothing.
//
// # Engines
//
// Networks are timed on the CPU (Config.Build, per space Data.Build) or,
// where Config.GPU offers one, on the visitor's GPU, through the same
// session (session.Session.On) and so the same measurement protocol: a
// GPU network's run is a submit and a wait for the queue to finish, and
// measure's calibration takes as many per sample as it takes to sit far
// above the clock's step. Each space keeps a profile per engine, so a CPU
// and a GPU profile are held side by side.
//
// How many networks a profile times and how hard (rounds, warm-up,
// instances, re-measurements) is package plan's: a request's Effort is
// applied as sent, and a request without one gets plan.For the current
// space, engine and mode, as the page would have sent.
//
// In a browser, Go's WASM runtime is single-threaded and only delivers
// messages when every goroutine is blocked, so long work calls Config.Yield
// between timed samples (never inside one) to let cancel and visibility
// messages in.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
)

// Data is what the service needs to serve a search space.
type Data struct {
	Space space.Space
	// Build returns a network of a to time (the engine's, as a measure
	// item); see session.Config.
	Build func(a space.Arch) measure.Item
	Model *predictor.Model
	Atlas *atlas.Atlas
	// Pool lists what explore predicts in a space that is not
	// space.Enumerable (session.Config.Pool); nil in one that is.
	Pool []space.Arch
}

// Config is what a Service needs. Space, Build, Model, Atlas and Emit are
// required.
type Config struct {
	// Space, Build, Model, Atlas and Pool are the first space's Data.
	Space space.Space
	Build func(a space.Arch) measure.Item
	Model *predictor.Model
	Atlas *atlas.Atlas
	Pool  []space.Arch
	// Load returns the Data of the space called name, the first time a
	// request needs it; it may block (the page downloads the files) and
	// its error should say which spaces there are. nil: only Space.
	Load func(name string) (Data, error)
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
	// Now returns the wall-clock time recorded in profiles; nil: time.Now.
	Now func() time.Time
	// GPU, optional, is the visitor's GPU as a second engine; NoGPU says
	// why there is none (shown in the page).
	GPU   *GPU
	NoGPU string
}

// GPU is the visitor's GPU, as an engine to time networks on.
type GPU struct {
	Adapter measure.Adapter
	// Spaces names the search spaces the GPU engine runs.
	Spaces []string
	// Build returns a network of a, of the space called spaceName, on
	// the GPU. It panics if the GPU cannot build it (device lost, out of
	// memory): the request fails with the panic's message.
	Build func(spaceName string, a space.Arch) measure.Item
	// How hard GPU networks are timed is the plan's (plan.For with
	// measure.EngineWebGPU), sent in profile requests like the CPU's.
}

// Service answers protocol requests; see the package comment.
type Service struct {
	cfg       Config
	clockStep time.Duration

	job    sync.Mutex // held by the running request
	ctrl   sync.Mutex // guards cancel
	cancel context.CancelFunc
	hidden atomic.Bool

	// Guarded by job (and read by Ready before the first request).
	spaces map[string]*served // by name, once loaded
	cur    *served            // the space requests are about
}

// served is one loaded search space and what the service knows of it.
type served struct {
	sess   *session.Session
	engine string           // protocol.EngineCPU or EngineGPU
	loadMS float64          // time Config.Load took (0 for the first)
	dev    *session.Device  // the space's current profile; nil before the first
	res    *protocol.Result // dev as last shown
	all    []float64        // scratch: every architecture's prediction
}

// newServed serves d; yield lets the host deliver messages between the
// steps of an adoption (session.Config.Yield).
func newServed(d Data, yield func()) (*served, error) {
	sess, err := session.New(session.Config{Space: d.Space, Model: d.Model, Atlas: d.Atlas, Build: d.Build, Pool: d.Pool, Yield: yield})
	if err != nil {
		return nil, err
	}
	return &served{sess: sess, engine: protocol.EngineCPU}, nil
}

// key is the name under which Service.spaces holds a space's served on
// an engine.
func key(spaceName, engine string) string {
	if engine == protocol.EngineCPU {
		return spaceName
	}
	return spaceName + "@" + engine
}

// New checks cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Emit == nil {
		return nil, errors.New("worker: Config needs Emit")
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
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg}
	first, err := newServed(Data{Space: cfg.Space, Build: cfg.Build, Model: cfg.Model, Atlas: cfg.Atlas, Pool: cfg.Pool}, s.yield)
	if err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	s.spaces, s.cur = map[string]*served{cfg.Space.Name(): first}, first
	s.clockStep = measure.Resolution(cfg.Clock, time.Millisecond)
	s.cfg.Runtime.ClockResolutionNS = s.clockStep.Nanoseconds()
	return s, nil
}

// yield calls Config.Yield (as it is at the time of the call).
func (s *Service) yield() { s.cfg.Yield() }

// Ready describes the service for the UI's first render.
func (s *Service) Ready(loadMS float64) protocol.Ready { return s.ready(s.cur, loadMS) }

// ready describes sv.
func (s *Service) ready(sv *served, loadMS float64) protocol.Ready {
	at := sv.sess.Atlas()
	r := protocol.Ready{
		Space:       sv.sess.Space().Name(),
		Archs:       sv.sess.Size(),
		Candidates:  len(at.Candidates),
		Devices:     len(at.Devices),
		ClockStepUS: float64(s.clockStep) / float64(time.Microsecond),
		LoadMS:      loadMS,
		Reference:   slices.Clone(at.Reference),
		Engine:      sv.engine,
		NoGPU:       s.cfg.NoGPU,
	}
	if g := s.cfg.GPU; g != nil {
		r.GPU = &protocol.GPU{Adapter: g.Adapter.String(), Vendor: g.Adapter.Vendor, Architecture: g.Adapter.Architecture, Spaces: slices.Clone(g.Spaces)}
		r.NoGPU = ""
	}
	if p := s.cfg.Runtime.CrossOriginIsolated; p != nil {
		r.Isolated = *p
	}
	r.ExampleArchs = append(r.ExampleArchs, at.Anchors.Fastest, at.Anchors.Slowest)
	if len(at.Candidates) > 0 {
		r.ExampleArchs = append(r.ExampleArchs, at.Candidates[0].Arch)
	}
	for _, c := range at.Candidates {
		if c.Note != "" {
			r.Presets = append(r.Presets, protocol.Candidate{Arch: c.Arch, Accuracy: c.Accuracy, Note: c.Note})
		}
	}
	return r
}

// load returns the served space called name, loading it on first use.
func (s *Service) load(name string) (*served, error) {
	if sv, ok := s.spaces[name]; ok {
		return sv, nil
	}
	if s.cfg.Load == nil {
		return nil, fmt.Errorf("this page serves only the %s search space", s.cfg.Space.Name())
	}
	t0 := s.cfg.Clock.Now()
	d, err := s.cfg.Load(name)
	if err != nil {
		return nil, err
	}
	if d.Space == nil || d.Space.Name() != name {
		return nil, fmt.Errorf("worker: loading space %q gave another space", name)
	}
	sv, err := newServed(d, s.yield)
	if err != nil {
		return nil, fmt.Errorf("worker: space %s: %w", name, err)
	}
	sv.loadMS = ms64(s.cfg.Clock.Now() - t0)
	s.spaces[name] = sv
	return sv, nil
}

// on returns the served space called name on engine, loading it on
// first use. A GPU profile may be held (imported) where there is no GPU:
// it predicts, but timing on it fails with a message (checkEngine).
func (s *Service) on(name, engine string) (*served, error) {
	cpu, err := s.load(name)
	if err != nil || engine == protocol.EngineCPU {
		return cpu, err
	}
	if engine != protocol.EngineGPU {
		return nil, fmt.Errorf("this page times networks on the CPU or the GPU, not on %q", engine)
	}
	if sv, ok := s.spaces[key(name, engine)]; ok {
		return sv, nil
	}
	g := s.cfg.GPU
	build := func(a space.Arch) measure.Item {
		panic(fmt.Sprintf("cannot time %s on the GPU here: %s", a, s.noGPU(name)))
	}
	if g != nil && slices.Contains(g.Spaces, name) {
		build = func(a space.Arch) measure.Item { return g.Build(name, a) }
	}
	// A network measured without a profile is timed as the GPU's quick
	// plan times them.
	instances := plan.For(name, engine, protocol.ModeQuick).Effort.Instances
	sv := &served{sess: cpu.sess.On(build, instances), engine: engine, loadMS: cpu.loadMS}
	s.spaces[key(name, engine)] = sv
	return sv, nil
}

// noGPU says why the GPU cannot time networks of the space called name
// ("" if it can).
func (s *Service) noGPU(name string) string {
	g := s.cfg.GPU
	switch {
	case g == nil && s.cfg.NoGPU != "":
		return s.cfg.NoGPU
	case g == nil:
		return "this browser offers no WebGPU adapter"
	case !slices.Contains(g.Spaces, name):
		return fmt.Sprintf("the GPU engine runs %s, not %s", strings.Join(g.Spaces, " and "), name)
	}
	return ""
}

// checkEngine says why networks cannot be timed on the current engine
// (nil if they can).
func (s *Service) checkEngine() error {
	if s.cur.engine == protocol.EngineCPU {
		return nil
	}
	if why := s.noGPU(s.cur.sess.Space().Name()); why != "" {
		return fmt.Errorf("cannot time networks on the GPU: %s (predictions from the GPU profile still work)", why)
	}
	return nil
}

// runSpace switches to the space called name, on the same engine if it
// runs that space.
func (s *Service) runSpace(id int, name string) (protocol.Event, error) {
	engine := s.cur.engine
	if s.noGPU(name) != "" {
		engine = protocol.EngineCPU
	}
	return s.enter(id, name, engine)
}

// enter makes the session of the space called name on engine current
// (loading it on first use) and answers with its Ready and its profile,
// if any: a space switch and an engine switch answer alike.
func (s *Service) enter(id int, name, engine string) (protocol.Event, error) {
	sv, err := s.on(name, engine)
	if err != nil {
		return protocol.Event{}, err
	}
	s.cur = sv
	r := s.ready(sv, sv.loadMS)
	return protocol.Event{ID: id, Kind: protocol.KindReady, Ready: &r, Result: sv.res}, nil
}

// runEngine switches the current space to engine, answered like a
// space switch (with the engine's profile in the space, if any).
func (s *Service) runEngine(id int, engine string) (protocol.Event, error) {
	name := s.cur.sess.Space().Name()
	if engine == protocol.EngineGPU {
		if why := s.noGPU(name); why != "" {
			return protocol.Event{}, fmt.Errorf("cannot profile the GPU: %s", why)
		}
	}
	return s.enter(id, name, engine)
}

// plan is the plan of a profile in mode in the current space on the
// current engine.
func (s *Service) plan(mode string) plan.Plan {
	return plan.For(s.cur.sess.Space().Name(), s.cur.engine, mode)
}

// runtime is what a profile taken on the current engine records.
func (s *Service) runtime() measure.Runtime {
	rt := s.cfg.Runtime
	if s.cur.engine != protocol.EngineCPU {
		rt.Engine = s.cur.engine
		if g := s.cfg.GPU; g != nil {
			a := g.Adapter
			rt.Adapter = &a
		}
	}
	return rt
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
		return s.runPredict(req.ID, req.Arch, req.Archs)
	case protocol.KindMeasure:
		return s.runMeasure(ctx, req.ID, req.Arch)
	case protocol.KindExplore:
		return s.runExplore(req.ID)
	case protocol.KindExport:
		return s.runExport(req.ID)
	case protocol.KindImport:
		return s.runImport(ctx, req.ID, req.ProfileJSON)
	case protocol.KindSpace:
		return s.runSpace(req.ID, req.Space)
	case protocol.KindEngine:
		return s.runEngine(req.ID, req.Engine)
	}
	return protocol.Event{}, fmt.Errorf("unknown request kind %q", req.Kind)
}

// ErrNoProfile is returned for requests that need an adapted predictor.
var ErrNoProfile = errors.New("profile this device first (or import a profile)")

// parseArch parses a visitor's architecture string with a message that
// says what a valid one looks like.
func (s *Service) parseArch(str string) (space.Arch, error) {
	a, err := s.cur.sess.Parse(str)
	if err != nil {
		return nil, fmt.Errorf("%w (expected e.g. %s)", err, s.cur.sess.Atlas().Reference[0])
	}
	return a, nil
}

// predict is the interactive prediction (editor, measured table): auto
// with its interval, and HELP beside it.
func (s *Service) predict(d *session.Device, a space.Arch) (auto, help session.Prediction) {
	archs := []space.Arch{a}
	pa, err := d.Predict(session.MethodAuto, archs)
	if err != nil {
		panic(err) // the methods are session's own
	}
	ph, err := d.Predict(session.MethodHELP, archs)
	if err != nil {
		panic(err)
	}
	return pa[0], ph[0]
}

func (s *Service) runPredict(id int, arch string, more []string) (protocol.Event, error) {
	a, err := s.parseArch(arch)
	if err != nil {
		return protocol.Event{}, err
	}
	if s.cur.dev == nil {
		return protocol.Event{}, ErrNoProfile
	}
	ev := protocol.Event{ID: id, Kind: protocol.KindPrediction}
	p := s.prediction(a)
	ev.Prediction = &p
	for _, m := range more {
		b, err := s.parseArch(m)
		if err != nil {
			return protocol.Event{}, err
		}
		ev.Predictions = append(ev.Predictions, s.prediction(b))
	}
	return ev, nil
}

// prediction is the interactive prediction of a with the current profile.
func (s *Service) prediction(a space.Arch) protocol.Prediction {
	t0 := s.cfg.Clock.Now()
	auto, help := s.predict(s.cur.dev, a)
	took := s.cfg.Clock.Now() - t0
	sp := s.cur.sess.Space()
	return protocol.Prediction{
		Arch: a.String(), MS: auto.MS, HalfWidthMS: auto.HalfWidth, Level: auto.Level,
		Method: session.MethodName(s.cur.dev.Chosen()), HELPMS: help.MS,
		MFLOPs: float64(sp.FLOPs(a)) / 1e6,
		Params: float64(sp.Params(a)) / 1e6,
		TookMS: ms64(took),
	}
}

func (s *Service) runMeasure(ctx context.Context, id int, arch string) (protocol.Event, error) {
	a, err := s.parseArch(arch)
	if err != nil {
		return protocol.Event{}, err
	}
	if err := s.checkEngine(); err != nil {
		return protocol.Event{}, err
	}
	var seed uint64 = 7
	if s.cur.dev != nil {
		seed += s.cur.dev.Profile.Protocol.Seed
	}
	// Timed as the quick plan's validation networks are.
	opts := s.plan(protocol.ModeQuick).Effort.Options(s.options(ctx, protocol.ModeQuick, protocol.PhaseValidation, id, seed), false)
	t, err := s.cur.sess.TimeOne(ctx, s.cur.dev, a, opts)
	if err != nil {
		return protocol.Event{}, err
	}
	m := &protocol.Measured{Arch: a.String(), MS: t.Result.MS, Spread: t.Result.Spread, Stable: t.Result.Stable, Drift: t.Drift, RescaledMS: t.Rescaled}
	if s.cur.dev != nil {
		auto, _ := s.predict(s.cur.dev, a)
		m.PredictedMS = auto.MS
	}
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
			pr := &protocol.Progress{Phase: p.Phase, Step: p.Step, Done: p.Done, Total: p.Total, Paused: isPaused}
			if p.Sampled && p.Name != "" && p.MS == p.MS { // a kept sample (not NaN)
				pr.Arch, pr.MS = p.Name, p.MS
			}
			s.cfg.Emit(protocol.Event{ID: id, Kind: protocol.KindProgress, Progress: pr})
		}
		paused = isPaused
	}
	return o
}

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (s *Service) runProfile(ctx context.Context, id int, req protocol.ProfileRequest) (protocol.Event, error) {
	if err := s.checkEngine(); err != nil {
		return protocol.Event{}, err
	}
	start := s.cfg.Clock.Now()
	out, err := s.cur.sess.Profile(ctx, s.profileRequest(ctx, id, req))
	if err != nil {
		return protocol.Event{}, err
	}
	res, err := s.describe(s.cur, out.Device, out.Validation, req.Mode, false)
	if err != nil {
		return protocol.Event{}, err
	}
	res.PhaseMS = protocol.PhaseTimes{
		Labelled:   ms64(out.PhaseTime[session.PhaseLabelled]),
		Adapt:      ms64(out.PhaseTime[session.PhaseAdapt]),
		Validation: ms64(out.PhaseTime[session.PhaseValidation]),
		Total:      ms64(s.cfg.Clock.Now() - start),
	}
	s.cur.dev, s.cur.res = out.Device, res
	return protocol.Event{ID: id, Kind: protocol.KindResult, Result: res}, nil
}

// profileRequest is the session request req asks for: timed with the
// effort it carries, or, without one, with the plan's for the current
// space, engine and mode (session.Profile checks it).
func (s *Service) profileRequest(ctx context.Context, id int, req protocol.ProfileRequest) session.Request {
	eff := s.plan(req.Mode).Effort
	if req.Effort != nil {
		eff = *req.Effort
	}
	return session.Request{
		Preset: req.Mode, Support: req.Support, Validation: req.Validation, Seed: req.Seed,
		Options: func(phase string) measure.Options { return s.options(ctx, req.Mode, phase, id, 0) },
		Effort:  &eff,
		Runtime: s.runtime(),
		Created: s.cfg.Now(),
		Adapting: func() {
			s.cfg.Emit(protocol.Event{ID: id, Kind: protocol.KindProgress, Progress: &protocol.Progress{Phase: protocol.PhaseAdapt, Step: "adapting", Done: 0, Total: 1}})
			s.cfg.Yield()
		},
	}
}

// describe turns a device of sv (and its validation, if any) into what
// the UI shows.
func (s *Service) describe(sv *served, d *session.Device, v *session.Validation, mode string, imported bool) (*protocol.Result, error) {
	at := sv.sess.Atlas()
	p := d.Profile
	res := &protocol.Result{Space: sv.sess.Space().Name(), Mode: mode, Imported: imported, Embedding: slices.Clone(d.Embedding),
		ScaleMS:     [2]float64{d.Scale.Min, d.Scale.Max},
		ClockStepUS: float64(p.Runtime.ClockResolutionNS) / 1e3,
		Meta:        protocol.ProfileSource{Runtime: p.Runtime.GOOS + "/" + p.Runtime.GOARCH + " " + p.Runtime.GoVersion, UserAgent: p.Runtime.UserAgent, Taken: p.Created.Format(time.RFC3339)},
		Chosen:      session.MethodName(d.Chosen()),
		LOOAPE:      d.LOO(),
		Engine:      p.Runtime.EngineName(),
		Seed:        p.Protocol.Seed,
	}
	if a := p.Runtime.Adapter; a != nil {
		res.Adapter = a.String()
	}
	if res.Engine != protocol.EngineCPU {
		res.Meta.Runtime += ", " + res.Engine
		if res.Adapter != "" {
			res.Meta.Runtime += " on " + res.Adapter
		}
	}
	var sb strings.Builder
	if err := p.Write(&sb); err != nil {
		return nil, fmt.Errorf("writing the profile: %w", err)
	}
	res.ProfileJSON = sb.String()
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
	for _, m := range at.Nearest(p.ReferenceMS(), session.NearestCount) {
		res.Nearest = append(res.Nearest, protocol.Nearest{Device: m.Name, Split: string(m.Split), Similarity: m.Similarity})
	}
	for _, mp := range at.Map2D() {
		res.Map = append(res.Map, protocol.MapPoint{Device: mp.Name, Split: string(mp.Split), X: mp.X, Y: mp.Y})
	}
	self := at.Project(d.Embedding)
	res.Map = append(res.Map, protocol.MapPoint{Device: "this device", X: self.X, Y: self.Y, Self: true})

	// A single interactive prediction's cost, the median of a few.
	if len(p.Support) > 0 {
		a, err := sv.sess.Parse(p.Support[0].Arch)
		if err != nil {
			return nil, err
		}
		var took []float64
		for range 5 {
			t0 := s.cfg.Clock.Now()
			s.predict(d, a)
			took = append(took, ms64(s.cfg.Clock.Now()-t0))
		}
		slices.Sort(took)
		res.PredictOneMS = took[len(took)/2]
	}

	if v == nil && p.Validation != nil && len(p.Validation.Samples) > 1 {
		var err error
		if v, err = sv.sess.Validate(d); err != nil {
			return nil, err
		}
	}
	if v != nil {
		if p.Validation != nil {
			res.Drift = p.Validation.Drift
		}
		for _, c := range v.Comparisons {
			res.Validation = append(res.Validation, comparison(v, c))
		}
		for _, c := range v.Steps {
			res.Steps = append(res.Steps, comparison(v, c))
		}
		res.Summary, res.StepSummary, res.LeadSummary = v.Summary(), v.StepSummary(), v.LeadSummary()
	}
	return res, nil
}

// comparison is c as the UI draws it.
func comparison(v *session.Validation, c session.Comparison) protocol.Comparison {
	pc := protocol.Comparison{Method: c.Label, Unit: c.Unit, Spearman: c.Spearman, Kendall: c.Kendall, OnScale: c.OnScale}
	if c.MedianAPE == c.MedianAPE { // not NaN
		pc.MedianAPE, pc.HasAPE = c.MedianAPE, true
	}
	for i := range c.Predicted {
		pc.Points = append(pc.Points, protocol.XYPair{Arch: v.Archs[i], Predicted: c.Predicted[i], Measured: c.Measured[i]})
	}
	return pc
}

func (s *Service) runExplore(id int) (protocol.Event, error) {
	if s.cur.dev == nil {
		return protocol.Event{}, ErrNoProfile
	}
	t0 := s.cfg.Clock.Now()
	planned, err := s.cur.sess.Prepare()
	if err != nil {
		return protocol.Event{}, err
	}
	t1 := s.cfg.Clock.Now()
	s.cur.all, err = s.cur.dev.PredictAll(s.cur.all, session.MethodAuto)
	if err != nil {
		return protocol.Event{}, err
	}
	all := s.cur.all
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
	for _, i := range order[:min(10, len(order))] {
		ex.Fastest = append(ex.Fastest, protocol.ArchMS{Arch: s.cur.sess.Arch(i).String(), MS: all[i]})
	}
	for _, c := range s.cur.sess.Atlas().Candidates {
		a, err := s.cur.sess.Parse(c.Arch)
		if err != nil {
			return protocol.Event{}, fmt.Errorf("atlas candidate %q: %w", c.Arch, err)
		}
		var ms float64
		if i, ok := s.cur.sess.Index(a); ok {
			ms = all[i]
		} else {
			// Not among the listed networks (HELP's searched OFA
			// networks are not in its 5,000): predicted alone, by the
			// same method.
			p, err := s.cur.dev.Predict(session.MethodAuto, []space.Arch{a})
			if err != nil {
				return protocol.Event{}, err
			}
			ms = p[0].MS
		}
		ex.Candidates = append(ex.Candidates, protocol.Candidate{Arch: c.Arch, Accuracy: c.Accuracy, PredictedMS: ms, Note: c.Note})
	}
	return protocol.Event{ID: id, Kind: protocol.KindExplored, Explored: ex}, nil
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
	if s.cur.dev == nil {
		return protocol.Event{}, ErrNoProfile
	}
	var sb strings.Builder
	if err := s.cur.dev.Profile.Write(&sb); err != nil {
		return protocol.Event{}, fmt.Errorf("writing the profile: %w", err)
	}
	return protocol.Event{ID: id, Kind: protocol.KindExported, ProfileJSON: sb.String()}, nil
}

// runImport adopts the profile doc; cancelled (ctx), it leaves the
// current profile in place.
func (s *Service) runImport(ctx context.Context, id int, doc string) (protocol.Event, error) {
	p, err := measure.Read(strings.NewReader(doc))
	if err != nil {
		return protocol.Event{}, importError(doc, err)
	}
	// A profile of another space or engine switches to it, once it is
	// adopted.
	sv, err := s.on(p.Space, p.Runtime.EngineName())
	if err != nil {
		return protocol.Event{}, fmt.Errorf("this profile is for the %q search space: %w", p.Space, err)
	}
	d, err := sv.sess.Adopt(ctx, p)
	if errors.Is(err, context.Canceled) {
		return protocol.Event{}, err
	}
	if err != nil {
		return protocol.Event{}, fmt.Errorf("this %s profile cannot be used here: %w", p.Space, err)
	}
	res, err := s.describe(sv, d, nil, p.Protocol.Preset, true)
	if err != nil {
		return protocol.Event{}, err
	}
	s.cur, sv.dev, sv.res = sv, d, res
	r := s.ready(sv, sv.loadMS)
	return protocol.Event{ID: id, Kind: protocol.KindResult, Result: res, Ready: &r}, nil
}

// importError says in words why doc is not a profile: a file that is not
// JSON at all is named as such, instead of with the JSON decoder's
// message ("invalid character 'o' in literal null").
func importError(doc string, err error) error {
	switch t := strings.TrimSpace(doc); {
	case json.Valid([]byte(t)):
	case !strings.HasPrefix(t, "{"):
		return errors.New("this is not a usable device profile: the file is not JSON. A profile is the .json file that Export profile (or helpwasm profile -out) saves")
	default:
		return fmt.Errorf("this is not a usable device profile: its JSON is broken or cut short (%w)", err)
	}
	return fmt.Errorf("this is not a usable device profile: %w", err)
}
