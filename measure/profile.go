package measure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/helpwasm/helpwasm/internal/clip"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/space"
)

// The device profile is a JSON object; every latency is in milliseconds.
// Version 1:
//
//	{
//	  "format": "helpwasm-profile",         // constant
//	  "version": 1,
//	  "space": "nasbench201",               // search space of every arch
//	  "device": "my laptop",                // optional free text
//	  "created": "2026-11-28T01:30:00Z",    // RFC 3339, UTC
//	  "runtime": {
//	    "goos": "js", "goarch": "wasm", "go_version": "go1.26.8",
//	    "user_agent": "Mozilla/5.0 ...",     // optional (the page sets it)
//	    "cross_origin_isolated": true,       // optional (the page sets it)
//	    "clock": "wall",                     // optional: "wall" or "thread-cpu"
//	    "clock_resolution_ns": 5000,
//	    "cpus": 8,                           // optional
//	    "engine": "gpu-webgpu",              // optional: what ran the networks (absent: the CPU)
//	    "adapter": {"vendor": "google", "architecture": "swiftshader",
//	      "device": "", "description": ""}   // optional: the GPU, for a GPU engine
//	  },
//	  "protocol": {"preset": "quick", "warmup": 1, "rounds": 6,
//	    "min_sample_ms": 2, "resolution_factor": 200, "outlier_k": 5,
//	    "min_samples": 4, "max_spread": 0.15, "quantile": 0.25, "max_retries": 1,
//	    "collect_garbage": true, "seed": 1, "instances": 2},
//	  "reference": [T x 10],                // HELP's reference archs, embedding order
//	  "anchors": {"fastest": T, "slowest": T},  // consensus fastest/slowest archs
//	  "support": [T, ...],                  // adaptation samples (>= 1)
//	  "prediction": {                       // optional: how predicted_ms was made
//	    "method": "auto", "chosen": "opcost",
//	    "weights": {"opcost": 0.7, "help": 0.3},  // optional (auto's blend)
//	    "loo": {"opcost": {"median_ape": 0.04, "spearman": 0.98}, ...}
//	  },
//	  "validation": {                       // optional
//	    "method": "auto",                   // optional: whose predicted_ms
//	    "spearman": 0.93, "kendall": 0.80,  // predicted vs measured on samples
//	    "median_ape": 0.06,                 // optional: median |pred-ms|/ms
//	    "drift": 1.02,                      // optional: samples were divided by it
//	    "samples": [T with predicted_ms, ...],  // disjoint from support
//	    "baselines": {"flops": {"spearman": .., "kendall": .., "median_ape": ..}}  // optional
//	  },
//	  "nearest": [{"device": "pixel3", "similarity": 0.97}]  // optional
//	}
//
// where a timing T is
//
//	{"arch": "|nor_conv_3x3~0|+...", "ms": 12.3, "spread": 0.02,
//	 "runs": 6, "unstable": true, "predicted_ms": 11.9}
//
// "runs" is the number of kept samples, "spread" the relative spread
// (1.4826 MAD / median), "unstable" is present only when the protocol
// could not reach its spread target, "predicted_ms" only where a
// prediction was made.

// Format is the value of every profile's "format" field.
const Format = "helpwasm-profile"

// Version is the profile format version this package reads and writes.
const Version = 1

// Clocks a profile may be timed with.
const (
	// ClockWall is elapsed time: performance.now() in a browser, the
	// monotonic clock natively.
	ClockWall = "wall"
	// ClockThreadCPU is the measuring thread's CPU time (Linux
	// CLOCK_THREAD_CPUTIME_ID): it excludes time spent waiting for a core,
	// so it is steadier on a shared machine.
	ClockThreadCPU = "thread-cpu"
)

// Engines a profile's networks may have run on (Runtime.Engine).
const (
	// EngineCPU is our Go engine on one CPU thread (WebAssembly in a
	// browser, native code in the CLI). Profiles written before engines
	// were recorded have no engine field and are EngineCPU.
	EngineCPU = "cpu"
	// EngineWebGPU is the WebGPU engine: every forward pass is one
	// command buffer, timed from submit to queue.onSubmittedWorkDone.
	EngineWebGPU = "gpu-webgpu"
)

// ReferenceCount is the number of reference architectures (the size of
// HELP's hardware embedding).
const ReferenceCount = 10

// maxProfileBytes bounds what Read accepts; real profiles are a few KB.
const maxProfileBytes = 4 << 20

// Bounds on what a profile holds, checked by Validate. The page and the
// CLI write tens of timings; a profile far larger is none of ours, and
// would cost minutes and gigabytes to adapt on and predict from (15,625
// support timings, 2.2 MB, kept the page busy 332 s at 2.4 GB).
const (
	// MaxSupport bounds the support timings.
	MaxSupport = 100
	// MaxValidation bounds the validation samples.
	MaxValidation = 500
	// MaxNamed bounds each list or map of named entries: nearest devices,
	// validation baselines, prediction weights and leave-one-out scores.
	MaxNamed = 64
	// MaxString bounds every string (bytes): architectures, names, the
	// user agent.
	MaxString = 512
)

// Profile is a device profile. See the format above.
type Profile struct {
	Format     string      `json:"format"`
	Version    int         `json:"version"`
	Space      string      `json:"space"`
	Device     string      `json:"device,omitempty"`
	Created    time.Time   `json:"created"`
	Runtime    Runtime     `json:"runtime"`
	Protocol   Protocol    `json:"protocol"`
	Reference  []Timing    `json:"reference"`
	Anchors    Anchors     `json:"anchors"`
	Support    []Timing    `json:"support"`
	Prediction *Prediction `json:"prediction,omitempty"`
	Validation *Validation `json:"validation,omitempty"`
	Nearest    []Neighbour `json:"nearest,omitempty"`
}

// Prediction records how a profile's predictions were made: the method
// asked for and, for "auto", which candidate methods it chose and how
// each scored by leave-one-out on the labelled (reference and support)
// timings.
type Prediction struct {
	Method  string              `json:"method"`
	Chosen  string              `json:"chosen,omitempty"`
	Weights map[string]float64  `json:"weights,omitempty"`
	LOO     map[string]LOOScore `json:"loo,omitempty"`
}

// LOOScore is a method's leave-one-out score on the labelled timings.
type LOOScore struct {
	MedianAPE float64 `json:"median_ape"` // median |pred-ms|/ms
	Spearman  float64 `json:"spearman"`
}

// Runtime describes where the profile was measured.
type Runtime struct {
	GOOS                string `json:"goos"`
	GOARCH              string `json:"goarch"`
	GoVersion           string `json:"go_version"`
	UserAgent           string `json:"user_agent,omitempty"`
	CrossOriginIsolated *bool  `json:"cross_origin_isolated,omitempty"`
	// Clock is what timed the samples: ClockWall (the default, also when
	// empty) or ClockThreadCPU.
	Clock             string `json:"clock,omitempty"`
	ClockResolutionNS int64  `json:"clock_resolution_ns"`
	CPUs              int    `json:"cpus,omitempty"`
	// Engine is what ran the networks: EngineCPU (also when empty, as in
	// every profile written before it was recorded) or EngineWebGPU.
	Engine string `json:"engine,omitempty"`
	// Adapter describes the GPU of a GPU engine (nil otherwise).
	Adapter *Adapter `json:"adapter,omitempty"`
}

// EngineName is r.Engine, EngineCPU when unset.
func (r Runtime) EngineName() string {
	if r.Engine == "" {
		return EngineCPU
	}
	return r.Engine
}

// Adapter is what a WebGPU adapter says of itself (GPUAdapterInfo);
// browsers may leave any field empty, and do for privacy.
type Adapter struct {
	Vendor       string `json:"vendor,omitempty"`
	Architecture string `json:"architecture,omitempty"`
	Device       string `json:"device,omitempty"`
	Description  string `json:"description,omitempty"`
}

// String names the adapter in a few words ("google swiftshader"), or
// "an unnamed GPU" when it says nothing.
func (a Adapter) String() string {
	var parts []string
	for _, s := range []string{a.Vendor, a.Architecture, a.Device, a.Description} {
		if s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "an unnamed GPU"
	}
	return strings.Join(parts, " ")
}

// Protocol records the measurement settings (the serialisable part of
// Options).
type Protocol struct {
	Preset           string  `json:"preset,omitempty"`
	Warmup           int     `json:"warmup"`
	Rounds           int     `json:"rounds"`
	MinSampleMS      float64 `json:"min_sample_ms"`
	ResolutionFactor float64 `json:"resolution_factor"`
	OutlierK         float64 `json:"outlier_k"`
	MinSamples       int     `json:"min_samples"`
	MaxSpread        float64 `json:"max_spread"`
	Quantile         float64 `json:"quantile"`
	MaxRetries       int     `json:"max_retries"`
	CollectGarbage   bool    `json:"collect_garbage"`
	Seed             uint64  `json:"seed"`
	// Instances is how many separately built copies of each network
	// were timed in turn (optional; 0 or 1 means one).
	Instances int `json:"instances,omitempty"`
	// Plan names the order the networks were timed in (package session
	// documents each). Empty in profiles written before plans were
	// named: the page's then timed reference, support and validation in
	// three phases with a drift check, the CLI adaptation's networks in
	// one phase and validation in a second.
	Plan string `json:"plan,omitempty"`
}

// ProtocolOf records opts under the given preset name.
func ProtocolOf(preset string, opts Options) Protocol {
	return Protocol{
		Preset:           preset,
		Warmup:           opts.Warmup,
		Rounds:           opts.Rounds,
		MinSampleMS:      float64(opts.MinSample) / float64(time.Millisecond),
		ResolutionFactor: opts.ResolutionFactor,
		OutlierK:         opts.OutlierK,
		MinSamples:       opts.MinSamples,
		MaxSpread:        opts.MaxSpread,
		Quantile:         opts.Quantile,
		MaxRetries:       opts.MaxRetries,
		CollectGarbage:   opts.CollectGarbage,
		Seed:             opts.Seed,
	}
}

// Timing is one architecture's measured latency.
type Timing struct {
	Arch        string   `json:"arch"`
	MS          float64  `json:"ms"`
	Spread      float64  `json:"spread"`
	Runs        int      `json:"runs"`
	Unstable    bool     `json:"unstable,omitempty"`
	PredictedMS *float64 `json:"predicted_ms,omitempty"`
}

// TimingOf records r as the timing of arch.
func TimingOf(arch string, r Result) Timing {
	return Timing{Arch: arch, MS: r.MS, Spread: r.Spread, Runs: len(r.Samples), Unstable: !r.Stable}
}

// Anchors are the consensus fastest and slowest architectures of the
// meta-training devices, measured here to fix the latency scale.
type Anchors struct {
	Fastest Timing `json:"fastest"`
	Slowest Timing `json:"slowest"`
}

// Validation holds held-out architectures with measured and predicted
// latency, and rank correlations between the two.
type Validation struct {
	// Method made the samples' predicted_ms ("" in older profiles: HELP).
	Method   string  `json:"method,omitempty"`
	Spearman float64 `json:"spearman"`
	Kendall  float64 `json:"kendall"`
	// MedianAPE is the median |predicted-ms|/ms over the samples (0 in
	// older profiles: not recorded).
	MedianAPE float64 `json:"median_ape,omitempty"`
	// Drift is the slow-down factor the samples' ms were divided by, to
	// put them on the adaptation phase's speed (0: none recorded).
	Drift     float64                `json:"drift,omitempty"`
	Samples   []Timing               `json:"samples"`
	Baselines map[string]Correlation `json:"baselines,omitempty"`
}

// Correlation is a pair of rank correlations, and the median absolute
// relative error where the method predicts ms (0 where it only ranks).
type Correlation struct {
	Spearman  float64 `json:"spearman"`
	Kendall   float64 `json:"kendall"`
	MedianAPE float64 `json:"median_ape,omitempty"`
}

// Neighbour is a known device and its similarity to this one.
type Neighbour struct {
	Device     string  `json:"device"`
	Similarity float64 `json:"similarity"`
}

// ErrInvalid is wrapped by every error about a profile's content.
var ErrInvalid = errors.New("invalid profile")

// FieldError names the field of a profile at fault by its JSON path, such
// as "support[3].ms".
type FieldError struct {
	Path string
	Err  error
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns ErrInvalid and the cause, so errors.Is works with both.
func (e *FieldError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

func fieldErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Err: fmt.Errorf(format, args...)}
}

// Read decodes and validates a profile. Errors name the JSON path of the
// offending field, or the line and column of a syntax error.
func Read(r io.Reader) (*Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading profile: %w", err)
	}
	if len(data) > maxProfileBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalid, maxProfileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, decodeError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(data, dec.InputOffset())
		return nil, fmt.Errorf("%w: line %d, column %d: data after the profile object", ErrInvalid, line, col)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// ReadFile reads and validates the profile in the file at path. Its
// errors start with the path, then name the field at fault or the line
// and column, as Read's do; they wrap ErrInvalid when the content is at
// fault and the os error (fs.ErrNotExist, ...) when the file cannot be
// opened.
func ReadFile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err) // *PathError names the file
	}
	defer f.Close()
	p, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// decodeError turns an encoding/json error into one with a position.
func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, including the offending one.
		line, col := lineCol(data, syn.Offset-1)
		return fmt.Errorf("%w: line %d, column %d: %v", ErrInvalid, line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		return &FieldError{Path: clip.String(typ.Field), Err: fmt.Errorf("got JSON %s, want %s (value ending at line %d, column %d)", clip.String(typ.Value), typ.Type, line, col)}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: empty or truncated JSON", ErrInvalid)
	}
	// Unknown fields, time parse errors and the like carry their own text,
	// which quotes the field name or value: clipped.
	return fmt.Errorf("%w: %s", ErrInvalid, clip.String(err.Error()))
}

// lineCol converts a byte offset into 1-based line and column numbers.
func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Write validates p and encodes it as indented JSON.
func (p *Profile) Write(w io.Writer) error {
	if err := p.Validate(); err != nil {
		return err
	}
	q := *p
	q.Created = p.Created.UTC().Round(0)
	b, err := json.MarshalIndent(&q, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding profile: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("writing profile: %w", err)
	}
	return nil
}

// Validate checks everything Read checks. The error names the first field
// at fault.
func (p *Profile) Validate() error {
	if err := p.validStrings(); err != nil {
		return err
	}
	switch {
	case p.Format == "":
		return fieldErr("format", "missing (want %q)", Format)
	case p.Format != Format:
		return fieldErr("format", "%s is not %q", clip.Quote(p.Format), Format)
	case p.Version == 0:
		return fieldErr("version", "missing")
	case p.Version != Version:
		return fieldErr("version", "unsupported version %d (this build reads %d)", p.Version, Version)
	case p.Space == "":
		return fieldErr("space", "missing")
	}
	if p.Created.IsZero() {
		return fieldErr("created", "missing")
	}
	rt := p.Runtime
	switch {
	case rt.GOOS == "":
		return fieldErr("runtime.goos", "missing")
	case rt.GOARCH == "":
		return fieldErr("runtime.goarch", "missing")
	case rt.GoVersion == "":
		return fieldErr("runtime.go_version", "missing")
	case rt.Clock != "" && rt.Clock != ClockWall && rt.Clock != ClockThreadCPU:
		return fieldErr("runtime.clock", "%s is neither %q nor %q", clip.Quote(rt.Clock), ClockWall, ClockThreadCPU)
	case rt.ClockResolutionNS <= 0:
		return fieldErr("runtime.clock_resolution_ns", "missing or non-positive (%d)", rt.ClockResolutionNS)
	case rt.CPUs < 0:
		return fieldErr("runtime.cpus", "negative (%d)", rt.CPUs)
	case rt.Engine != "" && rt.Engine != EngineCPU && rt.Engine != EngineWebGPU:
		return fieldErr("runtime.engine", "%s is neither %q nor %q", clip.Quote(rt.Engine), EngineCPU, EngineWebGPU)
	}
	if err := p.Protocol.validate("protocol"); err != nil {
		return err
	}
	if len(p.Reference) != ReferenceCount {
		return fieldErr("reference", "%d timings, want %d (one per reference architecture, in embedding order)", len(p.Reference), ReferenceCount)
	}
	for i := range p.Reference {
		if err := p.validTiming(fmt.Sprintf("reference[%d]", i), &p.Reference[i]); err != nil {
			return err
		}
	}
	if err := p.validTiming("anchors.fastest", &p.Anchors.Fastest); err != nil {
		return err
	}
	if err := p.validTiming("anchors.slowest", &p.Anchors.Slowest); err != nil {
		return err
	}
	if n := p.Scale(); !(n.Max > n.Min) {
		return fieldErr("reference", "all reference and anchor latencies are equal (%g ms): no latency scale", n.Min)
	}
	if len(p.Support) == 0 {
		return fieldErr("support", "missing (want at least one timing)")
	}
	if len(p.Support) > MaxSupport {
		return fieldErr("support", "%d timings, more than a profile holds (at most %d)", len(p.Support), MaxSupport)
	}
	support := make(map[string]int, len(p.Support))
	for i := range p.Support {
		path := fmt.Sprintf("support[%d]", i)
		if err := p.validTiming(path, &p.Support[i]); err != nil {
			return err
		}
		if j, dup := support[p.Support[i].Arch]; dup {
			return fieldErr(path+".arch", "same architecture as support[%d]", j)
		}
		support[p.Support[i].Arch] = i
	}
	if v := p.Validation; v != nil {
		if err := validCorrelation("validation", v.Spearman, v.Kendall); err != nil {
			return err
		}
		if !finite(v.MedianAPE) || v.MedianAPE < 0 {
			return fieldErr("validation.median_ape", "not a finite non-negative number (%g)", v.MedianAPE)
		}
		if !finite(v.Drift) || v.Drift < 0 {
			return fieldErr("validation.drift", "not a finite non-negative number (%g)", v.Drift)
		}
		if len(v.Samples) == 0 {
			return fieldErr("validation.samples", "missing (want at least one timing)")
		}
		if len(v.Samples) > MaxValidation {
			return fieldErr("validation.samples", "%d timings, more than a profile holds (at most %d)", len(v.Samples), MaxValidation)
		}
		if len(v.Baselines) > MaxNamed {
			return fieldErr("validation.baselines", "%d baselines (at most %d)", len(v.Baselines), MaxNamed)
		}
		for i := range v.Samples {
			path := fmt.Sprintf("validation.samples[%d]", i)
			if err := p.validTiming(path, &v.Samples[i]); err != nil {
				return err
			}
			if j, in := support[v.Samples[i].Arch]; in {
				return fieldErr(path+".arch", "also in support[%d]: validation must be disjoint from support", j)
			}
		}
		for name, c := range v.Baselines {
			if name == "" {
				return fieldErr("validation.baselines", "empty baseline name")
			}
			if err := validCorrelation("validation.baselines."+name, c.Spearman, c.Kendall); err != nil {
				return err
			}
			if !finite(c.MedianAPE) || c.MedianAPE < 0 {
				return fieldErr("validation.baselines."+name+".median_ape", "not a finite non-negative number (%g)", c.MedianAPE)
			}
		}
	}
	if pr := p.Prediction; pr != nil {
		if pr.Method == "" {
			return fieldErr("prediction.method", "missing")
		}
		if len(pr.Weights) > MaxNamed {
			return fieldErr("prediction.weights", "%d weights (at most %d)", len(pr.Weights), MaxNamed)
		}
		if len(pr.LOO) > MaxNamed {
			return fieldErr("prediction.loo", "%d scores (at most %d)", len(pr.LOO), MaxNamed)
		}
		for name, w := range pr.Weights {
			if !finite(w) || w < 0 {
				return fieldErr("prediction.weights."+name, "not a finite non-negative weight (%g)", w)
			}
		}
		for name, sc := range pr.LOO {
			if !finite(sc.MedianAPE) || sc.MedianAPE < 0 {
				return fieldErr("prediction.loo."+name+".median_ape", "not a finite non-negative number (%g)", sc.MedianAPE)
			}
			if !(sc.Spearman >= -1 && sc.Spearman <= 1) {
				return fieldErr("prediction.loo."+name+".spearman", "%g is not in [-1, 1]", sc.Spearman)
			}
		}
	}
	if len(p.Nearest) > MaxNamed {
		return fieldErr("nearest", "%d devices (at most %d)", len(p.Nearest), MaxNamed)
	}
	for i, nb := range p.Nearest {
		path := fmt.Sprintf("nearest[%d]", i)
		if nb.Device == "" {
			return fieldErr(path+".device", "missing")
		}
		if !finite(nb.Similarity) {
			return fieldErr(path+".similarity", "not finite (%g)", nb.Similarity)
		}
	}
	return nil
}

// validStrings checks that no string of p is longer than MaxString; the
// error shows the start of the first that is.
func (p *Profile) validStrings() error {
	check := func(path, s string) error {
		if len(s) > MaxString {
			return fieldErr(path, "%d bytes, longer than any such field (at most %d): %s", len(s), MaxString, clip.Quote(s))
		}
		return nil
	}
	type field struct{ path, s string }
	fields := []field{
		{"format", p.Format}, {"space", p.Space}, {"device", p.Device},
		{"runtime.goos", p.Runtime.GOOS}, {"runtime.goarch", p.Runtime.GOARCH},
		{"runtime.go_version", p.Runtime.GoVersion}, {"runtime.user_agent", p.Runtime.UserAgent},
		{"runtime.clock", p.Runtime.Clock}, {"runtime.engine", p.Runtime.Engine},
		{"protocol.preset", p.Protocol.Preset}, {"protocol.plan", p.Protocol.Plan},
		{"anchors.fastest.arch", p.Anchors.Fastest.Arch}, {"anchors.slowest.arch", p.Anchors.Slowest.Arch},
	}
	if a := p.Runtime.Adapter; a != nil {
		fields = append(fields, field{"runtime.adapter.vendor", a.Vendor}, field{"runtime.adapter.architecture", a.Architecture},
			field{"runtime.adapter.device", a.Device}, field{"runtime.adapter.description", a.Description})
	}
	for _, f := range fields {
		if err := check(f.path, f.s); err != nil {
			return err
		}
	}
	timings := func(path string, ts []Timing) error {
		for i, t := range ts {
			if err := check(fmt.Sprintf("%s[%d].arch", path, i), t.Arch); err != nil {
				return err
			}
		}
		return nil
	}
	// Names used as keys: a key's path would itself be oversized, so the
	// error names the map and shows the clipped key.
	keys := func(path string, names iter.Seq[string]) error {
		for k := range names {
			if len(k) > MaxString {
				return fieldErr(path, "a name of %d bytes (at most %d): %s", len(k), MaxString, clip.Quote(k))
			}
		}
		return nil
	}
	if err := timings("reference", p.Reference); err != nil {
		return err
	}
	if err := timings("support", p.Support); err != nil {
		return err
	}
	if v := p.Validation; v != nil {
		if err := check("validation.method", v.Method); err != nil {
			return err
		}
		if err := timings("validation.samples", v.Samples); err != nil {
			return err
		}
		if err := keys("validation.baselines", maps.Keys(v.Baselines)); err != nil {
			return err
		}
	}
	if pr := p.Prediction; pr != nil {
		if err := check("prediction.method", pr.Method); err != nil {
			return err
		}
		if err := check("prediction.chosen", pr.Chosen); err != nil {
			return err
		}
		if err := keys("prediction.weights", maps.Keys(pr.Weights)); err != nil {
			return err
		}
		if err := keys("prediction.loo", maps.Keys(pr.LOO)); err != nil {
			return err
		}
	}
	for i, nb := range p.Nearest {
		if err := check(fmt.Sprintf("nearest[%d].device", i), nb.Device); err != nil {
			return err
		}
	}
	return nil
}

func (pr *Protocol) validate(path string) error {
	switch {
	case pr.Rounds < 1:
		return fieldErr(path+".rounds", "missing or < 1 (%d)", pr.Rounds)
	case pr.Warmup < 0:
		return fieldErr(path+".warmup", "negative (%d)", pr.Warmup)
	case !(pr.MinSampleMS >= 0) || math.IsInf(pr.MinSampleMS, 0):
		return fieldErr(path+".min_sample_ms", "not a finite non-negative number (%g)", pr.MinSampleMS)
	case !(pr.ResolutionFactor >= 0) || math.IsInf(pr.ResolutionFactor, 0):
		return fieldErr(path+".resolution_factor", "not a finite non-negative number (%g)", pr.ResolutionFactor)
	case !(pr.OutlierK > 0) || math.IsInf(pr.OutlierK, 0):
		return fieldErr(path+".outlier_k", "missing or not a finite positive number (%g)", pr.OutlierK)
	case pr.MinSamples < 1:
		return fieldErr(path+".min_samples", "missing or < 1 (%d)", pr.MinSamples)
	case !(pr.MaxSpread > 0) || math.IsInf(pr.MaxSpread, 0):
		return fieldErr(path+".max_spread", "missing or not a finite positive number (%g)", pr.MaxSpread)
	case !(pr.Quantile >= 0 && pr.Quantile <= 1):
		return fieldErr(path+".quantile", "%g is not in [0, 1]", pr.Quantile)
	case pr.MaxRetries < 0:
		return fieldErr(path+".max_retries", "negative (%d)", pr.MaxRetries)
	case pr.Instances < 0:
		return fieldErr(path+".instances", "negative (%d)", pr.Instances)
	}
	return nil
}

// The range of latencies a profile may hold: a forward pass timed with a
// 5 µs clock cannot take under a microsecond, and one over 10 minutes is
// no timing of ours. Inside it the statistics stay finite (a range of
// 1e-300..1e300 made the embedding overflow).
const (
	MinMS = 1e-3
	MaxMS = 6e5
)

// PlausibleMS reports whether ms is a latency a forward pass can take, in
// [MinMS, MaxMS] (false for NaN): the rule for timings and for predictions
// alike, so a predictor's +Inf or 0 is never shown as a latency.
func PlausibleMS(ms float64) bool { return ms >= MinMS && ms <= MaxMS }

func (p *Profile) validTiming(path string, t *Timing) error {
	if t.Arch == "" {
		return fieldErr(path+".arch", "missing")
	}
	if !finite(t.MS) || t.MS <= 0 {
		return fieldErr(path+".ms", "missing or not a finite positive latency (%g)", t.MS)
	}
	if t.MS < MinMS || t.MS > MaxMS {
		return fieldErr(path+".ms", "%g ms is outside the range a forward pass can take (%g ms to %g ms)", t.MS, MinMS, MaxMS)
	}
	if !finite(t.Spread) || t.Spread < 0 {
		return fieldErr(path+".spread", "not a finite non-negative number (%g)", t.Spread)
	}
	if t.Runs < 0 {
		return fieldErr(path+".runs", "negative (%d)", t.Runs)
	}
	if t.PredictedMS != nil && !finite(*t.PredictedMS) {
		return fieldErr(path+".predicted_ms", "not finite (%g)", *t.PredictedMS)
	}
	return nil
}

func validCorrelation(path string, spearman, kendall float64) error {
	if !(spearman >= -1 && spearman <= 1) {
		return fieldErr(path+".spearman", "%g is not in [-1, 1]", spearman)
	}
	if !(kendall >= -1 && kendall <= 1) {
		return fieldErr(path+".kendall", "%g is not in [-1, 1]", kendall)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// ReferenceMS returns the reference latencies in embedding order, ms.
func (p *Profile) ReferenceMS() []float64 {
	ms := make([]float64, len(p.Reference))
	for i, t := range p.Reference {
		ms[i] = t.MS
	}
	return ms
}

// Scale returns the latency scale of the profiled device, HELP's
// normalisation of a new device: the minimum and maximum over the
// reference and anchor latencies, portion latency.LatencyPortion, with the
// tail below the fastest anchor (see latency.Scale).
func (p *Profile) Scale() latency.Scale {
	ms := append(p.ReferenceMS(), p.Anchors.Fastest.MS, p.Anchors.Slowest.MS)
	lo, hi := minMax(ms)
	return latency.Scale{Min: lo, Max: hi, Portion: latency.LatencyPortion, Tail: true}
}

// CheckSpace checks that the profile is of sp and that every architecture
// string in it is one of sp's (Validate cannot: it knows no space). The
// error names the field at fault.
func (p *Profile) CheckSpace(sp space.Space) error {
	if p.Space != sp.Name() {
		return fieldErr("space", "%s, not %q", clip.Quote(p.Space), sp.Name())
	}
	check := func(path string, ts []Timing) error {
		for i, t := range ts {
			if _, err := sp.Parse(t.Arch); err != nil {
				return fieldErr(fmt.Sprintf("%s[%d].arch", path, i), "%v", err)
			}
		}
		return nil
	}
	if err := check("reference", p.Reference); err != nil {
		return err
	}
	if _, err := sp.Parse(p.Anchors.Fastest.Arch); err != nil {
		return fieldErr("anchors.fastest.arch", "%v", err)
	}
	if _, err := sp.Parse(p.Anchors.Slowest.Arch); err != nil {
		return fieldErr("anchors.slowest.arch", "%v", err)
	}
	if err := check("support", p.Support); err != nil {
		return err
	}
	if v := p.Validation; v != nil {
		return check("validation.samples", v.Samples)
	}
	return nil
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range xs {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}
