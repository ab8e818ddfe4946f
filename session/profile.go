package session

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/space"
)

// Plan names the plan in the package comment; profiles record it as
// protocol.plan.
const Plan = "labelled+checked-validation"

// Phases of the plan, as measure.Options.Phase and Outcome.PhaseTime name
// them.
const (
	PhaseLabelled   = "labelled"   // reference, anchors and support, interleaved
	PhaseAdapt      = "adapt"      // fitting every method (not a measurement)
	PhaseValidation = "validation" // validation and the two checks
)

// NearestCount is how many nearest known devices a profile lists unless
// Request.Nearest says otherwise.
const NearestCount = 5

// Request configures a profile.
type Request struct {
	Preset              string // recorded: "quick", "thorough"
	Support, Validation int
	// Seed draws the support and validation networks (package draw),
	// orders the measurements (Seed, then Seed+1 for validation) and
	// seeds HELP's z noise.
	Seed uint64
	// Options returns the measurement options of a phase (clock, progress,
	// interruption, preset); the session sets Seed and Phase.
	Options func(phase string) measure.Options
	Runtime measure.Runtime
	Device  string
	// Nearest is how many nearest known devices to record (0:
	// NearestCount).
	Nearest int
	Created time.Time
	// Adapting, if not nil, is called when the labelled phase is timed
	// and fitting begins.
	Adapting func()
	// Effort, if not nil, is how hard each network is timed (package
	// plan's plan.For gives every space's, engine's and mode's; a space
	// of large networks or a slow engine takes fewer rounds and one
	// instance, to fit a visitor's patience and a browser tab's memory):
	// it sets each phase's warm-up, rounds and re-measurements over
	// Options (PhaseOptions) and the instances. nil: Options as they are,
	// the labelled phase raised to plan.LabelledRounds rounds, and the
	// session's instances (Config.Instances).
	Effort *plan.Effort
}

// PhaseOptions are the measurement options the phase (PhaseLabelled or
// PhaseValidation) is timed with, before the session sets their Seed and
// Phase: Options(phase) with the Effort applied.
func (r *Request) PhaseOptions(phase string) measure.Options {
	o := r.Options(phase)
	labelled := phase == PhaseLabelled
	if r.Effort != nil {
		return r.Effort.Options(o, labelled)
	}
	if labelled {
		// Every method fits on these 22 timings, so their precision
		// decides the ranking: see plan.LabelledRounds.
		o.Rounds = max(o.Rounds, plan.LabelledRounds)
	}
	return o
}

// Outcome is a finished profile.
type Outcome struct {
	Device     *Device
	Validation *Validation // nil without validation networks
	// PhaseTime is the time each phase took, by the first phase's clock.
	PhaseTime map[string]time.Duration
	// Unstable lists the timings whose spread stayed above the protocol's
	// limit ("arch (spread 21%, 6 samples)").
	Unstable []string
}

// Profile measures this machine by the plan, fits every method to the
// labelled timings, then times the validation networks and validates.
func (s *Session) Profile(ctx context.Context, req Request) (*Outcome, error) {
	drawn, err := draw.Draw(s.cfg.Space, s.cfg.Atlas, req.Support, req.Validation, req.Seed)
	if err != nil {
		return nil, err
	}
	out := &Outcome{PhaseTime: map[string]time.Duration{}}

	if req.Effort != nil {
		if err := req.Effort.Check(); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
	}
	opts := req.PhaseOptions(PhaseLabelled)
	opts.Seed, opts.Phase = req.Seed, PhaseLabelled
	instances := s.instances()
	if req.Effort != nil {
		instances = req.Effort.Instances
	}
	fixed := append(slices.Clone(s.reference), s.anchors[0], s.anchors[1])
	labelled := slices.Concat(fixed, drawn.Support)
	clock := opts.Clock
	if clock == nil {
		clock = measure.SystemClock()
		opts.Clock = clock
	}
	t0 := clock.Now()
	timings, err := s.time(ctx, labelled, instances, opts, out)
	if err != nil {
		return nil, err
	}
	out.PhaseTime[PhaseLabelled] = clock.Now() - t0
	nref := len(s.reference)
	prot := measure.ProtocolOf(req.Preset, opts)
	prot.Instances, prot.Plan = instances, Plan
	created := req.Created
	if created.IsZero() {
		created = time.Now()
	}
	p := &measure.Profile{
		Format:    measure.Format,
		Version:   measure.Version,
		Space:     s.cfg.Space.Name(),
		Device:    req.Device,
		Created:   created.UTC().Truncate(time.Second),
		Runtime:   req.Runtime,
		Protocol:  prot,
		Reference: timings[:nref],
		Anchors:   measure.Anchors{Fastest: timings[nref], Slowest: timings[nref+1]},
		Support:   timings[nref+2:],
	}
	k := req.Nearest
	if k <= 0 {
		k = NearestCount
	}
	for _, m := range s.cfg.Atlas.Nearest(p.ReferenceMS(), k) {
		p.Nearest = append(p.Nearest, measure.Neighbour{Device: m.Name, Similarity: m.Similarity})
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("session: the measured profile: %w", err)
	}

	if req.Adapting != nil {
		req.Adapting()
	}
	t0 = clock.Now()
	d, err := s.Adopt(ctx, p)
	if err != nil {
		return nil, err
	}
	out.Device = d
	out.PhaseTime[PhaseAdapt] = clock.Now() - t0
	if len(drawn.Validation) == 0 {
		return out, nil
	}

	// Validation, with two of the labelled phase's networks timed again.
	checks := middleTwo(p.ReferenceMS())
	opts = req.PhaseOptions(PhaseValidation)
	opts.Seed, opts.Phase, opts.Clock = req.Seed+1, PhaseValidation, clock
	t0 = clock.Now()
	vt, err := s.time(ctx, append(slices.Clone(drawn.Validation), s.reference[checks[0]], s.reference[checks[1]]), instances, opts, out)
	if err != nil {
		return nil, err
	}
	out.PhaseTime[PhaseValidation] = clock.Now() - t0
	nv := len(drawn.Validation)
	drift := Drift(vt[nv].MS/p.Reference[checks[0]].MS, vt[nv+1].MS/p.Reference[checks[1]].MS)
	vt = vt[:nv]
	for i := range vt {
		vt[i].MS /= drift
	}
	p.Validation = &measure.Validation{Drift: drift, Samples: vt}
	if out.Validation, err = s.Validate(d); err != nil {
		return nil, err
	}
	return out, p.Validate()
}

// Checks returns the two networks a later measurement times again to
// express itself at the profile's speed (the two middle reference
// networks by latency), with their latencies in the profile.
func (d *Device) Checks() ([2]space.Arch, [2]float64) {
	ref := d.Profile.ReferenceMS()
	c := middleTwo(ref)
	return [2]space.Arch{d.sess.reference[c[0]], d.sess.reference[c[1]]}, [2]float64{ref[c[0]], ref[c[1]]}
}

// Timed is one network timed after the profile (Session.TimeOne).
type Timed struct {
	Result measure.Result
	// Drift is how much slower the machine ran than when the profile was
	// taken (1 without a profile); Rescaled = Result.MS / Drift.
	Drift, Rescaled float64
}

// TimeOne times a, with the profile's two checks beside it if d is not
// nil, so the result can be expressed at the profile's speed.
func (s *Session) TimeOne(ctx context.Context, d *Device, a space.Arch, opts measure.Options) (Timed, error) {
	archs := []space.Arch{a}
	var was [2]float64
	if d != nil {
		var c [2]space.Arch
		c, was = d.Checks()
		archs = append(archs, c[0], c[1])
	}
	n := s.instances()
	if d != nil && d.Profile.Protocol.Instances > 0 {
		n = d.Profile.Protocol.Instances // as the profile timed its networks
	}
	items := s.items(archs, n)
	defer release(items)
	rs, err := measure.Measure(ctx, items, opts)
	if err != nil {
		return Timed{}, err
	}
	t := Timed{Result: rs[0], Drift: 1}
	if d != nil {
		t.Drift = Drift(rs[1].MS/was[0], rs[2].MS/was[1])
	}
	t.Rescaled = rs[0].MS / t.Drift
	return t, nil
}

// time measures archs in one interleaved measurement and returns usable
// timings (a finite positive latency; noisy ones are kept, marked
// unstable, and listed in out.Unstable).
func (s *Session) time(ctx context.Context, archs []space.Arch, instances int, opts measure.Options, out *Outcome) ([]measure.Timing, error) {
	if report := opts.Progress; report != nil {
		// Name each sample's network, so a progress line can say which
		// one was just timed.
		opts.Progress = func(p measure.Progress) {
			if p.Sampled && p.Item >= 0 && p.Item < len(archs) {
				p.Name = archs[p.Item].String()
			}
			report(p)
		}
	}
	items := s.items(archs, instances)
	defer release(items)
	rs, err := measure.Measure(ctx, items, opts)
	if err != nil {
		return nil, err
	}
	ts := make([]measure.Timing, len(rs))
	for i, r := range rs {
		ts[i] = measure.TimingOf(archs[i].String(), r)
		if !(r.MS > 0) || len(r.Samples) == 0 {
			return nil, fmt.Errorf("no usable timing for %s: every sample was discarded", archs[i])
		}
		if !r.Stable {
			out.Unstable = append(out.Unstable, fmt.Sprintf("%s (spread %.0f%%, %d samples)", archs[i], 100*r.Spread, len(r.Samples)))
		}
	}
	return ts, nil
}

// items builds n networks of each arch, timed in turn.
func (s *Session) items(archs []space.Arch, n int) []measure.Item {
	items := make([]measure.Item, len(archs))
	for i, a := range archs {
		alt := &alternating{}
		for range n {
			alt.items = append(alt.items, s.cfg.Build(a))
		}
		items[i] = alt
	}
	return items
}

// release closes the networks behind items that hold resources the
// garbage collector does not see promptly (a GPU network's buffers and
// pipelines: io.Closer or a plain Close()), once they are timed; a
// profile builds about 90.
func release(items []measure.Item) {
	for _, it := range items {
		for _, n := range it.(*alternating).items {
			switch c := n.(type) {
			case interface{ Close() error }:
				c.Close() // a network that fails to free its buffers has nothing left to tell the timings
			case interface{ Close() }:
				c.Close()
			}
		}
	}
}

// alternating runs its items in turn, one per Run.
type alternating struct {
	items []measure.Item
	next  int
}

func (a *alternating) Run() {
	a.items[a.next].Run()
	a.next = (a.next + 1) % len(a.items)
}

// middleTwo returns the indices of the two middle values of ms. Mid-sized
// networks make good speed checks: tiny ones can run within one scheduler
// time slice and miss a slow-down that larger ones see.
func middleTwo(ms []float64) [2]int {
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ms[idx[a]] < ms[idx[b]] })
	n := len(ms)
	return [2]int{idx[(n-1)/2], idx[n/2]}
}

// Drift combines the slow-down ratios of the two check networks into one
// factor, their geometric mean. If they disagree by more than 25% the
// timings are too noisy to tell a drift from noise, and it returns 1 (no
// correction).
func Drift(r1, r2 float64) float64 {
	if !(r1 > 0 && r2 > 0) || max(r1, r2)/min(r1, r2) > 1.25 || math.IsInf(r1*r2, 0) {
		return 1
	}
	return math.Sqrt(r1 * r2)
}
