// Package plan is the one home of a device profile's plan: how many
// support and validation networks it times, and how hard it times each
// (Effort), for a search space, an engine and a mode. The page's state
// sends it in its profile request and weighs its time-left estimate by
// it, the measuring worker applies the effort it is sent (the plan's when
// none is), and the CLI's profile command starts from it, so the three
// cannot disagree.
//
// # Names
//
// Spaces are space.Space names ("nasbench201", "fbnet", "ofa"); engines
// are measure's (measure.EngineCPU, measure.EngineWebGPU); modes are
// ModeQuick and ModeThorough (recorded in profiles as protocol.preset).
//
// # Effort
//
// An Effort is applied over a measure preset (measure.Quick for
// ModeQuick, measure.Thorough for ModeThorough) by Effort.Options: it
// sets the warm-up runs, the timed rounds of the phase and the
// re-measurements; the preset keeps the rest (clock, sample length,
// statistic, outlier filter). The labelled phase's rounds are the plan's
// whatever the preset: package session raises a labelled phase timed
// without an effort to LabelledRounds.
package plan

import (
	"fmt"

	"github.com/helpwasm/helpwasm/measure"
)

// Modes of a profile.
const (
	ModeQuick    = "quick"
	ModeThorough = "thorough"
)

// LabelledRounds is the fewest rounds the labelled phase takes, whatever
// the preset (the page's quick preset takes 6). With 6, the op-cost
// model's ranking in the page fell to FLOPs's or below in half the quick
// profiles, and a replay on the timings of experiments/data/wasm-a.json
// showed why: with the page's labelled set it beats FLOPs in 99% of draws
// on clean timings and in 75% with 5% noise on them (docs/RESULTS.md §14).
const LabelledRounds = 10

// Instances is how many separately built copies of each network are timed
// in turn: now and then one instance of a network runs slower than
// another for its whole life, and two make that rare.
const Instances = 2

// Effort is how hard a profile times each network. Every field is used
// as given (Warmup and MaxRetries may be 0). The page's profile requests
// carry it as JSON (app/protocol.Effort).
type Effort struct {
	LabelledRounds   int `json:"labelled_rounds"`   // timed samples per network, labelled phase
	ValidationRounds int `json:"validation_rounds"` // the same in the validation phase
	Warmup           int `json:"warmup"`            // untimed runs per network before its calibration run
	Instances        int `json:"instances"`         // separately built copies of each network, timed in turn
	// MaxRetries is how often a network whose timing stays noisy is
	// re-measured (measure.Options.MaxRetries); 0 reports it unstable.
	MaxRetries int `json:"max_retries"`
}

// Check reports a field out of range.
func (e Effort) Check() error {
	switch {
	case e.LabelledRounds < 1 || e.ValidationRounds < 1:
		return fmt.Errorf("effort: rounds %d and %d, want at least 1", e.LabelledRounds, e.ValidationRounds)
	case e.Warmup < 0:
		return fmt.Errorf("effort: warm-up %d < 0", e.Warmup)
	case e.Instances < 1:
		return fmt.Errorf("effort: %d instances, want at least 1", e.Instances)
	case e.MaxRetries < 0:
		return fmt.Errorf("effort: %d re-measurements < 0", e.MaxRetries)
	}
	return nil
}

// Rounds is the timed rounds of the labelled phase, or of the validation
// phase.
func (e Effort) Rounds(labelled bool) int {
	if labelled {
		return e.LabelledRounds
	}
	return e.ValidationRounds
}

// Runs is the runs of one network in a phase when nothing is
// re-measured: its warm-up, the calibration run and the rounds.
func (e Effort) Runs(labelled bool) int { return e.Warmup + 1 + e.Rounds(labelled) }

// Options returns o, a mode's preset, timing a phase with this effort:
// its warm-up, rounds and re-measurements, and no more kept samples
// required than there are rounds.
func (e Effort) Options(o measure.Options, labelled bool) measure.Options {
	o.Warmup, o.Rounds, o.MaxRetries = e.Warmup, e.Rounds(labelled), e.MaxRetries
	o.MinSamples = min(o.MinSamples, o.Rounds)
	return o
}

// Plan is a profile's sizes and effort.
type Plan struct {
	Support, Validation int
	Effort              Effort
}

// Quick and Thorough are the modes' plans in a space of small networks
// (NAS-Bench-201) on the CPU: the measure presets' warm-up, rounds and
// re-measurements, the labelled phase raised to LabelledRounds.
//
// Issue 4 set the quick profile's validation at 20 networks; issue 8
// raised it to 40, because 20 cannot tell auto from FLOPs on our engine,
// where both rank near 0.99. Fitted to the labelled timings of 10 quick
// profiles, the op-cost model ranked 300 networks timed apart from the
// page better than FLOPs in 9 (0.994-0.998 against 0.991), yet on 20
// FLOPs-stratified networks of those timings, with 1% noise, it came out
// at least level in only 76-96% of draws (the 8 profiles with an
// undisturbed labelled phase), on 40 in 95-100% (experiments/valsize,
// docs/RESULTS.md §15).
var (
	Quick    = Plan{Support: 10, Validation: 40, Effort: presetEffort(measure.Quick())}
	Thorough = Plan{Support: 20, Validation: 50, Effort: presetEffort(measure.Thorough())}
)

// presetEffort is a measure preset's effort, with LabelledRounds and
// Instances.
func presetEffort(o measure.Options) Effort {
	return Effort{
		LabelledRounds: max(o.Rounds, LabelledRounds), ValidationRounds: o.Rounds,
		Warmup: o.Warmup, Instances: Instances, MaxRetries: o.MaxRetries,
	}
}

// FBNetQuick is the FBNet quick profile's plan: an FBNet network takes
// 10-50x the time of a NAS-Bench-201 cell in WASM (issue 9), so its quick
// profile validates on fewer networks.
var FBNetQuick = Plan{Support: Quick.Support, Validation: 12, Effort: Quick.Effort}

// The OFA plans. An OFA network is 25-52 MB of weights and takes 69, 179
// and 427 ms (smallest, median and largest of HELP's 5,000) per forward
// in WASM (BenchmarkOFAForward under Node, load average 0.3; docs/RESULTS.md
// "ofa-page branch"); the 10 reference networks and 2 anchors alone are
// 3.7 G MACs, about 2.5 s a round. With the default effort (10 labelled
// rounds and a warm-up, 2 instances) the quick profile would take about
// 90 s and hold 1.7 GB of networks, so:
//   - 1 instance of each network: the second instance guards against one
//     copy's unlucky memory placement, which matters for small networks;
//     here it would double the tab's memory. The 22 networks share their
//     identical layers and buffers (engine.OFABuilder: 0.8 GB built
//     apart, 184 MB live shared; the worker's WebAssembly memory peaks
//     at 262 MB, docs/RESULTS.md "ofamem branch"), and a second
//     instance shares nothing with the first;
//   - no warm-up run: the calibration run before the timed samples already
//     touches every weight (each run is far above measure's 2 ms minimum
//     sample, so calibration is one plain run), and the statistic is the
//     lower quartile of the samples;
//   - 8 labelled rounds (HELP's 10 support networks, as in the paper) and
//     6 validation rounds (the quick preset's) on 10 validation networks.
//
// The thorough plan keeps 20 support networks and the thorough preset's
// 15 rounds but validates on 20, with 1 instance (its 32 labelled
// networks hold about 1.2 GB built apart). Both keep their preset's
// re-measurements.
var (
	OFAQuick    = Plan{Support: 10, Validation: 10, Effort: Effort{LabelledRounds: 8, ValidationRounds: 6, Warmup: 0, Instances: 1, MaxRetries: measure.Quick().MaxRetries}}
	OFAThorough = Plan{Support: 20, Validation: 20, Effort: Effort{LabelledRounds: 15, ValidationRounds: 15, Warmup: 1, Instances: 1, MaxRetries: measure.Thorough().MaxRetries}}
)

// The GPU's effort (the WebGPU engine runs NAS-Bench-201 only). It keeps
// the CPU's protocol (clock, calibration of inner repetitions,
// interleaved rounds, lower quartile, outlier filter, drift checks), but
// on SwiftShader, the software GPU CI has, a NAS-Bench-201 forward pass
// takes 20-500 ms (4-5x the WebAssembly engine's), and the CPU's quick
// plan (10 labelled rounds, 6 validation rounds, re-measuring what is
// noisy: about 440 forwards) would take over a minute, so the GPU's quick
// profile takes GPUQuickRounds in both phases, re-measures nothing
// (reporting noisy timings as unstable instead) and validates on at most
// GPUQuickValidation networks, as the GPU's quick plan was timed with
// (docs/RESULTS.md, gpu-page branch and §19). In every mode:
//   - one instance of each network: building a GPU network uploads its
//     weights and binds its buffers, and each instance would need its own
//     warm-up forward;
//   - at least one warm-up forward per network before calibration:
//     pipelines are compiled when a network is built and cached on the
//     device, and the first dispatch's extra cost stays out of the samples.
const (
	GPUQuickRounds     = 3
	GPUQuickValidation = 20
)

// Short is the quick plan of a page loaded with
// ?test-hooks&test-plan=short, for browser tests of large networks
// within CI's time.
var Short = Plan{Support: 4, Validation: 4, Effort: Effort{LabelledRounds: 3, ValidationRounds: 3, Warmup: 0, Instances: 1, MaxRetries: measure.Quick().MaxRetries}}

// For is the plan of a profile in mode (ModeThorough, else quick) of the
// space called spaceName on engine (measure's name; "" is the CPU).
func For(spaceName, engine, mode string) Plan {
	p := forCPU(spaceName, mode)
	if engine != measure.EngineWebGPU {
		return p
	}
	e := &p.Effort
	e.Instances, e.Warmup = 1, max(e.Warmup, 1)
	if mode != ModeThorough {
		p.Validation = min(p.Validation, GPUQuickValidation)
		e.LabelledRounds, e.ValidationRounds, e.MaxRetries = GPUQuickRounds, GPUQuickRounds, 0
	}
	return p
}

// forCPU is the plan on the CPU.
func forCPU(spaceName, mode string) Plan {
	switch {
	case spaceName == "ofa" && mode == ModeThorough:
		return OFAThorough
	case spaceName == "ofa":
		return OFAQuick
	case mode == ModeThorough:
		return Thorough
	case spaceName == "fbnet":
		return FBNetQuick
	}
	return Quick
}
