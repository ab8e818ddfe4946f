package state

import (
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/ofa"
)

func twoSpaces(p Platform) *App { return New(p, nasbench201.Space{}, fbnet.Space{}) }

func TestParseURLSpace(t *testing.T) {
	names := []string{"nasbench201", "fbnet"}
	for _, tt := range []struct {
		query   string
		want    URLOptions
		wantErr string
	}{
		{"?space=fbnet", URLOptions{Space: "fbnet"}, ""},
		{"?space=nasbench201&autorun", URLOptions{Space: "nasbench201", AutoRun: true}, ""},
		{"?space=ofa&seed=4", URLOptions{Seed: 4}, "?space=ofa"},
		{"?space=", URLOptions{}, "?space="},
		{"?space=FBNet", URLOptions{}, "want one of nasbench201, fbnet"},
		{"?seed=x&space=fbnet", URLOptions{Space: "fbnet"}, "?seed=x"},
	} {
		got, err := ParseURLOptions(tt.query, names...)
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

// Switching asks the worker, and its answer resets the page to the new
// space: the editor starts from that space's example, the old profile's
// results are gone, and the quick profile's sizes are the space's.
func TestSwitchSpace(t *testing.T) {
	p := &fakePlatform{}
	a := twoSpaces(p)
	ready(a)
	a.Apply(protocol.Event{ID: 0, Kind: protocol.KindResult, Result: &protocol.Result{Space: "nasbench201"}})
	a.Measured = []protocol.Measured{{Arch: "x"}}
	a.SwitchSpace("fbnet")
	r := p.Last()
	if r.Kind != protocol.KindSpace || r.Space != "fbnet" || a.Busy != Switching || a.SwitchingTo() != "fbnet" {
		t.Fatalf("posted %+v, busy %q", r, a.Busy)
	}
	if a.Space.Name() != "nasbench201" {
		t.Error("switched before the worker answered")
	}
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "fbnet", Archs: 5000}})
	if a.Busy != Idle || a.Space.Name() != "fbnet" || a.Result != nil || a.Measured != nil || a.Ready.Archs != 5000 {
		t.Fatalf("after the switch: busy %q, space %s, result %v, measured %v", a.Busy, a.Space.Name(), a.Result, a.Measured)
	}
	if a.ArchText != (fbnet.Space{}).Example().String() || a.FLOPs() <= 0 {
		t.Errorf("editor %q, %v MFLOPs", a.ArchText, a.FLOPs())
	}
	if _, v := a.Sizes(); v != plan.FBNetQuick.Validation {
		t.Errorf("FBNet quick validation %d", v)
	}
	a.SetEdge(3, "k5_e6")
	if got := a.Space.Choice(a.Arch, 3); a.Space.Choices()[got].Name != "k5_e6" || a.ArchError != "" {
		t.Errorf("SetEdge: %s, %q", a.Arch, a.ArchError)
	}
	a.SetArchText("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|")
	if a.ArchError == "" {
		t.Error("a NAS-Bench-201 string accepted in FBNet")
	}

	// Back again: the worker sends the space's profile with its Ready.
	a.SwitchSpace("nasbench201")
	r = p.Last()
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201"}, Result: &protocol.Result{Space: "nasbench201", Steps: make([]protocol.Comparison, 3)}})
	if a.Space.Name() != "nasbench201" || a.Result == nil || a.Step != 2 {
		t.Fatalf("back: space %s, result %v", a.Space.Name(), a.Result)
	}
	if last := p.Last(); last.Kind != protocol.KindPredict {
		t.Errorf("the editor was not predicted with the restored profile: %+v", last)
	}
	if _, v := a.Sizes(); v != plan.Quick.Validation {
		t.Errorf("NAS-Bench-201 quick validation %d", v)
	}
	n := len(p.Posted)
	a.SwitchSpace("nasbench201") // already there
	a.SwitchSpace("ofa")
	if len(p.Posted) != n || !strings.Contains(a.Error, `"ofa"`) {
		t.Errorf("posted %d, error %q", len(p.Posted)-n, a.Error)
	}
}

// ?space=fbnet&autorun: the switch waits for the worker, and the profile
// for the switch.
func TestURLSpaceAutorun(t *testing.T) {
	p := &fakePlatform{}
	a := twoSpaces(p)
	a.ApplyURLOptions(URLOptions{AutoRun: true, Space: "fbnet"})
	if len(p.Posted) != 0 {
		t.Fatal("posted before the worker was ready")
	}
	ready(a)
	r := p.Last()
	if r.Kind != protocol.KindSpace || r.Space != "fbnet" {
		t.Fatalf("first request %+v, want the switch", r)
	}
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "fbnet"}})
	r = p.Last()
	if r.Kind != protocol.KindProfile || r.Profile.Validation != plan.FBNetQuick.Validation {
		t.Fatalf("after the switch %+v, want an FBNet quick profile", r)
	}
}

// Importing a profile of the other space switches the page to it.
func TestImportSwitches(t *testing.T) {
	p := &fakePlatform{}
	a := twoSpaces(p)
	ready(a)
	a.Import(`{"space":"fbnet"}`)
	r := p.Last()
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindResult, Ready: &protocol.Ready{Space: "fbnet", Archs: 5000},
		Result: &protocol.Result{Space: "fbnet", Imported: true}})
	if a.Space.Name() != "fbnet" || a.Result == nil || a.Ready.Archs != 5000 || !strings.Contains(a.Notice, "switched") {
		t.Errorf("space %s, result %v, notice %q", a.Space.Name(), a.Result, a.Notice)
	}
	if _, ok := a.Space.(space.Chain); !ok {
		t.Error("FBNet is not drawn as a chain")
	}
	a.Import(`{"space":"ofa"}`)
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindError, Message: `this profile is for the "ofa" search space: ...`})
	if a.Space.Name() != "fbnet" || a.Result == nil || !strings.Contains(a.ImportError, "ofa") {
		t.Errorf("after a refused import: space %s, result %v, error %q", a.Space.Name(), a.Result, a.ImportError)
	}
}

// In OFA the quick profile follows plan.OFAQuick (its effort goes to the
// worker, and the time-left weights count its runs); a page loaded with
// ?test-hooks&test-plan=short follows plan.Short instead; the editor sets
// the resolution, a depth and a block by their own choices.
func TestOFAPlanAndEditor(t *testing.T) {
	p := &fakePlatform{}
	a := New(p, nasbench201.Space{}, fbnet.Space{}, ofa.Space{})
	ready(a)
	a.SwitchSpace("ofa")
	a.Apply(protocol.Event{ID: p.Last().ID, Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "ofa", Archs: 5000}})
	a.StartProfile()
	r := p.Last()
	if r.Kind != protocol.KindProfile || r.Profile.Support != plan.OFAQuick.Support || r.Profile.Validation != plan.OFAQuick.Validation || r.Profile.Effort == nil || *r.Profile.Effort != plan.OFAQuick.Effort {
		t.Fatalf("OFA quick profile request %+v", r.Profile)
	}
	e := plan.OFAQuick.Effort
	if l, v := a.PhaseRuns(); l != float64((12+10)*(e.Warmup+1+e.LabelledRounds)) || v != float64((10+2)*(e.Warmup+1+e.ValidationRounds)) {
		t.Errorf("OFA phase runs %v, %v", l, v)
	}
	a.Apply(protocol.Event{ID: r.ID, Kind: protocol.KindCancelled})

	// NAS-Bench-201's quick profile has the presets' effort, and its
	// weights are the presets' runs: a warm-up, a calibration run and 10
	// labelled rounds, or 6 validation rounds.
	b := New(&fakePlatform{}, nasbench201.Space{})
	if pl := b.PlanOf(protocol.ModeQuick); pl != plan.Quick || pl.Validation != 40 {
		t.Errorf("NAS-Bench-201 quick plan %+v", pl)
	}
	if l, v := b.PhaseRuns(); l != 22*12 || v != float64((plan.Quick.Validation+2)*8) {
		t.Errorf("NAS-Bench-201 phase runs %v, %v", l, v)
	}

	for _, q := range []struct {
		query string
		short bool
	}{{"?test-hooks&test-plan=short", true}, {"?test-plan=short", false}, {"?test-hooks", false}} {
		o, err := ParseURLOptions(q.query)
		if err != nil || o.TestPlan != q.short {
			t.Errorf("%s: %+v %v", q.query, o, err)
		}
	}
	o, _ := ParseURLOptions("?test-hooks&test-plan=short")
	a.ApplyURLOptions(o)
	if pl := a.PlanOf(protocol.ModeQuick); pl != plan.Short || a.PlanOf(protocol.ModeThorough) != plan.OFAThorough {
		t.Errorf("short plan not followed: %+v", pl)
	}

	// The editor.
	for _, set := range []struct {
		slot int
		op   string
	}{{ofa.ResolutionSlot, "224"}, {ofa.DepthSlot(2), "4"}, {ofa.BlockSlot(11), "k7_e6"}} {
		a.SetEdge(set.slot, set.op)
		if a.ArchError != "" || a.EdgeOp(set.slot) != set.op {
			t.Errorf("slot %d = %s: %q, reads %s", set.slot, set.op, a.ArchError, a.EdgeOp(set.slot))
		}
	}
	x := a.Arch.(ofa.Arch)
	if x.R != 224 || x.D[2] != 4 || x.KS[11] != 7 || x.E[11] != 6 || a.ArchText != x.String() {
		t.Errorf("edited %v (%q)", x, a.ArchText)
	}
	a.SetEdge(ofa.ResolutionSlot, "k3_e3")
	if a.ArchError == "" {
		t.Error("a block's choice accepted as the resolution")
	}
}
