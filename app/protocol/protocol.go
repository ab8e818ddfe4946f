// Package protocol defines the messages the page's UI and its measuring Web
// Worker exchange with postMessage. Both sides are Go programs compiled to
// WASM; a message crosses as one JSON string.
//
// # Conversation
//
// The UI sends Requests; the worker answers each with one or more Events
// carrying the request's ID (a long request such as KindProfile sends
// KindProgress events and then its result or KindError). Events with ID 0
// are unsolicited (KindReady once the worker has loaded its weights,
// KindWarning while the tab is hidden during a measurement).
//
// The worker serves one search space at a time (Ready.Space), starting
// with the first it loaded. KindSpace switches it to another, loading that
// space's predictor on first use; the answer is a KindReady event with the
// request's ID describing the space, carrying the space's last profile as
// Result if the worker has one. An imported profile of another space
// switches the worker to that space; its Result says so (Result.Space),
// and an import's KindResult carries the space's Ready.
//
// The worker times networks on one engine at a time (Ready.Engine): the
// CPU, or the visitor's GPU where Ready.GPU says there is one. KindEngine
// switches engine within the space, answered like KindSpace: a KindReady
// with the engine's last profile in that space as Result, if any. Each
// space keeps one profile per engine, and a Result says which engine
// timed it (Result.Engine); an imported profile switches to its engine.
//
// KindCancel and KindVisibility are handled as soon as the worker's event
// loop sees them, also while another request runs.
//
// # Units
//
// Latencies are milliseconds (fields ending in MS), durations of the
// page's own work too. Normalised latencies never cross this boundary.
package protocol

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/helpwasm/helpwasm/plan"
)

// Kind names a message.
type Kind string

// Request kinds (UI -> worker).
const (
	KindProfile    Kind = "profile"    // measure this device: Profile
	KindCancel     Kind = "cancel"     // stop the running profile or measurement
	KindVisibility Kind = "visibility" // the tab was hidden or shown: Hidden
	KindPredict    Kind = "predict"    // predict Arch; needs a profile
	KindMeasure    Kind = "measure"    // time Arch on this device
	KindExplore    Kind = "explore"    // predict all architectures
	KindExport     Kind = "export"     // the current profile as JSON
	KindImport     Kind = "import"     // adopt ProfileJSON as the current profile
	KindSpace      Kind = "space"      // serve the search space named Space
	KindEngine     Kind = "engine"     // time networks on the engine named Engine (EngineCPU or EngineGPU)
)

// Engines the worker can time networks on (measure's names, as profiles
// record them).
const (
	EngineCPU = "cpu"        // our Go engine on one CPU thread, in WebAssembly
	EngineGPU = "gpu-webgpu" // the WebGPU engine on the visitor's GPU
)

// Event kinds (worker -> UI).
const (
	KindReady      Kind = "ready"      // worker loaded, or switched space: Ready (and Result)
	KindProgress   Kind = "progress"   // Progress
	KindWarning    Kind = "warning"    // Message (e.g. tab hidden: measurements paused)
	KindResult     Kind = "result"     // profile finished or imported: Result
	KindPrediction Kind = "prediction" // Prediction
	KindMeasured   Kind = "measured"   // Measured
	KindExplored   Kind = "explored"   // Explored
	KindExported   Kind = "exported"   // ProfileJSON
	KindCancelled  Kind = "cancelled"  // the request with this ID stopped early
	KindError      Kind = "error"      // Message; the request with this ID failed
	// KindDied says the worker's program stopped (it exited, panicked or
	// threw): Message. worker.js and the page's glue send it, never Service.
	KindDied Kind = "died"
)

// Modes of KindProfile (package plan's).
const (
	ModeQuick    = plan.ModeQuick
	ModeThorough = plan.ModeThorough
)

// Request is a message from the UI to the worker.
type Request struct {
	ID      int             `json:"id"`
	Kind    Kind            `json:"kind"`
	Profile *ProfileRequest `json:"profile,omitempty"`
	Arch    string          `json:"arch,omitempty"`
	// Archs are more architectures a KindPredict request predicts
	// besides Arch (the measured table's, after a new profile).
	Archs       []string `json:"archs,omitempty"`
	Hidden      bool     `json:"hidden,omitempty"`
	ProfileJSON string   `json:"profile_json,omitempty"`
	Space       string   `json:"space,omitempty"`
	Engine      string   `json:"engine,omitempty"`
}

// ProfileRequest configures a device profile.
type ProfileRequest struct {
	Mode       string `json:"mode"`       // ModeQuick or ModeThorough
	Support    int    `json:"support"`    // support samples for adaptation
	Validation int    `json:"validation"` // held-out samples to validate on
	Seed       uint64 `json:"seed"`       // picks the samples
	// Effort is how hard each network is timed: the page sends its
	// plan's (plan.For: OFA's networks and the GPU take fewer rounds to
	// stay within a visitor's patience); nil: plan.For the worker's
	// space, engine and mode.
	Effort *Effort `json:"effort,omitempty"`
}

// Effort is how hard a profile times each network: package plan's,
// which gives every space's, engine's and mode's.
type Effort = plan.Effort

// Event is a message from the worker to the UI.
type Event struct {
	ID         int         `json:"id"`
	Kind       Kind        `json:"kind"`
	Message    string      `json:"message,omitempty"`
	Ready      *Ready      `json:"ready,omitempty"`
	Progress   *Progress   `json:"progress,omitempty"`
	Result     *Result     `json:"result,omitempty"`
	Prediction *Prediction `json:"prediction,omitempty"`
	// Predictions answer a KindPredict request's Archs, in order.
	Predictions []Prediction `json:"predictions,omitempty"`
	Measured    *Measured    `json:"measured,omitempty"`
	Explored    *Explored    `json:"explored,omitempty"`
	ProfileJSON string       `json:"profile_json,omitempty"`
}

// Ready describes the loaded worker.
type Ready struct {
	Space        string   `json:"space"`
	Archs        int      `json:"archs"`         // architectures explore predicts
	Candidates   int      `json:"candidates"`    // architectures with an accuracy, for the budget pick
	Devices      int      `json:"devices"`       // known devices in the atlas
	ClockStepUS  float64  `json:"clock_step_us"` // measured clock resolution, microseconds
	Isolated     bool     `json:"isolated"`      // crossOriginIsolated in the worker
	LoadMS       float64  `json:"load_ms"`       // time to load weights and atlas
	Reference    []string `json:"reference"`     // reference architectures
	ExampleArchs []string `json:"example_archs"` // a few architectures to try
	// Presets are the editor's named starting points: the atlas's
	// candidates that say where they come from (HELP's searched OFA
	// networks); no PredictedMS.
	Presets []Candidate `json:"presets,omitempty"`
	// Engine is what profiles and measurements time on now: EngineCPU
	// or EngineGPU.
	Engine string `json:"engine"`
	// GPU describes the visitor's GPU if the worker can time networks
	// on it (in some space); NoGPU says why not when it cannot.
	GPU   *GPU   `json:"gpu,omitempty"`
	NoGPU string `json:"no_gpu,omitempty"`
}

// GPU is the visitor's GPU as WebGPU describes it.
type GPU struct {
	Adapter      string   `json:"adapter"` // in a few words, e.g. "google swiftshader"
	Vendor       string   `json:"vendor,omitempty"`
	Architecture string   `json:"architecture,omitempty"`
	Spaces       []string `json:"spaces"` // the search spaces the GPU engine runs
}

// Phases of a profile, in order (package session's plan; the names are
// session's Phase constants).
const (
	PhaseLabelled   = "labelled"   // reference, anchor and support networks, interleaved
	PhaseAdapt      = "adapt"      // adapting HELP and fitting the other methods (not a measurement)
	PhaseValidation = "validation" // held-out networks, with two drift checks
)

// Progress reports a running phase.
type Progress struct {
	Phase  string `json:"phase"`
	Step   string `json:"step"` // e.g. "warm-up", "timing", "paused"
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Paused bool   `json:"paused,omitempty"`
	// Arch and MS are the network timed last and its latency in that
	// sample (ms per run), when the report follows a timed sample.
	Arch string  `json:"arch,omitempty"`
	MS   float64 `json:"ms,omitempty"`
}

// Fraction is Done/Total clamped to [0, 1]; 0 when Total is not positive.
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return 0
	}
	f := float64(p.Done) / float64(p.Total)
	return min(max(f, 0), 1)
}

// Result is a device profile as the UI shows it.
type Result struct {
	Space    string `json:"space"` // the profile's search space
	Mode     string `json:"mode"`
	Imported bool   `json:"imported,omitempty"`
	// ProfileJSON is the profile as Export saves it, kept by the page to
	// re-import into a restarted worker.
	ProfileJSON string       `json:"profile_json,omitempty"`
	Reference   []ArchMS     `json:"reference"`  // measured reference latencies, embedding order
	Embedding   []float64    `json:"embedding"`  // normalised [0,1], embedding order
	Nearest     []Nearest    `json:"nearest"`    // most similar known devices first
	Map         []MapPoint   `json:"map"`        // known devices and this one (Self)
	Support     []ArchMS     `json:"support"`    // measured support samples
	Validation  []Comparison `json:"validation"` // auto first, then HELP and baselines
	Steps       []Comparison `json:"steps"`      // HELP after 0, 1, 2 inner steps
	// Summary names the method that ranked the validation networks best,
	// in words; StepSummary says what HELP's adaptation changed.
	Summary     string `json:"summary,omitempty"`
	StepSummary string `json:"step_summary,omitempty"`
	// LeadSummary says whether auto's lead over FLOPs and HELP is more
	// than the choice of validation networks explains.
	LeadSummary string `json:"lead_summary,omitempty"`
	// Chosen is what auto settled on, in words ("the op-cost model");
	// LOOAPE its leave-one-out median absolute relative error on the
	// labelled networks.
	Chosen       string     `json:"chosen"`
	LOOAPE       float64    `json:"loo_ape"`
	PhaseMS      PhaseTimes `json:"phase_ms"`      // wall time per phase
	Unstable     []string   `json:"unstable"`      // architectures whose timings stayed noisy
	ClockStepUS  float64    `json:"clock_step_us"` // clock resolution used
	ScaleMS      [2]float64 `json:"scale_ms"`      // min, max anchor latency
	PredictOneMS float64    `json:"predict_one_ms"`
	// Drift is how much slower (>1) or faster the machine ran while the
	// validation networks were timed than during the labelled phase; the
	// validation timings were divided by it. 0 if not recorded.
	Drift   float64       `json:"drift,omitempty"`
	Anchors []ArchMS      `json:"anchors"` // consensus fastest and slowest
	Meta    ProfileSource `json:"meta"`
	// Engine is what timed the profile (EngineCPU or EngineGPU; a
	// profile that does not say is the CPU's), Adapter the GPU in a few
	// words for a GPU profile.
	Engine  string `json:"engine"`
	Adapter string `json:"adapter,omitempty"`
	// Seed drew the support and validation networks (ProfileRequest.Seed).
	Seed uint64 `json:"seed,omitempty"`
}

// ProfileSource says where a profile was taken.
type ProfileSource struct {
	Runtime   string `json:"runtime"`
	UserAgent string `json:"user_agent,omitempty"`
	Taken     string `json:"taken,omitempty"` // RFC 3339
}

// PhaseTimes are wall-clock durations of a profile's phases, ms.
type PhaseTimes struct {
	Labelled   float64 `json:"labelled"`
	Adapt      float64 `json:"adapt"`
	Validation float64 `json:"validation"`
	Total      float64 `json:"total"`
}

// ArchMS is an architecture with a latency.
type ArchMS struct {
	Arch string  `json:"arch"`
	MS   float64 `json:"ms"`
}

// Nearest is a known device and its similarity to this one.
type Nearest struct {
	Device     string  `json:"device"`
	Split      string  `json:"split"`
	Similarity float64 `json:"similarity"` // Pearson r of reference latencies
}

// MapPoint places a device on the 2-D embedding map.
type MapPoint struct {
	Device string  `json:"device"`
	Split  string  `json:"split,omitempty"` // train, valid or test; empty for this device
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Self   bool    `json:"self,omitempty"`
}

// Comparison is a predictor's (or baseline's) predictions against this
// device's measured latencies on the same architectures.
type Comparison struct {
	Method   string   `json:"method"` // "HELP", "FLOPs", "nearest device (name)", "step 1"...
	Points   []XYPair `json:"points"` // predicted (or score), measured ms
	Spearman float64  `json:"spearman"`
	Kendall  float64  `json:"kendall"`
	// MedianAPE is the median |predicted-measured|/measured of the
	// method's ms predictions (FLOPs: its fit to ms); HasAPE says there
	// is one (not for the nearest device, whose ms are another device's).
	MedianAPE float64 `json:"median_ape,omitempty"`
	HasAPE    bool    `json:"has_ape,omitempty"`
	Unit      string  `json:"unit"` // unit of the predicted axis: "ms", "MFLOPs"
	// OnScale says the predictions are meant as this device's latencies
	// (HELP), so predicted = measured is the goal; baselines only rank.
	OnScale bool `json:"on_scale,omitempty"`
}

// XYPair is one point of a scatter plot.
type XYPair struct {
	Arch      string  `json:"arch,omitempty"`
	Predicted float64 `json:"predicted"`
	Measured  float64 `json:"measured"`
}

// Prediction is the predicted latency of one architecture.
type Prediction struct {
	Arch string  `json:"arch"`
	MS   float64 `json:"ms"` // auto's prediction
	// HalfWidthMS is the half-width of auto's prediction interval, at
	// coverage Level (0.9: nine in ten held-out labelled networks).
	HalfWidthMS float64 `json:"half_width_ms"`
	Level       float64 `json:"level"`
	Method      string  `json:"method"`  // what auto chose, in words
	HELPMS      float64 `json:"help_ms"` // HELP's own prediction, beside it
	MFLOPs      float64 `json:"mflops"`
	Params      float64 `json:"params_m"` // millions of parameters
	TookMS      float64 `json:"took_ms"`  // time the prediction took
}

// Measured is a timed architecture beside its prediction.
type Measured struct {
	Arch string  `json:"arch"`
	MS   float64 `json:"ms"` // as timed now
	// Drift is how much slower the machine ran now than when the profile
	// was taken (1 without a profile); RescaledMS = MS / Drift is the
	// latency at the profile's speed, the one to compare with PredictedMS.
	Drift       float64 `json:"drift"`
	RescaledMS  float64 `json:"rescaled_ms"`
	Spread      float64 `json:"spread"` // robust relative spread of the samples
	PredictedMS float64 `json:"predicted_ms"`
	Stable      bool    `json:"stable"`
}

// Explored summarises predictions for the whole search space.
type Explored struct {
	Count      int         `json:"count"`
	MeanZ      bool        `json:"mean_z"`  // predicted with z at its mean, not HELP's 10 samples
	TookMS     float64     `json:"took_ms"` // predicting all, after adaptation
	PlanMS     float64     `json:"plan_ms"` // one-time encoding and planning of the space, if done by this request
	Histogram  Histogram   `json:"histogram"`
	Fastest    []ArchMS    `json:"fastest"`
	Candidates []Candidate `json:"candidates"` // the atlas's candidates with predictions
}

// Histogram has len(Counts) bins; bin i spans [Edges[i], Edges[i+1]).
type Histogram struct {
	Edges  []float64 `json:"edges"` // ms, len(Counts)+1
	Counts []int     `json:"counts"`
}

// Candidate is an architecture with a known accuracy (a MetaD2A
// proposal with its CIFAR-100 accuracy, a network HELP's OFA search found
// with its ImageNet top-1) and its predicted latency.
type Candidate struct {
	Arch        string  `json:"arch"`
	Accuracy    float64 `json:"accuracy"` // top-1, percent
	PredictedMS float64 `json:"predicted_ms"`
	Note        string  `json:"note,omitempty"` // where it comes from (atlas.Candidate.Note)
}

// ErrMalformed is wrapped by Decode errors.
var ErrMalformed = errors.New("protocol: malformed message")

// EncodeRequest returns r as the JSON string posted to the worker.
func EncodeRequest(r Request) string { return encode(r) }

// EncodeEvent returns e as the JSON string posted to the UI. An event
// JSON cannot carry (a NaN or an infinity in a number, from a degenerate
// statistic such as the Spearman of equal timings) becomes an error event
// for the same request: the page must always hear how a request ended,
// or it stays busy for good.
func EncodeEvent(e Event) string {
	b, err := json.Marshal(e)
	if err != nil {
		b, err = json.Marshal(Event{ID: e.ID, Kind: KindError,
			Message: fmt.Sprintf("internal error: the worker's %s answer could not be sent (%v)", e.Kind, err)})
	}
	if err != nil {
		panic(fmt.Sprintf("protocol: encoding an error event: %v", err)) // a Message string always encodes
	}
	return string(b)
}

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only NaN or Inf floats can make Marshal fail on these types; they
		// are a bug on the sending side, so say which.
		panic(fmt.Sprintf("protocol: encoding %T: %v", v, err))
	}
	return string(b)
}

// DecodeRequest parses and checks a request.
func DecodeRequest(s string) (Request, error) {
	var r Request
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return Request{}, fmt.Errorf("%w: request: %v", ErrMalformed, err)
	}
	switch r.Kind {
	case KindProfile:
		if r.Profile == nil {
			return Request{}, fmt.Errorf("%w: request %d: profile without settings", ErrMalformed, r.ID)
		}
		if m := r.Profile.Mode; m != ModeQuick && m != ModeThorough {
			return Request{}, fmt.Errorf("%w: request %d: unknown mode %q", ErrMalformed, r.ID, m)
		}
		if r.Profile.Support < 1 || r.Profile.Validation < 0 {
			return Request{}, fmt.Errorf("%w: request %d: support %d, validation %d", ErrMalformed, r.ID, r.Profile.Support, r.Profile.Validation)
		}
	case KindPredict, KindMeasure:
		if r.Arch == "" {
			return Request{}, fmt.Errorf("%w: request %d: %s without an architecture", ErrMalformed, r.ID, r.Kind)
		}
	case KindImport:
		if r.ProfileJSON == "" {
			return Request{}, fmt.Errorf("%w: request %d: import without a profile", ErrMalformed, r.ID)
		}
	case KindSpace:
		if r.Space == "" {
			return Request{}, fmt.Errorf("%w: request %d: space switch without a space", ErrMalformed, r.ID)
		}
	case KindEngine:
		if r.Engine != EngineCPU && r.Engine != EngineGPU {
			return Request{}, fmt.Errorf("%w: request %d: unknown engine %q (want %q or %q)", ErrMalformed, r.ID, r.Engine, EngineCPU, EngineGPU)
		}
	case KindCancel, KindVisibility, KindExplore, KindExport:
	default:
		return Request{}, fmt.Errorf("%w: request %d: unknown kind %q", ErrMalformed, r.ID, r.Kind)
	}
	return r, nil
}

// DecodeEvent parses an event.
func DecodeEvent(s string) (Event, error) {
	var e Event
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return Event{}, fmt.Errorf("%w: event: %v", ErrMalformed, err)
	}
	if e.Kind == "" {
		return Event{}, fmt.Errorf("%w: event %d without a kind", ErrMalformed, e.ID)
	}
	return e, nil
}
