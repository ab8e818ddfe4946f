package worker

import (
	"context"
	"fmt"
	"testing"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
	"github.com/helpwasm/helpwasm/app/state/statetest"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/ofa"
	"github.com/helpwasm/helpwasm/weights"
)

// timing is what a phase's measurement options and the request decide
// about how hard networks are timed.
type timing struct {
	Warmup, Rounds, MinSamples, MaxRetries, Instances int
}

func (tm timing) String() string {
	return fmt.Sprintf("warm-up %d, %d rounds, %d kept samples, %d re-measurements, %d instances", tm.Warmup, tm.Rounds, tm.MinSamples, tm.MaxRetries, tm.Instances)
}

// timingOf is how req times the phase's networks.
func timingOf(req session.Request, phase string) timing {
	o := req.PhaseOptions(phase)
	tm := timing{Warmup: o.Warmup, Rounds: o.Rounds, MinSamples: o.MinSamples, MaxRetries: o.MaxRetries}
	if req.Effort != nil {
		tm.Instances = req.Effort.Instances
	}
	return tm
}

// For every space, engine and mode, the page asks for plan.For's sizes
// and effort, weighs its time-left estimate by the same runs, and the
// worker times each phase as the plan says, whether the request carries
// the effort (as the page's does) or not.
func TestPlanAgreement(t *testing.T) {
	f := newFixture(t, "gold_6226")
	withGPU(t, f, "1080ti_1")
	others := map[string]space.Space{"fbnet": fbnet.Space{}, "ofa": ofa.Space{}}
	f.svc.cfg.Load = func(name string) (Data, error) {
		sp, ok := others[name]
		if !ok {
			return Data{}, fmt.Errorf("no space %q", name)
		}
		m, err := weights.Model(name)
		if err != nil {
			return Data{}, err
		}
		at, err := weights.Atlas(name)
		if err != nil {
			return Data{}, err
		}
		return Data{Space: sp, Build: func(space.Arch) measure.Item { return measure.ItemFunc(func() {}) }, Model: m, Atlas: at, Pool: nil}, nil
	}
	gpu := &protocol.GPU{Adapter: "google swiftshader", Spaces: f.svc.cfg.GPU.Spaces}
	for _, spaceName := range []string{"nasbench201", "fbnet", "ofa"} {
		for _, engine := range []string{protocol.EngineCPU, protocol.EngineGPU} {
			for _, mode := range []string{protocol.ModeQuick, protocol.ModeThorough} {
				t.Run(spaceName+"/"+engine+"/"+mode, func(t *testing.T) {
					want := plan.For(spaceName, engine, mode)

					// The page.
					pf := &statetest.Platform{}
					a := state.New(pf, nasbench201.Space{}, fbnet.Space{}, ofa.Space{})
					a.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: spaceName, Engine: engine, GPU: gpu}})
					a.SetMode(mode)
					a.StartProfile()
					if len(pf.Posted) == 0 || pf.Last().Kind != protocol.KindProfile {
						t.Fatalf("the page posted %+v, want a profile request", pf.Posted)
					}
					r := pf.Last()
					pr := *r.Profile
					if pr.Support != want.Support || pr.Validation != want.Validation || pr.Effort == nil || *pr.Effort != want.Effort {
						t.Fatalf("the page asks for %d support, %d validation, effort %+v; the plan is %+v", pr.Support, pr.Validation, pr.Effort, want)
					}
					l, v := a.PhaseRuns()
					if wl, wv := float64((12+want.Support)*want.Effort.Runs(true)), float64((want.Validation+2)*want.Effort.Runs(false)); l != wl || v != wv {
						t.Errorf("the page's time-left weights %v, %v; the plan's runs %v, %v", l, v, wl, wv)
					}

					// The worker, with the page's request and with one
					// that carries no effort.
					if _, err := f.svc.enter(0, spaceName, engine); err != nil {
						t.Fatal(err)
					}
					bare := pr
					bare.Effort = nil
					for _, req := range []protocol.ProfileRequest{pr, bare} {
						sreq := f.svc.profileRequest(context.Background(), 1, req)
						if err := sreq.Effort.Check(); err != nil {
							t.Fatal(err)
						}
						if sreq.Support != want.Support || sreq.Validation != want.Validation || sreq.Preset != mode {
							t.Errorf("session request: %d support, %d validation, preset %q", sreq.Support, sreq.Validation, sreq.Preset)
						}
						for _, phase := range []string{session.PhaseLabelled, session.PhaseValidation} {
							labelled := phase == session.PhaseLabelled
							o := want.Effort.Options(f.svc.cfg.Options(mode), labelled)
							wt := timing{Warmup: want.Effort.Warmup, Rounds: want.Effort.Rounds(labelled), MinSamples: o.MinSamples, MaxRetries: want.Effort.MaxRetries, Instances: want.Effort.Instances}
							if got := timingOf(sreq, phase); got != wt {
								t.Errorf("effort %v: the worker times the %s phase with %v; the plan says %v", req.Effort != nil, phase, got, wt)
							}
						}
					}
				})
			}
		}
	}
}
