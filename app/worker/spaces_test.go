package worker

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/ofa"
	"github.com/helpwasm/helpwasm/weights"
)

// withFBNet gives f's service FBNet as a second space, loaded on first
// use (withSpace).
func withFBNet(t *testing.T, f *fixture) (pool []space.Arch, loads *int) {
	return withSpace(t, f, fbnet.Space{})
}

// withSpace gives f's service sp as a second space with its shipped
// weights and atlas, loaded on first use, whose simulated device takes
// 0.3 ms plus 1 ms per 20 MFLOPs with a fixed +-10% per architecture; its
// pool is 300 random networks. It returns the pool and counts loads.
func withSpace(t *testing.T, f *fixture, sp space.Space) (pool []space.Arch, loads *int) {
	t.Helper()
	name := sp.Name()
	m, err := weights.Model(name)
	if err != nil {
		t.Fatal(err)
	}
	at, err := weights.Atlas(name)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for range 300 {
		pool = append(pool, sp.Random(rng))
	}
	loads = new(int)
	f.svc.cfg.Load = func(got string) (Data, error) {
		if got != name {
			return Data{}, fmt.Errorf("no space %q here (there are nasbench201 and %s)", got, name)
		}
		*loads++
		build := func(a space.Arch) measure.Item {
			h := fnv.New32a()
			h.Write([]byte(a.String()))
			noise := 0.9 + 0.2*float64(h.Sum32()%1000)/1000
			d := time.Duration((0.3 + float64(sp.FLOPs(a))/20e6) * noise * float64(time.Millisecond))
			return measure.ItemFunc(func() { f.clock.advance(d) })
		}
		return Data{Space: sp, Build: build, Model: m, Atlas: at, Pool: pool}, nil
	}
	return pool, loads
}

// In OFA the worker offers HELP's searched networks as presets, profiles
// with an effort, and explore predicts those networks (not in the pool)
// for the budget pick beside the pool.
func TestOFASearchedNetworks(t *testing.T) {
	f := newFixture(t, "gold_6226")
	pool, _ := withSpace(t, f, ofa.Space{})
	f.svc.Handle(protocol.Request{ID: 1, Kind: protocol.KindSpace, Space: "ofa"})
	ev, _ := f.await(t, 1)
	if ev.Kind != protocol.KindReady || ev.Ready.Space != "ofa" || len(ev.Ready.Presets) != 7 || ev.Ready.Candidates != 7 {
		t.Fatalf("switch to ofa: %+v %+v", ev, ev.Ready)
	}
	for _, p := range ev.Ready.Presets {
		if _, err := ofa.Parse(p.Arch); err != nil || !strings.Contains(p.Note, "HELP's search for") {
			t.Errorf("preset %+v: %v", p, err)
		}
	}
	f.svc.Handle(protocol.Request{ID: 2, Kind: protocol.KindProfile, Profile: &protocol.ProfileRequest{Mode: protocol.ModeQuick, Support: 10, Validation: 10, Seed: 1,
		Effort: &protocol.Effort{LabelledRounds: 8, ValidationRounds: 6, Instances: 1}}})
	if ev, _ = f.await(t, 2); ev.Kind != protocol.KindResult || len(ev.Result.Validation) == 0 {
		t.Fatalf("ofa profile: %s %s", ev.Kind, ev.Message)
	}
	f.svc.Handle(protocol.Request{ID: 3, Kind: protocol.KindExplore})
	ev, _ = f.await(t, 3)
	if ev.Kind != protocol.KindExplored || ev.Explored.Count != len(pool) || len(ev.Explored.Candidates) != 7 {
		t.Fatalf("ofa explore: %s %s %+v", ev.Kind, ev.Message, ev.Explored)
	}
	for _, c := range ev.Explored.Candidates {
		a := ofa.MustParse(c.Arch)
		// The simulated device is linear in FLOPs, so a calibrated
		// prediction lands near it.
		sim := 0.3 + float64(ofa.FLOPs(a))/20e6
		if !(c.PredictedMS > 0.7*sim && c.PredictedMS < 1.3*sim) || c.Note == "" {
			t.Errorf("candidate %s: predicted %.2f ms, the simulated device %.2f ms (note %q)", c.Arch, c.PredictedMS, sim, c.Note)
		}
	}
}

// The worker switches to FBNet, profiles, predicts, explores its pool and
// exports there; switching back keeps each space's profile; importing an
// FBNet profile into a fresh worker switches it; a profile of an unknown
// space or one whose architectures are not its space's is refused clearly.
func TestSpaces(t *testing.T) {
	f := newFixture(t, "gold_6226")
	pool, loads := withFBNet(t, f)
	if r := f.svc.Ready(1); r.Space != "nasbench201" || r.Archs != 15625 || r.Candidates == 0 {
		t.Errorf("first Ready: space %q, %d archs, %d candidates", r.Space, r.Archs, r.Candidates)
	}
	f.svc.Handle(protocol.Request{ID: 1, Kind: protocol.KindSpace, Space: "fbnet"})
	ev, _ := f.await(t, 1)
	if ev.Kind != protocol.KindReady || ev.Ready.Space != "fbnet" || ev.Ready.Archs != len(pool) || ev.Ready.Candidates != 0 || ev.Result != nil {
		t.Fatalf("switch to fbnet: %+v %+v", ev, ev.Ready)
	}
	f.svc.Handle(protocol.Request{ID: 2, Kind: protocol.KindProfile, Profile: &protocol.ProfileRequest{Mode: protocol.ModeQuick, Support: 10, Validation: 12, Seed: 1}})
	ev, _ = f.await(t, 2)
	if ev.Kind != protocol.KindResult || ev.Result.Space != "fbnet" {
		t.Fatalf("fbnet profile: %s %s", ev.Kind, ev.Message)
	}
	if len(ev.Result.Validation) == 0 || ev.Result.Summary == "" {
		t.Errorf("fbnet profile has no validation: %+v", ev.Result.Validation)
	}
	for _, c := range ev.Result.Validation {
		t.Logf("fbnet validation: %s Spearman %.3f", c.Method, c.Spearman)
	}
	arch := fbnet.Space{}.Example().String()
	f.svc.Handle(protocol.Request{ID: 3, Kind: protocol.KindPredict, Arch: arch})
	ev, _ = f.await(t, 3)
	if ev.Kind != protocol.KindPrediction {
		t.Fatalf("fbnet predict: %s %s", ev.Kind, ev.Message)
	}
	finite(t, "fbnet prediction", ev.Prediction.MS, ev.Prediction.MFLOPs, ev.Prediction.Params)
	nb := "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
	f.svc.Handle(protocol.Request{ID: 4, Kind: protocol.KindPredict, Arch: nb})
	if ev, _ = f.await(t, 4); ev.Kind != protocol.KindError || !strings.Contains(ev.Message, "expected e.g.") {
		t.Errorf("NAS-Bench-201 string in FBNet: %s %q", ev.Kind, ev.Message)
	}
	f.svc.Handle(protocol.Request{ID: 5, Kind: protocol.KindExplore})
	ev, _ = f.await(t, 5)
	if ev.Kind != protocol.KindExplored || ev.Explored.Count != len(pool) || len(ev.Explored.Fastest) != 10 || len(ev.Explored.Candidates) != 0 {
		t.Fatalf("fbnet explore: %s %s %+v", ev.Kind, ev.Message, ev.Explored)
	}
	f.svc.Handle(protocol.Request{ID: 6, Kind: protocol.KindExport})
	ev, _ = f.await(t, 6)
	if ev.Kind != protocol.KindExported {
		t.Fatalf("fbnet export: %s %s", ev.Kind, ev.Message)
	}
	fbDoc := ev.ProfileJSON
	if p, err := measure.Read(strings.NewReader(fbDoc)); err != nil || p.Space != "fbnet" {
		t.Fatalf("exported fbnet profile: %v", err)
	}

	// Back to NAS-Bench-201 (no profile there yet), and to FBNet again
	// (its profile comes back, without loading the space again).
	f.svc.Handle(protocol.Request{ID: 7, Kind: protocol.KindSpace, Space: "nasbench201"})
	if ev, _ = f.await(t, 7); ev.Kind != protocol.KindReady || ev.Ready.Space != "nasbench201" || ev.Result != nil {
		t.Fatalf("switch back: %+v", ev)
	}
	f.svc.Handle(protocol.Request{ID: 8, Kind: protocol.KindPredict, Arch: nb})
	if ev, _ = f.await(t, 8); ev.Kind != protocol.KindError || !strings.Contains(ev.Message, "profile") {
		t.Errorf("predict in unprofiled NAS-Bench-201: %s %q", ev.Kind, ev.Message)
	}
	f.svc.Handle(protocol.Request{ID: 9, Kind: protocol.KindSpace, Space: "fbnet"})
	if ev, _ = f.await(t, 9); ev.Kind != protocol.KindReady || ev.Result == nil || ev.Result.Space != "fbnet" {
		t.Fatalf("switch to fbnet again: %+v", ev)
	}
	if *loads != 1 {
		t.Errorf("fbnet loaded %d times", *loads)
	}
	f.svc.Handle(protocol.Request{ID: 10, Kind: protocol.KindSpace, Space: "ofa"})
	if ev, _ = f.await(t, 10); ev.Kind != protocol.KindError || !strings.Contains(ev.Message, "ofa") {
		t.Errorf("switch to ofa: %s %q", ev.Kind, ev.Message)
	}

	// A fresh worker (in NAS-Bench-201) imports the FBNet profile and
	// switches to FBNet.
	g := newFixture(t, "gold_6226")
	withFBNet(t, g)
	g.svc.Handle(protocol.Request{ID: 1, Kind: protocol.KindImport, ProfileJSON: fbDoc})
	ev, _ = g.await(t, 1)
	if ev.Kind != protocol.KindResult || ev.Result.Space != "fbnet" || !ev.Result.Imported {
		t.Fatalf("import fbnet profile: %s %s", ev.Kind, ev.Message)
	}
	g.svc.Handle(protocol.Request{ID: 2, Kind: protocol.KindPredict, Arch: arch})
	ev2, _ := g.await(t, 2)
	if ev2.Kind != protocol.KindPrediction || g.svc.Ready(0).Space != "fbnet" {
		t.Errorf("predict after importing the fbnet profile: %s %q", ev2.Kind, ev2.Message)
	}

	// Mismatched files.
	var m map[string]any
	if err := json.Unmarshal([]byte(fbDoc), &m); err != nil {
		t.Fatal(err)
	}
	m["space"] = "ofa"
	ofa, _ := json.Marshal(m)
	m["space"] = "nasbench201"
	mixed, _ := json.Marshal(m)
	for _, tc := range []struct{ doc, want string }{
		{string(ofa), `"ofa" search space`},
		{string(mixed), "nasbench201 profile cannot be used"},
	} {
		g.svc.Handle(protocol.Request{ID: 3, Kind: protocol.KindImport, ProfileJSON: tc.doc})
		ev, _ := g.await(t, 3)
		if ev.Kind != protocol.KindError || !strings.Contains(ev.Message, tc.want) {
			t.Errorf("import: %s %q, want an error with %q", ev.Kind, ev.Message, tc.want)
		} else {
			t.Logf("import: %s", ev.Message)
		}
	}
	if r := g.svc.Ready(0); r.Space != "fbnet" {
		t.Errorf("a refused import switched the worker to %s", r.Space)
	}
}
