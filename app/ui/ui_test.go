package ui

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"

	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/ofa"
)

// defaultArch is the editor's starting architecture (the space's Example).
var defaultArch = nasbench201.Space{}.Example().String()

type nopPlatform struct{}

func (nopPlatform) Post(protocol.Request)           {}
func (nopPlatform) Download(string, string, string) {}
func (nopPlatform) Now() time.Duration              { return 0 }
func (nopPlatform) Reveal(string)                   {}
func (nopPlatform) Restart()                        {}

type nopFiles struct{}

func (nopFiles) ReadFile(vugu.DOMEvent, func(string, error)) {}

// render builds the page natively with vugu's static renderer.
func render(t *testing.T, app *state.App) string {
	t.Helper()
	var buf bytes.Buffer
	r := staticrender.New(&buf)
	env, err := vugu.NewBuildEnv(r.EventEnv())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Render(env.RunBuild(&Root{App: app, Files: nopFiles{}})); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func comparison(method string, onScale bool) protocol.Comparison {
	c := protocol.Comparison{Method: method, Unit: "ms", OnScale: onScale, Spearman: 0.9, Kendall: 0.8}
	for i := range 5 {
		c.Points = append(c.Points, protocol.XYPair{Arch: "a", Predicted: float64(10 + i), Measured: float64(11 + 2*i)})
	}
	return c
}

func profiled() *state.App {
	app := state.New(nopPlatform{}, nasbench201.Space{})
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201", Devices: 19, ClockStepUS: 5, Isolated: true}})
	res := &protocol.Result{Mode: "quick", ScaleMS: [2]float64{1, 50},
		Nearest: []protocol.Nearest{{Device: "pixel2", Split: "test", Similarity: 0.95}},
		Map:     []protocol.MapPoint{{Device: "pixel2", Split: "test", X: 0, Y: 1}, {Device: "gold_6226", Split: "test", X: 1, Y: 0}, {Device: "this device", Self: true, X: 0.5, Y: 0.5}},
	}
	for i := range 10 {
		res.Reference = append(res.Reference, protocol.ArchMS{Arch: defaultArch, MS: float64(i + 1)})
		res.Embedding = append(res.Embedding, float64(i)/9)
	}
	res.Validation = []protocol.Comparison{comparison("HELP", true), {Method: "FLOPs", Unit: "MFLOPs", Points: comparison("", false).Points}, comparison("nearest device (pixel2)", false)}
	res.Steps = []protocol.Comparison{comparison("before adaptation", true), comparison("after step 1", true), comparison("after step 2", true)}
	app.Apply(protocol.Event{Kind: protocol.KindResult, Result: res})
	app.Apply(protocol.Event{Kind: protocol.KindExplored, Explored: &protocol.Explored{Count: 3, TookMS: 12,
		Histogram:  protocol.Histogram{Edges: []float64{1, 2, 3}, Counts: []int{2, 1}},
		Fastest:    []protocol.ArchMS{{Arch: defaultArch, MS: 1}},
		Candidates: []protocol.Candidate{{Arch: defaultArch, Accuracy: 70, PredictedMS: 2}}}})
	return app
}

func TestPageRendersWithoutInlineStyles(t *testing.T) {
	for name, app := range map[string]*state.App{"fresh": state.New(nopPlatform{}, nasbench201.Space{}), "profiled": profiled()} {
		html := render(t, app)
		// The Content-Security-Policy (style-src 'self') drops inline styles.
		if strings.Contains(html, " style=") || strings.Contains(html, "<style") {
			t.Errorf("%s: inline style in the markup", name)
		}
		if strings.Contains(html, "NaN") || strings.Contains(html, "Inf") {
			t.Errorf("%s: NaN or Inf rendered", name)
		}
		for _, id := range []string{`id="profile"`, `id="editor"`, `id="arch"`, `id="edge-5"`, `id="transfer"`} {
			if !strings.Contains(html, id) {
				t.Errorf("%s: no %s", name, id)
			}
		}
	}
	html := render(t, profiled())
	for _, want := range []string{`id="device-map"`, `id="plot-0"`, `id="plot-2"`, `id="step-plot"`, `id="histogram"`, `class="diagonal"`, "pixel2", `id="pick"`} {
		if !strings.Contains(html, want) {
			t.Errorf("profiled page lacks %s", want)
		}
	}
	// Three validation plots, the step plot and the three steps side by
	// side; only the on-scale ones (HELP and the steps) draw y = x, each
	// with its legend (a dashed sample line and the words).
	if n := strings.Count(html, `class="diagonal-key"`); n != 5 {
		t.Errorf("%d diagonal legends, want 5", n)
	}
	if n := strings.Count(html, "dashed line: predicted = measured"); n != 5 {
		t.Errorf("%d diagonal legends' words, want 5", n)
	}
	if n := strings.Count(html, `class="diagonal"`); n != 10 {
		t.Errorf("%d dashed paths, want 5 diagonals and 5 legend samples", n)
	}
	if n := len(regexp.MustCompile(`<circle class="dot"`).FindAllString(html, -1)); n != 35 {
		t.Errorf("%d scatter dots, want 7 plots x 5", n)
	}
}

func TestVisitorTextIsEscaped(t *testing.T) {
	app := state.New(nopPlatform{}, nasbench201.Space{})
	app.SetArchText(`<script>alert(1)</script>`)
	html := render(t, app)
	if strings.Contains(html, "<script>alert") {
		t.Error("visitor input rendered as markup")
	}
	if !strings.Contains(html, "Not a NAS-Bench-201 architecture") {
		t.Error("no error message for a malformed architecture")
	}
}

// In FBNet the editor draws the 22 layers as a strip by stage, with a
// select per layer, and explore says why there is no budget pick.
func TestFBNetEditorAndExplore(t *testing.T) {
	app := state.New(nopPlatform{}, nasbench201.Space{}, fbnet.Space{})
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "fbnet", Archs: 5000, Devices: 16}})
	app.SetEdge(0, "skip")  // stage 1: 16 -> 16, stride 1: the identity
	app.SetEdge(1, "skip")  // stage 2's first layer: 16 -> 24, a 1x1 projection
	app.SetEdge(2, "k5_e6") // a tall dark box
	html := render(t, app)
	for _, want := range []string{`id="chain-strip"`, `id="chain-strip-narrow"`, `id="block-21"`, `id="edge-21"`, "Build an FBNet network", "352 ch", "/2→16×16", "skip (the identity)", "1x1 convolution here", `id="space"`} {
		if !strings.Contains(html, want) {
			t.Errorf("FBNet page lacks %q", want)
		}
	}
	if strings.Contains(html, `id="cell-graph"`) || strings.Contains(html, `id="edge-22"`) {
		t.Error("FBNet page draws a cell graph or a 23rd layer")
	}
	if n := strings.Count(html, `class="block k5"`); n < 1 {
		t.Errorf("%d k5 blocks drawn", n)
	}
	// Two strips: one row (wide screens) and two rows (phones).
	if n := strings.Count(html, `class="split"`); n != 2*strings.Count(app.Arch.String(), "_g2") {
		t.Errorf("%d split boxes for %s", n, app.Arch)
	}
	res := &protocol.Result{Space: "fbnet", Mode: "quick", ScaleMS: [2]float64{1, 50}}
	app.Apply(protocol.Event{Kind: protocol.KindResult, Result: res})
	app.Apply(protocol.Event{Kind: protocol.KindExplored, Explored: &protocol.Explored{Count: 5000, TookMS: 12,
		Histogram: protocol.Histogram{Edges: []float64{1, 2, 3}, Counts: []int{2, 1}},
		Fastest:   []protocol.ArchMS{{Arch: app.Arch.String(), MS: 1}}}})
	html = render(t, app)
	for _, want := range []string{"Explore HELP&#39;s 5,000 networks", `id="no-pick"`, "no accuracies"} {
		if !strings.Contains(html, want) {
			t.Errorf("FBNet explore lacks %q", want)
		}
	}
	if strings.Contains(html, `id="budget"`) {
		t.Error("FBNet explore shows a budget slider without candidates")
	}
}

// Issue 12 item 9: speeds in words that cannot be misread.
func TestSpeedText(t *testing.T) {
	for ratio, want := range map[float64]string{
		1.55: "the machine is 1.55x slower than during the profile",
		0.94: "the machine is 6% faster than during the profile",
		1.06: "the machine is 6% slower than during the profile",
		0.5:  "the machine is 2.00x faster than during the profile",
	} {
		if got := speedText(ratio, "the machine is", "than during the profile"); got != want {
			t.Errorf("%v: %q, want %q", ratio, got, want)
		}
	}
	if got := usText(5); got != "5 µs" {
		t.Errorf("usText(5) = %q", got)
	}
}

// The automation hook's data-state attribute (issue 12).
func TestDataState(t *testing.T) {
	app := state.New(nopPlatform{}, nasbench201.Space{})
	r := &Root{App: app}
	if s := r.State(); s != "idle" {
		t.Errorf("fresh page: %q", s)
	}
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201"}})
	app.StartProfile()
	if s := r.State(); s != "profiling" {
		t.Errorf("profiling: %q", s)
	}
	app.Apply(protocol.Event{ID: 1, Kind: protocol.KindResult, Result: &protocol.Result{}})
	if s := r.State(); s != "done" {
		t.Errorf("profiled: %q", s)
	}
	app.Error = "x"
	if s := r.State(); s != "error" {
		t.Errorf("after an error: %q", s)
	}
	if html := render(t, app); !strings.Contains(html, `data-state="error"`) {
		t.Error("no data-state attribute on the root")
	}
}

// The NAS plot: every candidate, the pick ringed and under the budget line.
func TestNASPlot(t *testing.T) {
	app := state.New(nopPlatform{}, nasbench201.Space{})
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201"}})
	app.Apply(protocol.Event{Kind: protocol.KindResult, Result: &protocol.Result{}})
	app.Apply(protocol.Event{Kind: protocol.KindExplored, Explored: &protocol.Explored{Candidates: []protocol.Candidate{
		{Arch: "a", Accuracy: 70, PredictedMS: 10}, {Arch: "b", Accuracy: 72, PredictedMS: 20}, {Arch: "c", Accuracy: 73, PredictedMS: 30}}}})
	app.SetBudget(25)
	v := (&Explore{App: app}).NASPlot()
	if len(v) != 1 || len(v[0].Dots) != 3 {
		t.Fatalf("NAS plot %+v", v)
	}
	last := v[0].Dots[2]
	if last.Class != "cand pick" || !strings.Contains(last.Title, "b:") {
		t.Errorf("pick drawn as %+v", last)
	}
	bx, _ := strconv.ParseFloat(v[0].BudgetX, 64)
	px, _ := strconv.ParseFloat(last.X, 64)
	if px >= bx {
		t.Errorf("the pick at x %v is not left of the budget line at %v", px, bx)
	}
}

// In OFA the editor draws 5 stages of room for 4 blocks at the
// network's resolution, blocks beyond a stage's depth as skipped and
// their selects disabled, offers HELP's searched networks as presets,
// and explore's budget pick names where its networks come from.
func TestOFAEditorAndExplore(t *testing.T) {
	app := state.New(nopPlatform{}, nasbench201.Space{}, fbnet.Space{}, ofa.Space{})
	searched := ofa.Space{}.Example().String()
	presets := []protocol.Candidate{{Arch: searched, Accuracy: 76, Note: "HELP's search for titan_rtx_64: 20.3 ms there, 76.0% ImageNet top-1"}}
	app.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "ofa", Archs: 5000, Devices: 12, Candidates: 1, Presets: presets}})
	app.SetEdge(ofa.ResolutionSlot, "224")
	app.SetEdge(ofa.DepthSlot(0), "2") // stage 1: blocks 3 and 4 unused
	html := render(t, app)
	for _, want := range []string{`id="chain-strip"`, `id="block-19"`, `id="edge-25"`, `id="preset"`, "Build an OFA MobileNetV3 network",
		"136 ch, SE, h-swish", "/2→56×56", "/2→7×7", "20.3 ms there", `id="edge-0"`, "stage 5 block 4", "edge-selects layers by-stage"} {
		if !strings.Contains(html, want) {
			t.Errorf("OFA page lacks %q", want)
		}
	}
	if strings.Contains(html, `id="block-20"`) || strings.Contains(html, `id="edge-26"`) {
		t.Error("OFA page draws a 21st block or a 27th slot")
	}
	// Stage 1 at depth 2 leaves blocks 3 and 4 (slots 3, 4) unused.
	selectTag := func(id string) string { // the <select ...> of id
		i := strings.Index(html, `id="`+id+`"`)
		if i < 0 {
			return ""
		}
		return html[strings.LastIndex(html[:i], "<select"):i]
	}
	for _, id := range []string{"edge-3", "edge-4"} {
		if !strings.Contains(selectTag(id), "disabled") {
			t.Errorf("%s not disabled: %q", id, selectTag(id))
		}
	}
	if s := selectTag("edge-2"); s == "" || strings.Contains(s, "disabled") {
		t.Errorf("an active block's select: %q", s)
	}
	if n := strings.Count(html, `class="block skip"`); n < 2*2 { // two strips
		t.Errorf("%d skipped blocks drawn", n)
	}
	// Choosing the preset loads it.
	(&Editor{App: app}).UsePreset(searched)
	if app.Arch.String() != searched || (&Editor{App: app}).PresetOf() != searched {
		t.Errorf("preset not loaded: %s", app.Arch)
	}

	res := &protocol.Result{Space: "ofa", Mode: "quick", ScaleMS: [2]float64{60, 400}}
	app.Apply(protocol.Event{Kind: protocol.KindResult, Result: res})
	app.Apply(protocol.Event{Kind: protocol.KindExplored, Explored: &protocol.Explored{Count: 5000, TookMS: 12,
		Histogram:  protocol.Histogram{Edges: []float64{1, 2, 3}, Counts: []int{2, 1}},
		Fastest:    []protocol.ArchMS{{Arch: searched, MS: 1}},
		Candidates: []protocol.Candidate{{Arch: searched, Accuracy: 76, PredictedMS: 150, Note: presets[0].Note}}}})
	// The slider's ends round outwards, so its far end fits the slowest.
	app.Explored.Candidates = append(app.Explored.Candidates, protocol.Candidate{Arch: "x", Accuracy: 70, PredictedMS: 512.3454})
	if lo, hi := (&Explore{App: app}).Min(), (&Explore{App: app}).Max(); lo != "150.000" || hi != "512.346" {
		t.Errorf("budget slider %s..%s", lo, hi)
	}
	app.Explored.Candidates = app.Explored.Candidates[:1]
	app.SetBudget(200)
	html = render(t, app)
	for _, want := range []string{`id="budget"`, "ImageNet top-1 (%)", "HELP&#39;s latency-constrained search", "Pick: " + searched} {
		if !strings.Contains(html, want) {
			t.Errorf("OFA explore lacks %q", want)
		}
	}
	if strings.Contains(html, "MetaD2A") || strings.Contains(html, "CIFAR") {
		t.Error("OFA explore speaks of MetaD2A or CIFAR-100")
	}
}
