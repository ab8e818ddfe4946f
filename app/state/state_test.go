package state

import (
	"strings"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state/statetest"
	"github.com/helpwasm/helpwasm/plan"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// defaultArch is the editor's starting architecture (the space's Example).
var defaultArch = nasbench201.Space{}.Example().String()

// fakePlatform records what the state asks of the browser.
type fakePlatform = statetest.Platform

func ready(a *App) {
	a.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201"}})
}

func TestProfileLifecycle(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	a.StartProfile()
	if len(p.Posted) != 0 {
		t.Fatal("profiled before the worker was ready")
	}
	ready(a)
	a.SetMode(protocol.ModeThorough)
	a.SetMode("bogus")
	a.StartProfile()
	r := p.Last()
	if r.Kind != protocol.KindProfile || r.Profile.Mode != protocol.ModeThorough || r.Profile.Support != plan.Thorough.Support || r.Profile.Validation != plan.Thorough.Validation {
		t.Fatalf("posted %+v %+v", r, r.Profile)
	}
	if a.Busy != Profiling || a.CanStart() {
		t.Fatalf("busy %q, can start %v", a.Busy, a.CanStart())
	}
	n := len(p.Posted)
	a.StartProfile() // ignored while busy
	a.Explore()
	if len(p.Posted) != n {
		t.Fatal("second request while busy")
	}

	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindProgress, Progress: &protocol.Progress{Phase: protocol.PhaseLabelled, Done: 3, Total: 12}})
	a.Apply(protocol.Event{ID: 999, Kind: protocol.KindProgress, Progress: &protocol.Progress{Phase: protocol.PhaseValidation, Done: 3, Total: 12}})
	if f := a.PhaseFraction(protocol.PhaseLabelled); f != 0.25 {
		t.Errorf("reference fraction %v", f)
	}
	if f := a.PhaseFraction(protocol.PhaseValidation); f != 0 {
		t.Errorf("another request's progress counted: %v", f)
	}
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindProgress, Progress: &protocol.Progress{Phase: protocol.PhaseValidation, Done: 1, Total: 12}})
	if f := a.PhaseFraction(protocol.PhaseLabelled); f != 1 {
		t.Errorf("finished phase at %v", f)
	}

	p.Clock = 20 * time.Second
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindResult, Result: &protocol.Result{Steps: make([]protocol.Comparison, 3)}})
	if a.Busy != Idle || a.Result == nil || a.Step != 2 || a.LastRunMS != 20000 {
		t.Fatalf("after result: busy %q, step %d, last run %v ms", a.Busy, a.Step, a.LastRunMS)
	}
	if last := p.Last(); last.Kind != protocol.KindPredict || last.Arch != defaultArch {
		t.Errorf("the editor's architecture was not predicted after the profile: %+v", last)
	}
}

// An import can be cancelled, and the notice says the profile in use
// did not change.
func TestCancelImport(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.Import("{}")
	id := p.Last().ID
	if !a.CanCancel() {
		t.Fatal("an import cannot be cancelled")
	}
	a.Cancel()
	if p.Last().Kind != protocol.KindCancel {
		t.Fatalf("posted %+v", p.Last())
	}
	a.Apply(protocol.Event{ID: id, Kind: protocol.KindCancelled})
	if a.Busy != Idle || !strings.Contains(a.Notice, "unchanged") {
		t.Errorf("busy %q, notice %q", a.Busy, a.Notice)
	}
}

// A worker that dies mid-import leaves the page idle with Restart on
// offer; Restart starts a fresh worker and re-imports the profile shown.
func TestWorkerDiedRestart(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.Apply(protocol.Event{ID: 0, Kind: protocol.KindResult, Result: &protocol.Result{Space: "nasbench201", ProfileJSON: `{"p":1}`}})
	a.Import(`{"p":2}`)
	a.Apply(protocol.Event{Kind: protocol.KindDied, Message: "The measuring worker stopped (exit code 2)"})
	if a.Busy != Idle || a.Died == "" || a.CanStart() || a.LoadError != "" {
		t.Fatalf("after dying: busy %q, died %q, can start %v, load error %q", a.Busy, a.Died, a.CanStart(), a.LoadError)
	}
	a.Restart()
	if p.Restarts != 1 || a.Died != "" {
		t.Fatalf("restarts %d, died %q", p.Restarts, a.Died)
	}
	ready(a)
	if r := p.Last(); r.Kind != protocol.KindImport || r.ProfileJSON != `{"p":1}` || a.Busy != Importing {
		t.Fatalf("after the restart posted %+v, busy %q: want the shown profile re-imported", r, a.Busy)
	}
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindResult, Result: &protocol.Result{Space: "nasbench201", ProfileJSON: `{"p":1}`}})
	if a.Busy != Idle || !strings.Contains(a.Notice, "re-imported") {
		t.Errorf("busy %q, notice %q", a.Busy, a.Notice)
	}

	// A worker that dies before it was ever ready did not start.
	b := New(&fakePlatform{}, nasbench201.Space{})
	b.Apply(protocol.Event{Kind: protocol.KindDied, Message: "The measuring worker crashed"})
	if b.LoadError == "" || b.Died != "" {
		t.Errorf("died while loading: load error %q, died %q", b.LoadError, b.Died)
	}
}

func TestCancelTiming(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.StartProfile()
	id := p.Last().ID
	p.Clock = 5 * time.Second
	a.Cancel()
	if p.Last().Kind != protocol.KindCancel {
		t.Fatalf("posted %+v", p.Last())
	}
	p.Clock += 300 * time.Millisecond
	a.Apply(protocol.Event{ID: id, Kind: protocol.KindCancelled})
	if a.Busy != Idle || a.CancelledAfterMS != 300 || !strings.Contains(a.Notice, "300 ms") {
		t.Errorf("busy %q, cancelled after %v ms, notice %q", a.Busy, a.CancelledAfterMS, a.Notice)
	}
}

func TestEditor(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.SetArchText("|nor_conv_3x3~0|+|bad|")
	if a.ArchError == "" || !strings.Contains(a.ArchError, "Not a NAS-Bench-201 architecture: want 3 node groups") {
		t.Errorf("malformed string: error %q", a.ArchError)
	}
	if a.Prediction != nil || len(p.Posted) != 0 {
		t.Error("predicted a malformed architecture")
	}
	a.SetEdge(5, "none")
	if a.ArchError != "" || a.EdgeOp(5) != "none" || !strings.HasSuffix(a.ArchText, "none~2|") {
		t.Errorf("after SetEdge: error %q, text %q", a.ArchError, a.ArchText)
	}
	a.SetEdge(0, "conv_7x7")
	if a.ArchError == "" {
		t.Error("unknown operation accepted")
	}
	a.SetArchText(defaultArch)
	if a.FLOPs() <= 0 || a.Params() <= 0 {
		t.Errorf("FLOPs %v, params %v", a.FLOPs(), a.Params())
	}
	if len(p.Posted) != 0 {
		t.Error("predicted without a profile")
	}

	// With a profile, predictions are requested and errors land in the editor.
	a.Apply(protocol.Event{Kind: protocol.KindResult, Result: &protocol.Result{}})
	id := p.Last().ID
	a.Apply(protocol.Event{ID: id, Kind: protocol.KindError, Message: "bad"})
	if a.ArchError != "bad" || a.Error != "" {
		t.Errorf("prediction error went to %q / %q", a.ArchError, a.Error)
	}
	a.SetArchText(defaultArch)
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindPrediction, Prediction: &protocol.Prediction{Arch: defaultArch, MS: 12}})
	if a.Prediction == nil || a.Prediction.MS != 12 {
		t.Errorf("prediction %+v", a.Prediction)
	}
	a.Apply(protocol.Event{Kind: protocol.KindPrediction, Prediction: &protocol.Prediction{Arch: "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", MS: 1}})
	if a.Prediction.MS != 12 {
		t.Error("a stale prediction for another architecture replaced the current one")
	}
}

func TestExploreBudgetAndPick(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.Apply(protocol.Event{Kind: protocol.KindResult, Result: &protocol.Result{}})
	a.Explore()
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindExplored, Explored: &protocol.Explored{Candidates: []protocol.Candidate{
		{Arch: "a", Accuracy: 70, PredictedMS: 10},
		{Arch: "b", Accuracy: 73, PredictedMS: 30},
		{Arch: "c", Accuracy: 71, PredictedMS: 20},
	}}})
	if a.BudgetMS != 20 {
		t.Errorf("initial budget %v, want the median 20", a.BudgetMS)
	}
	for _, tc := range []struct {
		budget float64
		want   string
		ok     bool
	}{{5, "", false}, {10, "a", true}, {25, "c", true}, {30, "b", true}} {
		a.SetBudget(tc.budget)
		got, ok := a.Pick()
		if ok != tc.ok || got.Arch != tc.want {
			t.Errorf("budget %v: pick %q %v, want %q %v", tc.budget, got.Arch, ok, tc.want, tc.ok)
		}
	}
	if lo, hi := a.BudgetRange(); lo != 10 || hi != 30 {
		t.Errorf("range %v..%v", lo, hi)
	}
	if u := a.UnderBudget(2); len(u) != 2 || u[0].Arch != "b" || u[1].Arch != "c" {
		t.Errorf("under budget %+v", u)
	}
}

func TestExportImportAndKeys(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.Import("   ")
	if a.ImportError == "" || len(p.Posted) != 0 {
		t.Errorf("empty import: error %q", a.ImportError)
	}
	a.Import(`{"format":"helpwasm-profile"}`)
	imp := p.Last()
	if imp.Kind != protocol.KindImport {
		t.Fatalf("posted %+v", imp)
	}
	a.Apply(protocol.Event{ID: imp.ID, Kind: protocol.KindError, Message: "this is not a usable device profile: x"})
	if !strings.Contains(a.ImportError, "not a usable") || a.Busy != Idle {
		t.Errorf("import error %q, busy %q", a.ImportError, a.Busy)
	}
	a.Apply(protocol.Event{Kind: protocol.KindResult, Result: &protocol.Result{Imported: true}})
	a.Export()
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindExported, ProfileJSON: "{}"})
	if len(p.Downloads) != 1 || p.Downloads[0] != "helpwasm-profile.json:{}" {
		t.Errorf("downloads %v", p.Downloads)
	}

	a.Key("p")
	if r := p.Last(); r.Kind != protocol.KindProfile {
		t.Errorf("p posted %+v", r)
	}
	a.Key("c")
	if r := p.Last(); r.Kind != protocol.KindCancel {
		t.Errorf("c posted %+v", r)
	}
	if a.Key("q") {
		t.Error("unbound key handled")
	}
	mode := a.Mode
	a.Key("t")
	if a.Mode == mode {
		t.Error("t did not toggle the mode")
	}
}

func TestHiddenWarning(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.StartProfile()
	a.SetHidden(true)
	if r := p.Last(); r.Kind != protocol.KindVisibility || !r.Hidden || a.Warning == "" {
		t.Errorf("hidden: posted %+v, warning %q", r, a.Warning)
	}
	a.SetHidden(false)
	if r := p.Last(); r.Hidden || a.Warning != "" {
		t.Errorf("shown: posted %+v, warning %q", r, a.Warning)
	}
}

func TestParseURLOptions(t *testing.T) {
	for _, tt := range []struct {
		query   string
		want    URLOptions
		wantErr string
	}{
		{"", URLOptions{}, ""},
		{"?autorun", URLOptions{AutoRun: true}, ""},
		{"autorun&seed=7", URLOptions{AutoRun: true, Seed: 7}, ""},
		{"?seed=42&other=x", URLOptions{Seed: 42}, ""},
		{"?seed=1&seed=3", URLOptions{Seed: 3}, ""},
		{"?seed=abc&autorun", URLOptions{AutoRun: true}, "?seed=abc"},
		{"?seed=0", URLOptions{}, "?seed=0"},
		{"?seed=-4", URLOptions{}, "?seed=-4"},
		{"?seed=", URLOptions{}, "?seed="},
		{"?seed=%zz", URLOptions{}, "page address"},
	} {
		got, err := ParseURLOptions(tt.query)
		if got != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.query, got, tt.want)
		}
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.query, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: error %v, want one naming %q", tt.query, err, tt.wantErr)
		}
	}
}

// ?seed=N sets the first profile's seed; later profiles take the next
// seeds, and the notice says which seed a finished profile used.
func TestURLSeed(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	a.ApplyURLOptions(URLOptions{AutoRun: true, Seed: 9})
	if len(p.Posted) != 0 {
		t.Fatal("profiled before the worker was ready")
	}
	ready(a) // autorun starts now
	r := p.Last()
	if r.Kind != protocol.KindProfile || r.Profile.Seed != 9 {
		t.Fatalf("first profile %+v %+v, want seed 9", r, r.Profile)
	}
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindResult, Result: &protocol.Result{}})
	if !strings.Contains(a.Notice, "seed 9") {
		t.Errorf("notice %q does not name seed 9", a.Notice)
	}
	a.StartProfile()
	if s := p.Last().Profile.Seed; s != 10 {
		t.Errorf("second profile seed %d, want 10", s)
	}
}

// FuzzParseURLOptions: any address query parses without panicking, and a
// seed is reported only when the query holds exactly that seed.
func FuzzParseURLOptions(f *testing.F) {
	for _, s := range []string{"", "?autorun", "seed=5", "?seed=abc&autorun", "seed=%zz", "seed=18446744073709551615", "seed=18446744073709551616"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		o, err := ParseURLOptions(q)
		if err != nil && !strings.Contains(err.Error(), "page address") {
			t.Errorf("%q: error %q does not say where the problem is", q, err)
		}
		if o.Seed != 0 {
			if err != nil {
				t.Errorf("%q: seed %d together with error %v", q, o.Seed, err)
			}
			if !strings.Contains(q, "seed=") {
				t.Errorf("%q: seed %d from a query without one", q, o.Seed)
			}
		}
	})
}

// Issue 12 item 9: the editor names a malformed string once, in words.
func TestArchErrorText(t *testing.T) {
	a := New(&fakePlatform{}, nasbench201.Space{})
	a.SetArchText("|nor_conv_3x3~0|+|bogus~0|nor_conv_3x3~1|+|none~0|none~1|none~2|")
	want := `Not a NAS-Bench-201 architecture: node 2 edge from 0: unknown operation "bogus"`
	if !strings.HasPrefix(a.ArchError, want) || strings.Count(a.ArchError, "architecture") != 2 || strings.Contains(a.ArchError, "malformed") {
		t.Errorf("error %q, want it to start %q and name the space once", a.ArchError, want)
	}
}

// Issue 12 item 3: import errors are shown and revealed beside the import
// controls; "edit" brings the editor into view.
func TestImportErrorPlacedAtImport(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	a.Import("  ")
	if a.ImportError == "" || a.Error != "" || p.Revealed[len(p.Revealed)-1] != "import-error" {
		t.Errorf("empty file: import error %q, banner %q, revealed %v", a.ImportError, a.Error, p.Revealed)
	}
	a.Import("not json")
	id := p.Last().ID
	if a.ImportError != "" {
		t.Errorf("a new import keeps the old error %q", a.ImportError)
	}
	a.Apply(protocol.Event{ID: id, Kind: protocol.KindError, Message: "this is not a usable device profile: the file is not JSON"})
	if a.ImportError != "This is not a usable device profile: the file is not JSON." || a.Error != "" || a.Busy != Idle {
		t.Errorf("import error %q, banner %q, busy %q", a.ImportError, a.Error, a.Busy)
	}
	a.UseArch(defaultArch)
	if p.Revealed[len(p.Revealed)-1] != "editor" {
		t.Errorf("edit revealed %v", p.Revealed)
	}
}

// Issue 12 item 7: a cancelled second profile leaves the bars of the
// profile shown; the measured table's predictions follow the profile.
func TestCancelAndMeasuredRepredict(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	ready(a)
	// A measurement before any profile: no prediction.
	a.MeasureArch()
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindMeasured, Measured: &protocol.Measured{Arch: defaultArch, MS: 2, RescaledMS: 2, Drift: 1}})
	a.StartProfile()
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindResult, Result: &protocol.Result{Steps: make([]protocol.Comparison, 3)}})
	r := p.Last()
	if r.Kind != protocol.KindPredict || len(r.Archs) != 1 || r.Archs[0] != defaultArch {
		t.Fatalf("after the profile: %+v, want the measured architecture re-predicted", r)
	}
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindPrediction, Prediction: &protocol.Prediction{Arch: defaultArch, MS: 1.5},
		Predictions: []protocol.Prediction{{Arch: defaultArch, MS: 1.5}}})
	if a.Measured[0].PredictedMS != 1.5 {
		t.Errorf("measured row predicts %v, want 1.5", a.Measured[0].PredictedMS)
	}
	a.Predict()
	if r := p.Last(); len(r.Archs) != 0 {
		t.Errorf("re-predicted again with the same profile: %v", r.Archs)
	}
	// A second profile, cancelled part-way.
	a.StartProfile()
	id := p.Last().ID
	a.Apply(protocol.Event{ID: id, Kind: protocol.KindProgress, Progress: &protocol.Progress{Phase: protocol.PhaseLabelled, Done: 5, Total: 22}})
	a.Cancel()
	a.Apply(protocol.Event{ID: id, Kind: protocol.KindCancelled})
	for _, ph := range []string{protocol.PhaseLabelled, protocol.PhaseValidation} {
		if f := a.PhaseFraction(ph); f != 1 {
			t.Errorf("after cancelling, %s bar at %v, want the shown profile's 1", ph, f)
		}
	}
	if !strings.Contains(a.Notice, "previous profile") {
		t.Errorf("notice %q", a.Notice)
	}
	// An imported profile re-predicts the table too.
	a.Import("{}")
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindResult, Result: &protocol.Result{Imported: true}})
	if r := p.Last(); len(r.Archs) != 1 {
		t.Errorf("after an import: %+v", r)
	}
}

// Presenter mode: ?present, slide keys, the verdict after a profile.
func TestPresenterMode(t *testing.T) {
	o, err := ParseURLOptions("present&autorun")
	if err != nil || !o.Present {
		t.Fatalf("options %+v, %v", o, err)
	}
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{})
	a.ApplyURLOptions(o)
	ready(a)
	if a.Busy != Profiling || a.SlideName() != "start" {
		t.Fatalf("busy %q on slide %q", a.Busy, a.SlideName())
	}
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindResult, Result: &protocol.Result{Steps: make([]protocol.Comparison, 3)}})
	if a.SlideName() != "validation" {
		t.Errorf("after the profile, slide %q, want the verdict", a.SlideName())
	}
	a.Key("PageDown")
	if a.SlideName() != "adaptation" || !a.Key("ArrowLeft") || a.Step != 1 {
		t.Errorf("slide %q, step %d", a.SlideName(), a.Step)
	}
	for range 10 {
		a.Key(" ")
	}
	if a.SlideName() != "explore" {
		t.Errorf("past the end: %q", a.SlideName())
	}
	a.Key("Home")
	a.Key("PageUp")
	if a.Slide != 0 {
		t.Errorf("before the start: %d", a.Slide)
	}
	b := New(p, nasbench201.Space{})
	if b.Key("PageDown") {
		t.Error("slide keys outside presenter mode")
	}
}
