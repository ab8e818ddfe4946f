package ui

import (
	"fmt"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
)

// Root is the page: intro, profiling controls and the sections below.
type Root struct {
	App   *state.App
	Files Files
}

// PhaseBar is one progress bar.
type PhaseBar struct {
	Phase, Title   string
	Width, Percent string
}

// Phases lists the profile's measuring phases with their progress.
func (c *Root) Phases() []PhaseBar {
	var out []PhaseBar
	for _, ph := range []struct{ phase, title string }{
		{protocol.PhaseLabelled, "Reference and support networks (the device embedding, and what the predictors learn from)"},
		{protocol.PhaseValidation, "Validation samples (to check them)"},
	} {
		f := c.App.PhaseFraction(ph.phase)
		out = append(out, PhaseBar{Phase: ph.phase, Title: ph.title,
			Width: fmt.Sprintf("%.1f", 100*f), Percent: fmt.Sprintf("%.0f%%", 100*f)})
	}
	return out
}

// State is the page's state for scripts and tests, the root element's
// data-state attribute: "error" (the page could not start, or the last
// action failed), "profiling", "done" (a profile is shown: measured or
// imported) or "idle" (none yet). Measuring, exploring and switching
// keep the state they started from.
func (c *Root) State() string {
	a := c.App
	switch {
	case a.LoadError != "" || a.Died != "" || a.Error != "" || a.ImportError != "":
		return "error"
	case a.Busy == state.Profiling:
		return "profiling"
	case a.Result != nil:
		return "done"
	}
	return "idle"
}

// PageClass is the root element's class: in presenter mode it names the
// slide shown, and style.css hides the other sections.
func (c *Root) PageClass() string {
	if !c.App.Present {
		return "page"
	}
	return "page present slide-" + c.App.SlideName()
}

// slideTitles say what each presenter slide shows.
var slideTitles = map[string]string{
	"start": "Profile this device", "device": "This device among the known ones",
	"validation": "The verdict: does the prediction hold here?", "adaptation": "Adaptation, step by step",
	"editor": "Predict a network", "explore": "Explore the space",
}

// SlideText is presenter mode's navigation line.
func (c *Root) SlideText() string {
	a := c.App
	s := fmt.Sprintf("%d / %d: %s", a.Slide+1, len(state.Slides), slideTitles[a.SlideName()])
	if a.Result == nil && a.Slide > 0 && a.SlideName() != "editor" {
		s += " (profile first: this slide fills in after)"
	}
	return s
}

// CanCancel says whether Cancel does anything now.
func (c *Root) CanCancel() bool { return c.App.CanCancel() }

// DiedAdvice says what Restart keeps: the profile shown is re-imported.
func (c *Root) DiedAdvice() string {
	if c.App.Result != nil {
		return "Restart starts a fresh worker and re-imports the profile shown below into it."
	}
	return "Restart starts a fresh worker; profile the device again after."
}

// Profiling says whether a profile is running (the page then explains
// what it does).
func (c *Root) Profiling() bool { return c.App.Busy == state.Profiling }

// TimedText names the network the running profile timed last and the
// latency of that sample, so a visitor sees what is being measured.
func (c *Root) TimedText() string {
	a := c.App
	if a.Busy != state.Profiling || a.Timed == nil {
		return ""
	}
	return fmt.Sprintf("Just timed: %s, %.2f ms per run in this sample.", a.Timed.Arch, a.Timed.MS)
}

// Status is the one-line state of the worker.
func (c *Root) Status() string {
	a := c.App
	switch {
	case a.LoadError != "":
		return "The page could not start."
	case a.Died != "":
		return "The measuring worker stopped: restart it to go on."
	case a.Ready == nil:
		return "Loading the measuring worker..."
	case a.Busy == state.Profiling:
		ph := "measuring"
		if p, ok := a.Progress[protocol.PhaseAdapt]; ok && a.PhaseFraction(protocol.PhaseValidation) == 0 {
			ph = p.Step
		}
		s := fmt.Sprintf("Profiling (%s): %.1f s so far", ph, a.Elapsed())
		if left, ok := c.TimeLeft(); ok {
			s += fmt.Sprintf(", about %.0f s left", left)
		}
		return s + ". Keep this tab visible."
	case a.SwitchingEngine() != "":
		return fmt.Sprintf("Switching to the %s...", state.EngineLabel(a.SwitchingEngine()))
	case a.Busy == state.Switching:
		return fmt.Sprintf("Loading the %s predictor, atlas and networks (once)...", textOf(a.SwitchingTo()).Title)
	case a.Busy != state.Idle:
		return fmt.Sprintf("Busy: %s...", a.Busy)
	case a.Result != nil:
		return "Ready. This device is profiled; build a network below to predict its latency."
	}
	iso := "fine-grained"
	if !a.Ready.Isolated {
		iso = "coarse (the page is not cross-origin isolated)"
	}
	return fmt.Sprintf("Ready: clock resolution %s, %s.", usText(a.Ready.ClockStepUS), iso)
}

// RuntimeInfo describes the loaded predictor.
func (c *Root) RuntimeInfo() string {
	if c.App.Ready == nil {
		return "loading."
	}
	return fmt.Sprintf("%d known devices, worker loaded in %.0f ms.", c.App.Ready.Devices, c.App.Ready.LoadMS)
}

// TimeLeft estimates the running profile's remaining time, seconds, from
// the elapsed time and the phases' progress weighted by their forward
// passes (state.App.PhaseRuns: networks x runs per network, so a plan
// with fewer validation rounds, as OFA's, is weighted by what it runs);
// ok is false until a tenth is done.
func (c *Root) TimeLeft() (left float64, ok bool) {
	a := c.App
	wl, wv := a.PhaseRuns()
	f := (wl*a.PhaseFraction(protocol.PhaseLabelled) + wv*a.PhaseFraction(protocol.PhaseValidation)) / (wl + wv)
	if f < 0.1 || f >= 1 {
		return 0, false
	}
	el := a.Elapsed()
	return el * (1 - f) / f, true
}

// AtLastSlide says whether presenter mode shows its last slide.
func (c *Root) AtLastSlide() bool { return c.App.Slide == len(state.Slides)-1 }

// HowHELP and HowFits explain the running profile's adaptation, with its
// plan's sizes.
func (c *Root) HowHELP() string {
	sup, _ := c.App.Sizes()
	return fmt.Sprintf("HELP starts from a prior meta-learned on other devices and takes two gradient steps on the %d support networks' timings.", sup)
}

func (c *Root) HowFits() string {
	sup, _ := c.App.Sizes()
	return fmt.Sprintf("The op-cost model (a cost per operation) and FLOPs are fitted to the same %d timings; auto keeps the one that predicts them best when each is left out in turn.", 12+sup)
}
