package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/registry"
)

func testAtlas(t *testing.T) *atlas.Atlas {
	t.Helper()
	at, err := loadAtlas("", shareddata.Find(), "nasbench201")
	if err != nil {
		t.Skipf("no atlas: %v", err)
	}
	return at
}

// TestProfileEndToEnd runs the whole pipeline on this machine with a
// shortened protocol, writes the profile, predicts from it and compares
// it with itself.
func TestProfileEndToEnd(t *testing.T) {
	data := shareddata.Dir(t)
	m, err := loadPredictor("", data, "nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	at := testAtlas(t)
	opts := measure.Quick()
	opts.Warmup, opts.Rounds, opts.MinSamples, opts.MaxRetries = 0, 2, 1, 0
	opts.MinSample = time.Millisecond
	opts.CollectGarbage = false
	var phases []string
	opts.Progress = func(p measure.Progress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}
	clockName, clock := measure.ClockWall, measure.SystemClock()
	if c, ok := cpuClock(); ok {
		clockName, clock = measure.ClockThreadCPU, c
	}
	entry, err := registry.Lookup("nasbench201")
	if err != nil {
		t.Fatal(err)
	}
	res, err := profileMachine(context.Background(), profileSetup{
		entry: entry, model: m, atlas: at, samples: 4, validate: 6, seed: 3, opts: opts,
		preset: "test", nearest: 2, clock: clock, clockName: clockName,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(phases, []string{session.PhaseLabelled, session.PhaseValidation}) {
		t.Errorf("progress phases %v", phases)
	}
	p := res.profile
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	v := p.Validation
	if v == nil || len(v.Samples) != 6 || len(p.Support) != 4 || len(p.Nearest) != 2 {
		t.Fatalf("profile shape: %d support, validation %+v, nearest %v", len(p.Support), v, p.Nearest)
	}
	for _, s := range v.Samples {
		if s.PredictedMS == nil || !(*s.PredictedMS > 0) || math.IsInf(*s.PredictedMS, 0) {
			t.Errorf("%s: predicted %v, want a finite positive ms", s.Arch, s.PredictedMS)
		}
	}
	if _, ok := v.Baselines["flops"]; !ok {
		t.Errorf("no flops baseline: %v", v.Baselines)
	}
	if p.Runtime.Clock != clockName || p.Protocol.Preset != "test" {
		t.Errorf("runtime %+v, protocol %+v", p.Runtime, p.Protocol)
	}
	t.Logf("validation spearman %.3f kendall %.3f (shortened protocol, 4 support samples)", v.Spearman, v.Kendall)
	var report bytes.Buffer
	if err := res.report(&report, time.Second); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"reference latencies", "plan " + session.Plan, "auto chose", "HELP  ", "FLOPs", "median error", "ranked best", "Adaptation moved", "nearest known devices"} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}

	path := filepath.Join(t.TempDir(), "profile.json")
	if err := writeProfileFile(path, p); err != nil {
		t.Fatal(err)
	}

	// predict reproduces the profile's own validation predictions: same
	// support, same embedding, same seed.
	var out, errOut bytes.Buffer
	args := []string{"-profile", path, "-data", data}
	for _, s := range v.Samples[:3] {
		args = append(args, "-arch", s.Arch)
	}
	if err := run(append([]string{"predict"}, args...), &out, &errOut); err != nil {
		t.Fatalf("predict: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("predict printed %q", out.String())
	}
	for i, line := range lines {
		msText, _, _ := strings.Cut(line, " ms")
		fields := strings.Split(line, "\t")
		got, err := strconv.ParseFloat(msText, 64)
		if err != nil || fields[len(fields)-1] != v.Samples[i].Arch || !strings.Contains(line, "(HELP ") {
			t.Fatalf("predict line %q", line)
		}
		approx.Equal(t, "predicted ms", got, *v.Samples[i].PredictedMS, 1e-3/math.Max(1, *v.Samples[i].PredictedMS))
	}

	out.Reset()
	if err := run([]string{"profile", "-compare", path, path}, &out, &errOut); err != nil {
		t.Fatalf("compare with itself: %v", err)
	}
	if !strings.Contains(out.String(), "spearman 1.0000") || !strings.Contains(out.String(), "relative difference 0.0%") {
		t.Errorf("compare with itself:\n%s", out.String())
	}
}

// synthProfile is a valid profile with reference i at (2+i)*scale ms and
// support j at (3+j)*scale ms.
func synthProfile(scale float64, supportFrom int) *measure.Profile {
	p := &measure.Profile{
		Format: measure.Format, Version: measure.Version, Space: "nasbench201",
		Created:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Runtime:  measure.Runtime{GOOS: "linux", GOARCH: "amd64", GoVersion: "go1.26", ClockResolutionNS: 1},
		Protocol: measure.ProtocolOf("quick", measure.Quick()),
		Anchors: measure.Anchors{
			Fastest: measure.Timing{Arch: nasbench201.FromIndex(0).String(), MS: scale},
			Slowest: measure.Timing{Arch: nasbench201.FromIndex(15624).String(), MS: 40 * scale},
		},
	}
	for i := range measure.ReferenceCount {
		p.Reference = append(p.Reference, measure.Timing{Arch: nasbench201.FromIndex(100 + i).String(), MS: float64(2+i) * scale})
	}
	for j := range 10 {
		p.Support = append(p.Support, measure.Timing{Arch: nasbench201.FromIndex(supportFrom + j).String(), MS: float64(3+j) * scale})
	}
	return p
}

func TestCompareProfiles(t *testing.T) {
	a := synthProfile(1, 200)
	tests := []struct {
		name         string
		b            *measure.Profile
		wantSpearman float64
		wantSupport  float64
		wantCommon   int
		wantErr      string
	}{
		{"identical", synthProfile(1, 200), 1, 0, 10, ""},
		{"5% slower", synthProfile(1.05, 200), 1, 0.05 / 1.025, 10, ""},
		{"half the support shared", synthProfile(1, 205), 1, 10.0 / 15, 5, ""}, // a: 8..12 ms, b: 3..7 ms on the shared archs
		{"no support shared", synthProfile(1, 300), 0, 0, 0, "share no support"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := compareProfiles(a, tt.b)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			approx.Equal(t, "reference spearman", c.referenceSpearman, tt.wantSpearman, approx.Float64)
			approx.Equal(t, "support relative difference", c.supportRelDiff, tt.wantSupport, approx.Float64)
			if tt.name == "5% slower" || tt.name == "identical" {
				// A uniform slowdown vanishes after normalisation.
				approx.Equal(t, "normalised support difference", c.supportNormDiff, 0, approx.Float64)
			}
			if c.supportCommon != tt.wantCommon {
				t.Errorf("%d support archs in common, want %d", c.supportCommon, tt.wantCommon)
			}
		})
	}
	// Swapped reference order is not comparable.
	b := synthProfile(1, 200)
	b.Reference[0].Arch, b.Reference[1].Arch = b.Reference[1].Arch, b.Reference[0].Arch
	if _, err := compareProfiles(a, b); err == nil || !strings.Contains(err.Error(), "reference[0]") {
		t.Errorf("swapped reference: err = %v", err)
	}
	// Through the command, a miss is an error.
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := writeProfileFile(pa, a); err != nil {
		t.Fatal(err)
	}
	if err := writeProfileFile(pb, synthProfile(1.5, 200)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runCompare(pa, pb, &out)
	if err == nil || !strings.Contains(out.String(), "MISSED") {
		t.Errorf("40%% apart: err = %v, output:\n%s", err, out.String())
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"format":"helpwasm-profile","version":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.json")
	if err := writeProfileFile(good, synthProfile(1, 200)); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	// 2,000 support timings (json.Marshal does not validate): predict took
	// 48 s and 2.15 GB on 15,625 of them.
	big := synthProfile(1, 200)
	for j := range 2000 - len(big.Support) {
		big.Support = append(big.Support, measure.Timing{Arch: nasbench201.FromIndex(1000 + j).String(), MS: 3})
	}
	bigJSON, err := json.Marshal(big)
	if err != nil {
		t.Fatal(err)
	}
	oversized := filepath.Join(dir, "big.json")
	if err := os.WriteFile(oversized, bigJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"profile", "-samples", "0"}, "-samples 0"},
		{[]string{"profile", "-validate", "-1"}, "-validate -1"},
		{[]string{"profile", "-samples", "101"}, "-samples 101: want 1 to 100"},
		{[]string{"profile", "-validate", "501"}, "-validate 501: want 0 to 500"},
		{[]string{"predict", "-profile", oversized, "-arch", nasbench201.FromIndex(5).String()}, "big.json: support: 2000 timings, more than a profile holds"},
		{[]string{"profile", "-space", "darts"}, "unknown search space"},
		{[]string{"profile", "-quick", "-thorough"}, "exclusive"},
		{[]string{"profile", "-clock", "sundial"}, "-clock"},
		{[]string{"profile", "-compare", good}, "two profile files"},
		{[]string{"profile", "-compare", good, broken}, "version: unsupported version 7"},
		{[]string{"profile", "extra"}, "unexpected arguments"},
		{[]string{"predict", "-arch", "x"}, "-profile is required"},
		{[]string{"predict", "-profile", good}, "-arch is required"},
		{[]string{"predict", "-profile", broken, "-arch", "x"}, "broken.json: version"},
		{[]string{"predict", "-profile", filepath.Join(dir, "missing.json"), "-arch", "x"}, "missing.json"},
		{[]string{"predict", "-profile", good, "-arch", "|conv~0|"}, "-arch: architecture 0: not an architecture of the space: malformed"},
		// Output paths are refused before any work (issue 13): these
		// return at once instead of after a profile or a training run.
		{[]string{"profile", "-out", filepath.Join(dir, "missing", "p.json")}, "missing"},
		{[]string{"profile", "-out", link}, "symbolic link"},
		{[]string{"profile", "-out", dir}, "is a directory"},
		{[]string{"train", "-out", link}, "symbolic link"},
		{[]string{"train", "-out", os.DevNull}, "not a regular file"},
	}
	for _, tt := range tests {
		err := run(tt.args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	var plain bytes.Buffer
	p := progressLine(&plain, false)
	for _, pr := range []measure.Progress{
		{Phase: "reference+support", Step: "warm-up", Done: 1, Total: 9},
		{Phase: "reference+support", Step: "warm-up", Done: 2, Total: 9},
		{Phase: "reference+support", Step: "timing", Done: 3, Total: 9},
		{Phase: "validation", Step: "timing", Done: 1, Total: 9},
	} {
		p(pr)
	}
	want := "reference+support: warm-up\nreference+support: timing\nvalidation: timing\n"
	if plain.String() != want {
		t.Errorf("plain progress %q, want %q", plain.String(), want)
	}
	var tty bytes.Buffer
	progressLine(&tty, true)(measure.Progress{Phase: "validation", Step: "timing", Done: 9, Total: 9})
	if !strings.Contains(tty.String(), "\r") || !strings.Contains(tty.String(), "validation: timing 9/9") {
		t.Errorf("terminal progress %q", tty.String())
	}
	if isTerminal(&tty) {
		t.Error("a buffer is not a terminal")
	}
}
