package measure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func arch(i int) string { return nasbench201.FromIndex(i).String() }

// validProfile returns a complete profile whose latencies are easy to
// check: reference i takes 2+i ms, the anchors 1 and 20 ms.
func validProfile() *Profile {
	yes := true
	p := &Profile{
		Format:  Format,
		Version: Version,
		Space:   "nasbench201",
		Device:  "test machine",
		Created: time.Date(2026, 11, 28, 1, 30, 0, 0, time.UTC),
		Runtime: Runtime{GOOS: "js", GOARCH: "wasm", GoVersion: "go1.26.8",
			UserAgent: "Mozilla/5.0", CrossOriginIsolated: &yes, Clock: ClockWall, ClockResolutionNS: 5000, CPUs: 2},
		Protocol: ProtocolOf("quick", Quick()),
		Anchors: Anchors{
			Fastest: Timing{Arch: arch(0), MS: 1, Spread: 0.01, Runs: 6},
			Slowest: Timing{Arch: arch(15624), MS: 20, Spread: 0.02, Runs: 6},
		},
	}
	for i := range ReferenceCount {
		p.Reference = append(p.Reference, Timing{Arch: arch(100 + i), MS: float64(2 + i), Spread: 0.01, Runs: 6})
	}
	for i := range 10 {
		p.Support = append(p.Support, Timing{Arch: arch(200 + i), MS: 3 + 0.5*float64(i), Spread: 0.03, Runs: 5})
	}
	v := &Validation{Spearman: 0.9, Kendall: 0.75, Baselines: map[string]Correlation{"flops": {Spearman: 0.5, Kendall: 0.4}}}
	for i := range 3 {
		pred := 4.25 + float64(i)
		v.Samples = append(v.Samples, Timing{Arch: arch(300 + i), MS: 4 + float64(i), Spread: 0.2, Runs: 6, Unstable: true, PredictedMS: &pred})
	}
	p.Validation = v
	p.Nearest = []Neighbour{{Device: "pixel3", Similarity: 0.97}}
	return p
}

func TestProfileRoundTrip(t *testing.T) {
	p := validProfile()
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Read(Write(p)): %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip changed the profile:\n got %+v\nwant %+v", q, p)
	}
	for _, key := range []string{`"format": "helpwasm-profile"`, `"version": 1`, `"created": "2026-11-28T01:30:00Z"`,
		`"validation": {`, `"spearman": 0.9`, `"predicted_ms": 4.25`, `"cross_origin_isolated": true`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("written profile lacks %s:\n%s", key, buf.String())
		}
	}
}

// TestProfileEngine: a GPU profile records its engine and adapter and
// reads back the same; a profile written before engines were recorded
// (no engine field) still reads, as a CPU profile.
func TestProfileEngine(t *testing.T) {
	gpu := validProfile()
	gpu.Runtime.Engine = EngineWebGPU
	gpu.Runtime.Adapter = &Adapter{Vendor: "google", Architecture: "swiftshader"}
	var buf bytes.Buffer
	if err := gpu.Write(&buf); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"engine": "gpu-webgpu"`, `"vendor": "google"`, `"architecture": "swiftshader"`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("written GPU profile lacks %s:\n%s", key, buf.String())
		}
	}
	q, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gpu, q) {
		t.Errorf("round trip changed the GPU profile:\n got %+v\nwant %+v", q.Runtime, gpu.Runtime)
	}
	if got := q.Runtime.EngineName(); got != EngineWebGPU {
		t.Errorf("EngineName = %q, want %q", got, EngineWebGPU)
	}
	if got, want := q.Runtime.Adapter.String(), "google swiftshader"; got != want {
		t.Errorf("Adapter.String() = %q, want %q", got, want)
	}

	// An old profile: written by the CPU page before the field existed.
	buf.Reset()
	if err := validProfile().Write(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"engine"`) || strings.Contains(buf.String(), `"adapter"`) {
		t.Fatalf("a CPU profile without an engine writes one:\n%s", buf.String())
	}
	old, err := Read(&buf)
	if err != nil {
		t.Fatalf("an old profile without an engine field: %v", err)
	}
	if got := old.Runtime.EngineName(); got != EngineCPU {
		t.Errorf("old profile's EngineName = %q, want %q", got, EngineCPU)
	}
	if old.Runtime.Adapter != nil {
		t.Errorf("old profile has an adapter %+v", old.Runtime.Adapter)
	}
}

func TestAdapterString(t *testing.T) {
	tests := []struct {
		a    Adapter
		want string
	}{
		{Adapter{}, "an unnamed GPU"},
		{Adapter{Vendor: "apple", Architecture: "apple", Description: "Apple M2"}, "apple Apple M2"},
		{Adapter{Vendor: "nvidia", Architecture: "ampere", Device: "0x2204"}, "nvidia ampere 0x2204"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestProfileErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *Profile)
		want string // substring of the error
	}{
		{"format", func(p *Profile) { p.Format = "" }, "format: missing"},
		{"version missing", func(p *Profile) { p.Version = 0 }, "version: missing"},
		{"version unknown", func(p *Profile) { p.Version = 2 }, "version: unsupported version 2"},
		{"space", func(p *Profile) { p.Space = "" }, "space: missing"},
		{"created", func(p *Profile) { p.Created = time.Time{} }, "created: missing"},
		{"goos", func(p *Profile) { p.Runtime.GOOS = "" }, "runtime.goos: missing"},
		{"clock resolution", func(p *Profile) { p.Runtime.ClockResolutionNS = 0 }, "runtime.clock_resolution_ns"},
		{"clock", func(p *Profile) { p.Runtime.Clock = "sundial" }, `runtime.clock: "sundial"`},
		{"engine", func(p *Profile) { p.Runtime.Engine = "abacus" }, `runtime.engine: "abacus"`},
		{"adapter", func(p *Profile) { p.Runtime.Adapter = &Adapter{Vendor: strings.Repeat("v", MaxString+1)} }, "runtime.adapter.vendor: 513 bytes"},
		{"rounds", func(p *Profile) { p.Protocol.Rounds = 0 }, "protocol.rounds"},
		{"quantile", func(p *Profile) { p.Protocol.Quantile = 1.5 }, "protocol.quantile"},
		{"reference count", func(p *Profile) { p.Reference = p.Reference[:9] }, "reference: 9 timings, want 10"},
		{"reference missing arch", func(p *Profile) { p.Reference[2].Arch = "" }, "reference[2].arch: missing"},
		{"NaN", func(p *Profile) { p.Reference[1].MS = math.NaN() }, "reference[1].ms"},
		{"zero", func(p *Profile) { p.Support[3].MS = 0 }, "support[3].ms"},
		{"negative", func(p *Profile) { p.Anchors.Slowest.MS = -1 }, "anchors.slowest.ms"},
		{"inf spread", func(p *Profile) { p.Support[0].Spread = math.Inf(1) }, "support[0].spread"},
		{"no anchor", func(p *Profile) { p.Anchors.Fastest = Timing{} }, "anchors.fastest.arch: missing"},
		{"no support", func(p *Profile) { p.Support = nil }, "support: missing"},
		{"duplicate support", func(p *Profile) { p.Support[5].Arch = p.Support[2].Arch }, "support[5].arch: same architecture as support[2]"},
		{"validation overlaps", func(p *Profile) { p.Validation.Samples[1].Arch = p.Support[7].Arch }, "validation.samples[1].arch: also in support[7]"},
		{"spearman", func(p *Profile) { p.Validation.Spearman = 1.5 }, "validation.spearman"},
		{"baseline", func(p *Profile) { p.Validation.Baselines["flops"] = Correlation{Kendall: math.NaN()} }, "validation.baselines.flops.kendall"},
		{"predicted", func(p *Profile) { inf := math.Inf(-1); p.Validation.Samples[2].PredictedMS = &inf }, "validation.samples[2].predicted_ms"},
		{"nearest", func(p *Profile) { p.Nearest[0].Device = "" }, "nearest[0].device"},
		{"flat", func(p *Profile) {
			for i := range p.Reference {
				p.Reference[i].MS = 5
			}
			p.Anchors.Fastest.MS, p.Anchors.Slowest.MS = 5, 5
		}, "no latency scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProfile()
			tt.edit(p)
			err := p.Write(&bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := validProfile().Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	// want is a regular expression: Go 1.27's encoding/json names the
	// array index in a nested field's path (reference.1.ms), Go 1.26's
	// does not (reference.ms).
	tests := []struct {
		name, json, want string
	}{
		{"empty", "", "empty or truncated"},
		{"truncated", good[:len(good)/2], "empty or truncated"},
		{"syntax", "{\n  \"format\": \"helpwasm-profile\",\n  \"version\": 1,,\n}", "line 3, column 16"},
		{"type", strings.Replace(good, `"version": 1`, `"version": "1"`, 1), "version: got JSON string"},
		{"nested type", strings.Replace(good, `"ms": 3,`, `"ms": "3",`, 1), `reference(\.1)?\.ms: got JSON string, want float64`},
		{"unknown field", strings.Replace(good, `"space"`, `"spcae"`, 1), `unknown field "spcae"`},
		{"trailing", good + "{}", "data after the profile"},
		{"NaN literal", strings.Replace(good, `"ms": 3,`, `"ms": NaN,`, 1), "invalid character 'N'"},
		{"bad time", strings.Replace(good, `2026-11-28T01:30:00Z`, `yesterday`, 1), "yesterday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.json))
			if err == nil || !regexp.MustCompile(tt.want).MatchString(err.Error()) || !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid matching %q", err, tt.want)
			}
		})
	}
}

// ReadFile reads what Write wrote; its errors name the file, and the
// field or position at fault.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := validProfile().Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ReadFile(good)
	if err != nil || !reflect.DeepEqual(p, validProfile()) {
		t.Fatalf("ReadFile(good) = %+v, %v; want the profile written", p, err)
	}
	files := map[string]string{
		"version.json": strings.Replace(buf.String(), `"version": 1`, `"version": 7`, 1),
		"syntax.json":  "{\n  \"format\": ,\n}",
		"ms.json":      strings.Replace(buf.String(), `"ms": 3,`, `"ms": -3,`, 1),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		file, want string
		is         error
	}{
		{"version.json", "version.json: version: unsupported version 7", ErrInvalid},
		{"syntax.json", "syntax.json: .*line 2, column", ErrInvalid},
		{"ms.json", `ms.json: reference\[1\]\.ms`, ErrInvalid},
		{"missing.json", "missing.json", fs.ErrNotExist},
	}
	for _, tt := range tests {
		_, err := ReadFile(filepath.Join(dir, tt.file))
		if err == nil || !regexp.MustCompile(tt.want).MatchString(err.Error()) || !errors.Is(err, tt.is) {
			t.Errorf("ReadFile(%s) = %v, want an error matching %q that is %v", tt.file, err, tt.want, tt.is)
		}
	}
}

func TestScale(t *testing.T) {
	p := validProfile() // reference 2..11 ms, anchors 1 and 20 ms
	n := p.Scale()
	if n.Min != 1 || n.Max != 20 || !n.Tail {
		t.Fatalf("normaliser %+v, want min 1, max 20", n)
	}
	tests := []struct{ ms, y float64 }{
		{1, 0.05}, {20, 0.95}, {10.5, 0.5}, {39, 1.85},
	}
	for _, tt := range tests {
		approx.Equal(t, "Normalise", n.Normalise(tt.ms), tt.y, approx.Float64)
		approx.Equal(t, "Denormalise", n.Denormalise(tt.y), tt.ms, approx.Float64)
	}
	// Below the fastest anchor Normalise stays HELP's line, so 0 ms maps
	// below 0.05; Denormalise does not follow the line down to 0 ms.
	approx.Equal(t, "Normalise(0)", n.Normalise(0), 0.05-0.9/19, approx.Float64)
	approx.Equal(t, "Denormalise(Normalise(0))", n.Denormalise(0.05-0.9/19), math.Exp(-1), approx.Float64)
	ms := []float64{1, 5, 20}
	ys := n.NormaliseTo(nil, ms)
	back := n.DenormaliseTo(make([]float64, 3), ys)
	approx.Slices(t, "round trip", back, ms, approx.Float64)
	n.NormaliseTo(ms, ms) // in place
	approx.Slices(t, "in place", ms, ys, approx.Float64)
}

// TestDenormaliseBelowAnchors checks the tail below the fastest anchor:
// positive, increasing, and continuous with the line in value and slope.
func TestDenormaliseBelowAnchors(t *testing.T) {
	n := latency.Scale{Min: 4.24, Max: 47.7, Portion: latency.LatencyPortion, Tail: true}
	const h = 1e-7
	slopeLine := (n.Max - n.Min) / 0.9
	approx.Equal(t, "value just below the anchor", n.Denormalise(0.05-h), n.Min-slopeLine*h, 1e-9)
	approx.Equal(t, "slope just below the anchor", (n.Denormalise(0.05-h)-n.Denormalise(0.05-2*h))/h, slopeLine, 1e-5)
	prev := 0.0
	for y := -2.0; y < 0.05; y += 0.01 {
		v := n.Denormalise(y)
		if !(v > prev) || math.IsInf(v, 0) {
			t.Fatalf("Denormalise(%.2f) = %g, want finite and > %g (positive, increasing)", y, v, prev)
		}
		prev = v
	}
}

func TestTimingOf(t *testing.T) {
	r := Result{MS: 3.5, Spread: 0.3, Samples: []float64{3, 3.5, 4}, Stable: false}
	got := TimingOf("x", r)
	want := Timing{Arch: "x", MS: 3.5, Spread: 0.3, Runs: 3, Unstable: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TimingOf = %+v, want %+v", got, want)
	}
}

// smallProfile is a valid profile with as few bytes as one can have:
// two-byte architecture names (Validate knows no space), no optional
// fields. full adds validation, prediction and nearest devices.
func smallProfile(full bool) *Profile {
	p := &Profile{
		Format: Format, Version: Version, Space: "s",
		Created:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Runtime:  Runtime{GOOS: "o", GOARCH: "a", GoVersion: "g", ClockResolutionNS: 1},
		Protocol: Protocol{Rounds: 1, OutlierK: 1, MinSamples: 1, MaxSpread: 1},
		Anchors:  Anchors{Fastest: Timing{Arch: "f", MS: 1}, Slowest: Timing{Arch: "s", MS: 9}},
		Support:  []Timing{{Arch: "u", MS: 2}},
	}
	for i := range ReferenceCount {
		p.Reference = append(p.Reference, Timing{Arch: fmt.Sprint("r", i), MS: float64(1 + i)})
	}
	if full {
		pred := 3.0
		p.Validation = &Validation{Method: "help", Spearman: 1, Kendall: 1, MedianAPE: 0.1, Drift: 1,
			Samples:   []Timing{{Arch: "v", MS: 3, PredictedMS: &pred}},
			Baselines: map[string]Correlation{"flops": {Spearman: 0.5, Kendall: 0.4}}}
		p.Prediction = &Prediction{Method: "auto", Chosen: "help", Weights: map[string]float64{"help": 1},
			LOO: map[string]LOOScore{"help": {MedianAPE: 0.1, Spearman: 0.9}}}
		p.Nearest = []Neighbour{{Device: "d", Similarity: 0.9}}
	}
	return p
}

// FuzzProfile reads arbitrary bytes; whatever is accepted must survive
// Write then Read unchanged (encoding/csv's fuzz test does the same).
//
// The seeds are compact and small (smallProfile: 934 and 1,300 bytes).
// With whole indented profiles as seeds (4 kB) a 60 s run from an empty
// cache did 120k execs, then spent its last 48 s minimising one input; with
// these seeds it does 405k (4 new inputs), and with -fuzzminimizetime 5s,
// which caps each minimisation, 850k (156 new inputs). Run it so:
//
//	go test ./measure -run '^$' -fuzz '^FuzzProfile$' -fuzztime 60s -fuzzminimizetime 5s
func FuzzProfile(f *testing.F) {
	for _, full := range []bool{false, true} {
		b, err := json.Marshal(smallProfile(full))
		if err != nil {
			f.Fatal(err)
		}
		if _, err := Read(bytes.NewReader(b)); err != nil {
			f.Fatalf("seed: %v\n%s", err, b)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":"helpwasm-profile","version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Read(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		var out bytes.Buffer
		if err := p.Write(&out); err != nil {
			t.Fatalf("Write of a profile Read accepted: %v", err)
		}
		q, err := Read(&out)
		if err != nil {
			t.Fatalf("Read(Write(p)): %v\n%s", err, out.String())
		}
		// Read keeps the time zone given in the file; Write makes it UTC.
		if !p.Created.Equal(q.Created) {
			t.Fatalf("created %v became %v", p.Created, q.Created)
		}
		q.Created = p.Created
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the profile:\n got %+v\nwant %+v", q, p)
		}
	})
}

// CheckSpace names the field whose architecture is not of the space.
func TestCheckSpace(t *testing.T) {
	sp := nasbench201.Space{}
	if err := validProfile().CheckSpace(sp); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(p *Profile)
		want string
	}{
		{"space", func(p *Profile) { p.Space = "fbnet" }, `space: "fbnet", not "nasbench201"`},
		{"reference", func(p *Profile) { p.Reference[4].Arch = "|conv~0|" }, "reference[4].arch"},
		{"anchor", func(p *Profile) { p.Anchors.Slowest.Arch = "x" }, "anchors.slowest.arch"},
		{"support", func(p *Profile) { p.Support[2].Arch = "x" }, "support[2].arch"},
		{"validation", func(p *Profile) { p.Validation.Samples[1].Arch = "x" }, "validation.samples[1].arch"},
	}
	for _, tt := range tests {
		p := validProfile()
		tt.edit(p)
		if err := p.CheckSpace(sp); err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid mentioning %q", tt.name, err, tt.want)
		}
	}
}

// TestProfileSizeBounds: oversized but otherwise legal profiles are
// refused with the field named and its value clipped (15,625 support
// timings used to pass, and cost the page 332 s and 2.4 GB).
func TestProfileSizeBounds(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	timings := func(n, from int) []Timing {
		ts := make([]Timing, n)
		for i := range ts {
			ts[i] = Timing{Arch: arch(from + i), MS: 3, Runs: 1}
		}
		return ts
	}
	tests := []struct {
		name string
		edit func(p *Profile)
		want string
	}{
		{"support at the bound", func(p *Profile) { p.Support = timings(MaxSupport, 1000) }, ""},
		{"support", func(p *Profile) { p.Support = timings(15625-2000, 2000) }, "support: 13625 timings, more than a profile holds (at most 100)"},
		{"validation at the bound", func(p *Profile) { p.Validation.Samples = timings(MaxValidation, 5000) }, ""},
		{"validation", func(p *Profile) { p.Validation.Samples = timings(MaxValidation+1, 5000) }, "validation.samples: 501 timings"},
		{"arch", func(p *Profile) { p.Support[4].Arch = huge }, "support[4].arch: 3145728 bytes, longer than any such field (at most 512)"},
		{"device", func(p *Profile) { p.Device = huge }, "device: 3145728 bytes"},
		{"user agent", func(p *Profile) { p.Runtime.UserAgent = huge }, "runtime.user_agent: 3145728 bytes"},
		{"format", func(p *Profile) { p.Format = huge }, "format: 3145728 bytes"},
		{"nearest", func(p *Profile) {
			for i := range MaxNamed {
				p.Nearest = append(p.Nearest, Neighbour{Device: fmt.Sprint("d", i), Similarity: 0.5})
			}
		}, "nearest: 65 devices (at most 64)"},
		{"baseline name", func(p *Profile) { p.Validation.Baselines[huge] = Correlation{} }, "validation.baselines: a name of 3145728 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProfile()
			tt.edit(p)
			var buf bytes.Buffer
			err := p.Write(&buf)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Read(&buf); err != nil {
					t.Fatalf("Read at the bound: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %.200v, want ErrInvalid mentioning %q", err, tt.want)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error of %d bytes: the value is not clipped", len(err.Error()))
			}
		})
	}
	// Read gives the same for a file (under its 4 MB limit), with the
	// unknown-field and type errors clipped too.
	p := validProfile()
	p.Support = timings(15625-2000, 2000)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&buf); err == nil || !strings.Contains(err.Error(), "support: 13625 timings") {
		t.Errorf("Read of 13,625 support timings: %v", err)
	}
	for _, doc := range []string{`{"` + huge + `": 1}`, `{"format": ` + strings.Repeat("1", 3<<20) + `}`} {
		_, err := Read(strings.NewReader(doc))
		if err == nil || len(err.Error()) > 400 {
			t.Errorf("Read of a huge key or value: error of %d bytes: %.200v", len(fmt.Sprint(err)), err)
		}
	}
}
