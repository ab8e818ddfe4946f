package main

import (
	"io"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
	"github.com/helpwasm/helpwasm/app/state/statetest"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/ofa"
)

// pageRequest is the profile request the page posts in the space in
// mode on the CPU.
func pageRequest(t *testing.T, spaceName, mode string) protocol.ProfileRequest {
	t.Helper()
	pf := &statetest.Platform{}
	a := state.New(pf, nasbench201.Space{}, fbnet.Space{}, ofa.Space{})
	a.Apply(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: spaceName}})
	a.SetMode(mode)
	a.StartProfile()
	if len(pf.Posted) == 0 || pf.Posted[len(pf.Posted)-1].Profile == nil {
		t.Fatalf("the page posted %+v, want a profile request", pf.Posted)
	}
	return *pf.Posted[len(pf.Posted)-1].Profile
}

// In every space and mode, helpwasm profile without flags times the
// page's plan (plan.For on the CPU): the same sizes, and in each phase
// the same warm-up, rounds, re-measurements and instances as the page's
// request; -samples, -validate and -rounds override it.
func TestProfileFollowsPagePlan(t *testing.T) {
	for _, spaceName := range []string{"nasbench201", "fbnet", "ofa"} {
		for _, mode := range []string{plan.ModeQuick, plan.ModeThorough} {
			t.Run(spaceName+"/"+mode, func(t *testing.T) {
				page := pageRequest(t, spaceName, mode)
				if page.Effort == nil {
					t.Fatal("the page sent no effort")
				}
				args := []string{"-space", spaceName, "-clock", "wall"}
				preset := measure.Quick()
				if mode == plan.ModeThorough {
					args, preset = append(args, "-thorough"), measure.Thorough()
				}
				f, _, err := parseProfileFlags(args, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				s, err := f.setup()
				if err != nil {
					t.Fatal(err)
				}
				req := s.request(time.Microsecond)
				if req.Support != page.Support || req.Validation != page.Validation || req.Preset != page.Mode {
					t.Errorf("the CLI times %d support and %d validation networks (%s); the page %d and %d (%s)", req.Support, req.Validation, req.Preset, page.Support, page.Validation, page.Mode)
				}
				if req.Effort == nil || *req.Effort != *page.Effort {
					t.Fatalf("the CLI's effort %+v, the page's %+v", req.Effort, page.Effort)
				}
				for _, phase := range []string{session.PhaseLabelled, session.PhaseValidation} {
					labelled := phase == session.PhaseLabelled
					o := req.PhaseOptions(phase)
					want := page.Effort.Options(preset, labelled)
					if o.Warmup != want.Warmup || o.Rounds != want.Rounds || o.MinSamples != want.MinSamples || o.MaxRetries != want.MaxRetries {
						t.Errorf("%s phase: the CLI times warm-up %d, %d rounds, %d kept samples, %d re-measurements; the page's effort %d, %d, %d, %d",
							phase, o.Warmup, o.Rounds, o.MinSamples, o.MaxRetries, want.Warmup, want.Rounds, want.MinSamples, want.MaxRetries)
					}
				}

				// Flags override the plan.
				f, _, err = parseProfileFlags(append(args, "-samples", "3", "-validate", "0", "-rounds", "2"), io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				if s, err = f.setup(); err != nil {
					t.Fatal(err)
				}
				req = s.request(time.Microsecond)
				if o := req.PhaseOptions(session.PhaseLabelled); req.Support != 3 || req.Validation != 0 || o.Rounds != 2 || req.PhaseOptions(session.PhaseValidation).Rounds != 2 || req.Effort.Instances != page.Effort.Instances {
					t.Errorf("-samples 3 -validate 0 -rounds 2: %d support, %d validation, %d labelled rounds, effort %+v", req.Support, req.Validation, o.Rounds, req.Effort)
				}
			})
		}
	}
}
