// Package state is the page's application state: what the visitor has
// done, what the worker has answered, and the actions the UI components
// call. It knows nothing about the DOM, so it is tested natively.
//
// # Locking
//
// Methods are not safe for concurrent use: the UI calls them with vugu's
// render lock held (event handlers run under it; the goroutine delivering
// worker events takes it around Apply).
//
// # Units
//
// Latencies are milliseconds, like everything in app/protocol.
package state

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space"
)

// Platform is what the state needs from the browser.
type Platform interface {
	// Post sends a request to the measuring worker.
	Post(req protocol.Request)
	// Download offers text to the visitor as a file.
	Download(filename, mime, text string)
	// Now is a monotonic clock (performance.now()).
	Now() time.Duration
	// Reveal scrolls the element with this id into view once it is
	// rendered (an error beside the control that caused it, the editor
	// after an "edit" button).
	Reveal(id string)
	// Restart ends the measuring worker and starts a fresh one, which
	// reports KindReady when it has loaded.
	Restart()
}

// Activity names what the worker is busy with ("" when idle).
type Activity string

// Activities.
const (
	Idle      Activity = ""
	Profiling Activity = "profiling"
	Measuring Activity = "measuring"
	Exploring Activity = "exploring"
	Importing Activity = "importing"
	Exporting Activity = "exporting"
	Switching Activity = "switching" // to another search space, loading it on first use
)

// App is the page state.
type App struct {
	platform  Platform
	nextID    int
	predictID int // the outstanding prediction request

	// Worker.
	Ready     *protocol.Ready
	LoadError string // the worker failed to start
	// Died says why the worker stopped after it had started (KindDied);
	// the page offers Restart.
	Died string
	// restarting: a fresh worker is loading (Restart); restore is the
	// profile to re-import once it is ready; restoring: that import is
	// under way.
	restarting bool
	restore    string
	restoring  bool
	AutoRun    bool // profile as soon as the worker is ready (?autorun)
	testPlan   bool // quick profiles follow plan.Short (?test-hooks&test-plan=short)

	// Profiling.
	Mode     string // protocol.ModeQuick or ModeThorough
	Seed     uint64 // the next profile's sample seed
	runSeed  uint64 // the running or last profile's
	Busy     Activity
	busyID   int
	Progress map[string]protocol.Progress // by phase
	// Timed is the running profile's last report that named the network
	// just timed (Arch, MS); nil before the first.
	Timed   *protocol.Progress
	Hidden  bool   // the tab is hidden
	Warning string // e.g. paused while hidden
	Error   string // last error, shown in a banner
	// ImportError is why the last import failed, shown beside the
	// import controls (id import-error) rather than in the banner.
	ImportError string
	Notice      string // last informational message
	Result      *protocol.Result
	StartedAt   time.Duration // when the running request started
	LastRunMS   float64       // wall time of the last finished profile, ms
	// CancelledAfterMS is the time from pressing Cancel to the worker
	// confirming it, ms (shown, and checked by the browser test).
	CancelledAfterMS float64
	cancelAt         time.Duration

	// Teaching: which adaptation step the step-through shows (0..2).
	Step int
	// Presenter mode (?present): one of Slides at a time, large type.
	Present bool
	Slide   int

	// Editor: Space is the search space the page predicts (one of
	// Spaces); the editor edits its slots.
	Space  space.Slotted
	spaces []space.Slotted
	// SpaceTitle names a space for visitors ("NAS-Bench-201" for
	// "nasbench201"); the UI owns the titles and sets it. nil: the
	// space's Name.
	SpaceTitle func(name string) string
	// pendingSpace is a switch asked for before the worker was ready;
	// switchTo the one under way.
	pendingSpace, switchTo string
	Arch                   space.Arch
	ArchText               string
	ArchError              string
	Prediction             *protocol.Prediction
	Measured               []protocol.Measured
	// measuredFor is the profile the Measured rows' predictions are of
	// (their PredictedMS are re-asked for when it changes).
	measuredFor *protocol.Result

	// Explore.
	Explored *protocol.Explored
	BudgetMS float64

	// Import/export.
	Exported string // last exported profile JSON

	// held is the page's last profile in its space on each engine
	// (engine.go), for the CPU-GPU comparison.
	held map[string]*protocol.Result
	// engineTo is the engine a running switch goes to.
	engineTo string
}

// URLOptions are what the page's address can ask for: ?autorun profiles
// the device as soon as the page is ready (for talks), ?seed=N makes
// the first profile draw its support and validation networks with seed N
// (each later profile takes the next seed), so a demo can be repeated
// exactly (without it the first profile uses seed 1), and ?space=NAME
// starts in that search space (nasbench201 or fbnet).
type URLOptions struct {
	AutoRun bool
	Present bool   // ?present: presenter mode
	Seed    uint64 // 0: not given
	Space   string // "": the first space
	// TestPlan: ?test-hooks&test-plan=short, quick profiles follow
	// plan.Short (browser tests only).
	TestPlan bool
}

// ParseURLOptions reads the query part of the page's address (without the
// "?"). Unknown keys are ignored; a seed that is not a whole number from 1
// up, or a space not among spaces (when given), is an error that names it;
// the other options still apply.
func ParseURLOptions(rawQuery string, spaces ...string) (URLOptions, error) {
	var o URLOptions
	q, err := url.ParseQuery(strings.TrimPrefix(rawQuery, "?"))
	if err != nil {
		return o, fmt.Errorf("the page address: %w", err)
	}
	_, o.AutoRun = q["autorun"]
	_, o.Present = q["present"]
	_, hooks := q["test-hooks"]
	o.TestPlan = hooks && q.Get("test-plan") == "short"
	if vs, ok := q["seed"]; ok {
		v := ""
		if len(vs) > 0 {
			v = vs[len(vs)-1]
		}
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil || seed == 0 {
			err = fmt.Errorf("?seed=%s in the page address: want a whole number from 1 up; using seed 1", v)
			o.Space, _ = urlSpace(q, spaces)
			return o, err
		}
		o.Seed = seed
	}
	var err2 error
	o.Space, err2 = urlSpace(q, spaces)
	return o, err2
}

// urlSpace is the ?space option, checked against spaces if given.
func urlSpace(q url.Values, spaces []string) (string, error) {
	vs, ok := q["space"]
	if !ok {
		return "", nil
	}
	v := ""
	if len(vs) > 0 {
		v = vs[len(vs)-1]
	}
	if len(spaces) > 0 && !slices.Contains(spaces, v) {
		return "", fmt.Errorf("?space=%s in the page address: want one of %s; using %s", v, strings.Join(spaces, ", "), spaces[0])
	}
	return v, nil
}

// ApplyURLOptions sets the first profile's seed and space and starts it
// if asked to (once the worker is ready, and in that space, if it is not
// yet).
func (a *App) ApplyURLOptions(o URLOptions) {
	a.Present = o.Present
	a.testPlan = o.TestPlan
	if o.Seed != 0 {
		a.Seed = o.Seed
	}
	if o.Space != "" {
		a.SwitchSpace(o.Space)
	}
	if o.AutoRun {
		a.AutoRun = true
		a.StartProfile()
	}
}

// New returns the state of a freshly loaded page that can predict in
// spaces, starting in the first (the worker's first space).
func New(p Platform, spaces ...space.Slotted) *App {
	if len(spaces) == 0 {
		panic("state: New needs a space")
	}
	a := &App{platform: p, Mode: protocol.ModeQuick, Seed: 1, spaces: spaces}
	a.enter(spaces[0])
	return a
}

// SpaceNames lists the spaces the page offers, the first the default.
func (a *App) SpaceNames() []string {
	out := make([]string, len(a.spaces))
	for i, sp := range a.spaces {
		out[i] = sp.Name()
	}
	return out
}

// lookup returns the space called name, if the page offers it.
func (a *App) lookup(name string) (space.Slotted, bool) {
	i := slices.IndexFunc(a.spaces, func(sp space.Slotted) bool { return sp.Name() == name })
	if i < 0 {
		return nil, false
	}
	return a.spaces[i], true
}

// enter makes sp the page's space, with a fresh editor and no profile
// (the worker sends the space's profile, if it has one).
func (a *App) enter(sp space.Slotted) {
	a.Space = sp
	a.Arch = sp.Example()
	a.ArchText, a.ArchError = a.Arch.String(), ""
	a.Prediction, a.Measured, a.Explored, a.BudgetMS = nil, nil, nil, 0
	a.Result, a.Step, a.Exported = nil, 0, ""
	a.Progress, a.Timed = map[string]protocol.Progress{}, nil
	a.held = nil
}

// SwitchSpace asks the worker to serve the space called name (at once,
// or when it is ready).
func (a *App) SwitchSpace(name string) {
	if _, ok := a.lookup(name); !ok {
		a.Error = fmt.Sprintf("This page has no %q search space (it has %s).", name, strings.Join(a.SpaceNames(), ", "))
		return
	}
	if a.Ready == nil {
		a.pendingSpace = name
		return
	}
	if name == a.Space.Name() || !a.CanStart() {
		return
	}
	a.start(Switching, a.post(protocol.KindSpace, func(r *protocol.Request) { r.Space = name }))
	a.switchTo, a.engineTo = name, ""
}

// SwitchingTo names the space being loaded, "" when not switching.
func (a *App) SwitchingTo() string {
	if a.Busy == Switching {
		return a.switchTo
	}
	return ""
}

func (a *App) post(kind protocol.Kind, fill func(*protocol.Request)) int {
	a.nextID++
	r := protocol.Request{ID: a.nextID, Kind: kind}
	if fill != nil {
		fill(&r)
	}
	a.platform.Post(r)
	return r.ID
}

// start marks the worker busy with a request.
func (a *App) start(act Activity, id int) {
	a.Busy, a.busyID, a.StartedAt = act, id, a.platform.Now()
	a.Error, a.Notice, a.ImportError = "", "", ""
}

// Restart replaces a worker that died with a fresh one; once it is
// ready, the profile the page showed (Result.ProfileJSON) is imported
// into it again.
func (a *App) Restart() {
	if a.Died == "" {
		return
	}
	a.Died, a.Error, a.Warning = "", "", ""
	a.Ready = nil
	a.restore = ""
	if a.Result != nil {
		a.restore = a.Result.ProfileJSON
	}
	a.restarting = true
	a.Notice = "Restarting the measuring worker..."
	a.platform.Restart()
}

// CanStart says whether a new worker request may be started now.
func (a *App) CanStart() bool { return a.Ready != nil && a.Busy == Idle }

// HasProfile says whether predictions are possible.
func (a *App) HasProfile() bool { return a.Result != nil }

// SetMode picks quick or thorough profiling.
func (a *App) SetMode(mode string) {
	if mode == protocol.ModeQuick || mode == protocol.ModeThorough {
		a.Mode = mode
	}
}

// Sizes returns the support and validation sample counts of the mode in
// the page's space.
func (a *App) Sizes() (support, validation int) { return a.SizesOf(a.Mode) }

// SizesOf returns them for mode.
func (a *App) SizesOf(mode string) (support, validation int) {
	p := a.PlanOf(mode)
	return p.Support, p.Validation
}

// PlanOf is the plan of a profile in mode in the page's space on its
// engine: plan.For, the worker's and the CLI's too (plan.Short for a
// quick profile of a page loaded with ?test-hooks&test-plan=short).
func (a *App) PlanOf(mode string) plan.Plan {
	if mode != protocol.ModeThorough && a.testPlan {
		return plan.Short
	}
	return plan.For(a.Space.Name(), a.Engine(), mode)
}

// PhaseRuns estimates the forward passes of the running mode's labelled
// and validation phases (networks x runs per network, re-measurements
// aside), the weights of the time-left estimate.
func (a *App) PhaseRuns() (labelled, validation float64) {
	p := a.PlanOf(a.Mode)
	// 10 reference networks and 2 anchors; 2 drift checks.
	return float64((12 + p.Support) * p.Effort.Runs(true)), float64((p.Validation + 2) * p.Effort.Runs(false))
}

// StartProfile asks the worker to profile this device.
func (a *App) StartProfile() {
	if !a.CanStart() {
		return
	}
	// The space's effort (rounds, instances); the sizes and seed follow
	// the other engine's profile if there is one to compare with.
	effort := a.PlanOf(a.Mode).Effort
	seed, sup, val, shared := a.plan()
	id := a.post(protocol.KindProfile, func(r *protocol.Request) {
		r.Profile = &protocol.ProfileRequest{Mode: a.Mode, Support: sup, Validation: val, Seed: seed, Effort: &effort}
	})
	a.Progress, a.Timed = map[string]protocol.Progress{}, nil
	a.CancelledAfterMS = 0
	a.start(Profiling, id)
	a.runSeed = seed
	if !shared {
		a.Seed++ // the next run draws new samples
	}
}

// CanCancel says whether Cancel does anything now: a profile, a
// measurement or an import is running.
func (a *App) CanCancel() bool {
	return a.Busy == Profiling || a.Busy == Measuring || a.Busy == Importing
}

// Cancel stops the running profile, measurement or import.
func (a *App) Cancel() {
	if !a.CanCancel() {
		return
	}
	a.cancelAt = a.platform.Now()
	a.post(protocol.KindCancel, nil)
}

// SetHidden tells the worker the tab was hidden or shown.
func (a *App) SetHidden(hidden bool) {
	a.Hidden = hidden
	a.post(protocol.KindVisibility, func(r *protocol.Request) { r.Hidden = hidden })
	if !hidden {
		a.Warning = ""
	} else if a.Busy == Profiling || a.Busy == Measuring {
		a.Warning = "This tab is hidden, so measuring is paused: browsers slow hidden tabs down. Come back to continue."
	}
}

// SetEdge sets slot i of the editor's architecture (an edge of a cell)
// to the named choice (an operation).
func (a *App) SetEdge(i int, op string) {
	if i < 0 || i >= len(a.Space.Slots()) {
		a.ArchError = fmt.Sprintf("no slot %d", i)
		return
	}
	c := slices.IndexFunc(space.SlotChoices(a.Space, i), func(c space.Choice) bool { return c.Name == op })
	if c < 0 {
		a.ArchError = fmt.Sprintf("unknown operation %q", op)
		return
	}
	a.Arch = a.Space.WithChoice(a.Arch, i, c)
	a.ArchText = a.Arch.String()
	a.ArchError = ""
	a.Predict()
}

// SetArchText parses a pasted architecture string into the editor.
func (a *App) SetArchText(s string) {
	a.ArchText = s
	arch, err := a.Space.Parse(strings.TrimSpace(s))
	if err != nil {
		a.ArchError = fmt.Sprintf("%s. Expected an architecture like %s", archErrorText(err, strings.TrimSpace(s)), a.Space.Example())
		a.Prediction = nil
		return
	}
	a.Arch, a.ArchError = arch, ""
	a.Predict()
}

// UseArch loads an architecture (e.g. from the fastest list) into the
// editor and brings the editor into view.
func (a *App) UseArch(s string) {
	a.SetArchText(s)
	a.platform.Reveal("editor")
}

// EdgeOp returns the name of slot i's choice (edge i's operation).
func (a *App) EdgeOp(i int) string {
	return space.SlotChoices(a.Space, i)[a.Space.Choice(a.Arch, i)].Name
}

// FLOPs and Params of the editor's architecture, in millions; computed
// here so they show before any profile exists.
func (a *App) FLOPs() float64  { return float64(a.Space.FLOPs(a.Arch)) / 1e6 }
func (a *App) Params() float64 { return float64(a.Space.Params(a.Arch)) / 1e6 }

// Predict asks for the editor architecture's latency (needs a profile).
func (a *App) Predict() {
	a.Prediction = nil
	if a.ArchError != "" || !a.HasProfile() || a.Ready == nil {
		return
	}
	if a.Busy == Profiling {
		return // the worker answers after the profile; the result re-predicts
	}
	arch := a.Arch.String()
	var more []string
	if a.measuredFor != a.Result {
		// A new profile (or an imported one): the measured table's
		// predictions are re-asked for with it.
		for _, m := range a.Measured {
			more = append(more, m.Arch)
		}
	}
	a.predictID = a.post(protocol.KindPredict, func(r *protocol.Request) { r.Arch, r.Archs = arch, more })
}

// MeasureArch times the editor's architecture on this device.
func (a *App) MeasureArch() {
	if !a.CanStart() || a.ArchError != "" {
		return
	}
	arch := a.Arch.String()
	a.start(Measuring, a.post(protocol.KindMeasure, func(r *protocol.Request) { r.Arch = arch }))
}

// Explore predicts the whole search space.
func (a *App) Explore() {
	if !a.CanStart() || !a.HasProfile() {
		return
	}
	a.start(Exploring, a.post(protocol.KindExplore, nil))
}

// Export asks for the profile JSON; Apply offers it as a download.
func (a *App) Export() {
	if !a.CanStart() || !a.HasProfile() {
		return
	}
	a.start(Exporting, a.post(protocol.KindExport, nil))
}

// Import adopts a profile file's contents.
func (a *App) Import(text string) {
	if !a.CanStart() {
		if a.Ready == nil {
			a.Error = "The page is still loading; try again in a moment."
		}
		return
	}
	if strings.TrimSpace(text) == "" {
		a.importFailed("That profile file is empty.")
		return
	}
	a.start(Importing, a.post(protocol.KindImport, func(r *protocol.Request) { r.ProfileJSON = text }))
}

// ImportFailed reports a file that could not be read at all.
func (a *App) ImportFailed(err error) {
	a.importFailed("Could not read that file: " + err.Error() + ".")
}

// importFailed shows why an import failed beside the import controls,
// where the visitor is, and scrolls it into view.
func (a *App) importFailed(msg string) {
	a.ImportError = msg
	a.platform.Reveal("import-error")
}

// SetStep picks the adaptation step to show (0: before, 1, 2).
func (a *App) SetStep(step int) {
	if a.Result != nil && step >= 0 && step < len(a.Result.Steps) {
		a.Step = step
	}
}

// SetBudget sets the latency budget (ms) of the constrained pick.
func (a *App) SetBudget(ms float64) {
	if !math.IsNaN(ms) && ms > 0 {
		a.BudgetMS = ms
	}
}

// Slides are presenter mode's screens, in order.
var Slides = []string{"start", "device", "validation", "adaptation", "editor", "explore"}

// SlideName is the current slide's name.
func (a *App) SlideName() string { return Slides[a.Slide] }

// SetSlide shows slide i (clamped to the slides).
func (a *App) SetSlide(i int) { a.Slide = min(max(i, 0), len(Slides)-1) }

// Key handles a keyboard shortcut; it reports whether key was one. In
// presenter mode PageDown, space and n go to the next slide, PageUp and
// b back, Home to the start (a presentation clicker sends PageDown/Up).
func (a *App) Key(key string) bool {
	if a.Present {
		switch strings.ToLower(key) {
		case "pagedown", " ", "n":
			a.SetSlide(a.Slide + 1)
			return true
		case "pageup", "b":
			a.SetSlide(a.Slide - 1)
			return true
		case "home":
			a.SetSlide(0)
			return true
		}
	}
	switch strings.ToLower(key) {
	case "p":
		a.StartProfile()
	case "c", "escape":
		a.Cancel()
	case "m":
		a.MeasureArch()
	case "e":
		a.Explore()
	case "t":
		if a.Mode == protocol.ModeQuick {
			a.SetMode(protocol.ModeThorough)
		} else {
			a.SetMode(protocol.ModeQuick)
		}
	case "arrowleft":
		a.SetStep(a.Step - 1)
	case "arrowright":
		a.SetStep(a.Step + 1)
	default:
		return false
	}
	return true
}

// Apply updates the state with an event from the worker.
func (a *App) Apply(e protocol.Event) {
	finish := func() {
		if e.ID != 0 && e.ID == a.busyID {
			a.Busy, a.busyID = Idle, 0
			a.Warning = ""
		}
	}
	switch e.Kind {
	case protocol.KindReady:
		// The worker loaded (ID 0) or switched space (answering a
		// KindSpace request, with the space's last profile if any).
		finish()
		engine := a.Engine()
		a.Ready = e.Ready
		if sp, ok := a.lookup(e.Ready.Space); ok && sp.Name() != a.Space.Name() {
			a.enter(sp)
		} else if a.Engine() != engine {
			a.enterEngine()
		}
		a.hold(e.Result)
		if e.Result != nil {
			a.Result = e.Result
			a.Step = len(e.Result.Steps) - 1
			a.Predict()
		}
		if a.restarting && e.ID == 0 {
			a.restarting = false
			a.Notice = "The measuring worker was restarted."
			if r := a.restore; r != "" {
				// Give the fresh worker the profile the page shows.
				a.restore, a.restoring = "", true
				a.start(Importing, a.post(protocol.KindImport, func(q *protocol.Request) { q.ProfileJSON = r }))
				return
			}
		}
		if p := a.pendingSpace; p != "" {
			a.pendingSpace = ""
			if p != a.Space.Name() {
				a.SwitchSpace(p) // autorun waits for its answer
				return
			}
		}
		if a.AutoRun {
			a.AutoRun = false
			a.StartProfile()
		}
	case protocol.KindProgress:
		if e.ID == a.busyID && e.Progress != nil {
			a.Progress[e.Progress.Phase] = *e.Progress
			if e.Progress.Arch != "" {
				p := *e.Progress
				a.Timed = &p
			}
		}
	case protocol.KindWarning:
		a.Warning = e.Message
	case protocol.KindResult:
		if a.Busy == Profiling {
			a.LastRunMS = ms(a.platform.Now() - a.StartedAt)
			a.Notice = fmt.Sprintf("Profile finished in %.1f s (samples drawn with seed %d; ?seed=%d in the address repeats them).", a.LastRunMS/1000, a.runSeed, a.runSeed)
		} else if a.restoring {
			a.Notice = "The measuring worker was restarted and the profile re-imported into it."
		} else {
			a.Notice = "Profile imported."
		}
		a.restoring = false
		finish()
		if e.Ready != nil {
			a.Ready = e.Ready
		}
		if sp, ok := a.lookup(e.Result.Space); ok && sp.Name() != a.Space.Name() {
			// An imported profile of another space: the worker switched.
			a.enter(sp)
			a.Notice = fmt.Sprintf("Profile imported. It was taken in the %s search space, so the page switched to it.", e.Result.Space)
		}
		a.Result = e.Result
		a.hold(e.Result)
		a.Step = len(e.Result.Steps) - 1
		a.Explored = nil
		a.Predict()
		if a.Present && a.Slide == 0 {
			a.SetSlide(slices.Index(Slides, "validation")) // the verdict
		}
	case protocol.KindPrediction:
		if e.Prediction != nil && e.Prediction.Arch == a.Arch.String() {
			a.Prediction = e.Prediction
		}
		if e.ID == a.predictID && len(e.Predictions) > 0 {
			a.repredicted(e.Predictions)
		}
	case protocol.KindMeasured:
		finish()
		a.Measured = append([]protocol.Measured{*e.Measured}, a.Measured...)
		if len(a.Measured) == 1 {
			a.measuredFor = a.Result
		}
	case protocol.KindExplored:
		finish()
		a.Explored = e.Explored
		if a.BudgetMS == 0 && len(e.Explored.Candidates) > 0 {
			// Start the budget at the median candidate's prediction.
			ms := make([]float64, len(e.Explored.Candidates))
			for i, c := range e.Explored.Candidates {
				ms[i] = c.PredictedMS
			}
			slices.Sort(ms)
			a.BudgetMS = ms[len(ms)/2]
		}
	case protocol.KindExported:
		finish()
		a.Exported = e.ProfileJSON
		a.platform.Download("helpwasm-profile.json", "application/json", e.ProfileJSON)
		a.Notice = "Profile exported as helpwasm-profile.json (the CLI reads it: helpwasm predict -profile helpwasm-profile.json -arch ...)."
	case protocol.KindCancelled:
		if a.cancelAt != 0 {
			a.CancelledAfterMS = ms(a.platform.Now() - a.cancelAt)
			a.cancelAt = 0
		}
		wasProfiling := e.ID == a.busyID && a.Busy == Profiling
		wasImporting := e.ID == a.busyID && a.Busy == Importing
		finish()
		a.Notice = fmt.Sprintf("Cancelled (stopped %.0f ms after the request).", a.CancelledAfterMS)
		if wasImporting {
			a.Notice = fmt.Sprintf("Import cancelled (stopped %.0f ms after the request); the profile in use is unchanged.", a.CancelledAfterMS)
		}
		if wasProfiling {
			// The bars go back to the profile shown below (or to none),
			// not the cancelled run's part-way progress.
			a.Progress, a.Timed = map[string]protocol.Progress{}, nil
			if a.Result != nil {
				a.Notice += " The results below are still those of the previous profile."
			}
		}
	case protocol.KindDied:
		if a.Ready == nil && !a.restarting && a.Died == "" {
			a.LoadError = e.Message // it never started
			return
		}
		// Whatever was running will not answer: nothing is busy, and
		// nothing more is sent to this worker (Ready is nil).
		a.Busy, a.busyID, a.predictID = Idle, 0, 0
		a.Progress, a.Timed = map[string]protocol.Progress{}, nil
		a.Ready, a.restarting, a.restoring = nil, false, false
		a.Warning, a.Notice = "", ""
		a.Died = sentence(e.Message)
	case protocol.KindError:
		if e.ID == 0 && a.Ready == nil {
			a.LoadError = e.Message
			return
		}
		if e.ID != 0 && e.ID == a.predictID {
			a.ArchError = e.Message // a failed prediction belongs to the editor
			return
		}
		importing := e.ID != 0 && e.ID == a.busyID && a.Busy == Importing
		finish()
		if importing {
			a.importFailed(sentence(e.Message))
			return
		}
		a.Error = e.Message
	}
}

// Elapsed is the running request's time so far, seconds.
func (a *App) Elapsed() float64 {
	if a.Busy == Idle {
		return 0
	}
	return ms(a.platform.Now()-a.StartedAt) / 1000
}

// PhaseFraction is a phase's progress in [0, 1] (1 once a later phase began).
func (a *App) PhaseFraction(phase string) float64 {
	order := []string{protocol.PhaseLabelled, protocol.PhaseValidation}
	idx := slices.Index(order, phase)
	for _, later := range order[idx+1:] {
		if _, ok := a.Progress[later]; ok {
			return 1
		}
	}
	if phase == protocol.PhaseLabelled {
		if _, ok := a.Progress[protocol.PhaseAdapt]; ok {
			return 1
		}
	}
	p, ok := a.Progress[phase]
	if !ok {
		if a.Busy == Idle && a.Result != nil && !a.Result.Imported {
			return 1
		}
		return 0
	}
	return p.Fraction()
}

// Pick is the most accurate MetaD2A candidate predicted under the budget.
func (a *App) Pick() (protocol.Candidate, bool) {
	if a.Explored == nil {
		return protocol.Candidate{}, false
	}
	best, ok := protocol.Candidate{}, false
	for _, c := range a.Explored.Candidates {
		if c.PredictedMS <= a.BudgetMS && (!ok || c.Accuracy > best.Accuracy) {
			best, ok = c, true
		}
	}
	return best, ok
}

// BudgetRange is the slider's range: the candidates' predicted latencies.
func (a *App) BudgetRange() (lo, hi float64) {
	if a.Explored == nil || len(a.Explored.Candidates) == 0 {
		return 0, 1
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range a.Explored.Candidates {
		lo, hi = min(lo, c.PredictedMS), max(hi, c.PredictedMS)
	}
	return lo, hi
}

// UnderBudget lists up to n candidates under the budget, most accurate first.
func (a *App) UnderBudget(n int) []protocol.Candidate {
	if a.Explored == nil {
		return nil
	}
	var out []protocol.Candidate
	for _, c := range a.Explored.Candidates {
		if c.PredictedMS <= a.BudgetMS {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Accuracy > out[j].Accuracy })
	return out[:min(n, len(out))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// repredicted sets the measured table's predictions from the current
// profile's (the answer to Predict's Archs, in the table's order).
func (a *App) repredicted(ps []protocol.Prediction) {
	if len(ps) != len(a.Measured) {
		return // the table changed since the request
	}
	for i := range a.Measured {
		if ps[i].Arch == a.Measured[i].Arch {
			a.Measured[i].PredictedMS = ps[i].MS
		}
	}
	a.measuredFor = a.Result
}

// sentence capitalises msg and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// archErrorText says what is wrong with the architecture string input
// once: "Not a NAS-Bench-201 architecture: node 2 edge from 0: unknown
// operation ...", not the parser's chain of wrapped errors, which names
// the space's error twice and repeats the string the visitor is looking at.
func archErrorText(err error, input string) string {
	msg := strings.TrimPrefix(err.Error(), space.ErrArch.Error()+": ")
	rest, ok := strings.CutPrefix(msg, "malformed ")
	i := strings.Index(rest, " architecture")
	if !ok || i < 0 {
		return sentence(msg)
	}
	kind, detail := rest[:i], rest[i+len(" architecture"):]
	detail = strings.TrimPrefix(detail, " "+strconv.Quote(input))
	detail = strings.TrimPrefix(detail, ":")
	article := "a"
	if strings.ContainsRune("AEFHILMORSX", rune(kind[0])) && kind != "NAS-Bench-201" {
		article = "an" // an FBNet, an OFA
	}
	out := "Not " + article + " " + kind + " architecture"
	if d := strings.TrimSpace(detail); d != "" {
		out += ": " + d
	}
	return strings.TrimSuffix(out, ".")
}
