package main

// helpwasm predict: predicted latency of architectures on a profiled
// device, from its saved profile.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/session"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/registry"
)

// archList collects repeated -arch flags.
type archList []string

func (l *archList) String() string     { return strings.Join(*l, " ") }
func (l *archList) Set(s string) error { *l = append(*l, s); return nil }

func runPredict(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("predict", flag.ContinueOnError)
	fl.SetOutput(stderr)
	profilePath := fl.String("profile", "", "device profile JSON (from helpwasm profile -out, or exported by the page)")
	var archs archList
	fl.Var(&archs, "arch", "architecture string to predict (repeatable)")
	method := fl.String("method", session.MethodAuto, "prediction method: "+strings.Join(session.Methods(), ", ")+" (HELP is printed beside any other)")
	weights := fl.String("weights", "", "predictor weights (default: the shipped weights, else the checkpoint in -data)")
	atlasPath := fl.String("atlas", "", "known-device atlas JSON, to check the profile's reference architectures (default: shipped, else built from -data)")
	data := fl.String("data", defaultDataDir(), "HELP data directory (used when no weights or atlas are shipped)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	switch {
	case *profilePath == "":
		return errors.New("-profile is required")
	case len(archs) == 0:
		return errors.New("-arch is required")
	case fl.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	p, err := measure.ReadFile(*profilePath)
	if err != nil {
		return err
	}
	entry, err := registry.Lookup(p.Space)
	if err != nil {
		return fmt.Errorf("%s: %w", *profilePath, err)
	}
	parsed, err := space.ParseAll(entry.Space, archs)
	if err != nil {
		return fmt.Errorf("-arch: %w", err)
	}
	m, err := loadPredictor(*weights, *data, p.Space)
	if err != nil {
		return err
	}
	at, err := loadAtlas(*atlasPath, *data, p.Space)
	if err != nil {
		return err
	}
	sess, err := newSession(entry, m, at)
	if err != nil {
		return err
	}
	// Adopt checks that the profile timed the predictor's reference
	// architectures, in order: the embedding means nothing otherwise.
	d, err := sess.Adopt(context.Background(), p)
	if err != nil {
		return fmt.Errorf("%s: %w", *profilePath, err)
	}
	preds, err := d.Predict(*method, parsed)
	if err != nil {
		return fmt.Errorf("-method: %w", err)
	}
	help, err := d.Predict(session.MethodHELP, parsed)
	if err != nil {
		return err
	}
	// Refuse to print what is no latency (weights that predict +Inf or 0
	// ms for this profile) as if it were one.
	for i, s := range archs {
		for _, pr := range []struct {
			what string
			ms   float64
		}{{session.MethodName(*method), preds[i].MS}, {session.MethodName(session.MethodHELP), help[i].MS}} {
			if !measure.PlausibleMS(pr.ms) {
				return fmt.Errorf("-arch %s: %s predicts %s ms, outside the range a forward pass can take (%g to %g ms): the weights give no usable latency on this profile",
					s, pr.what, formatMS(pr.ms), measure.MinMS, measure.MaxMS)
			}
		}
	}
	if *method == session.MethodAuto || *method == "" {
		_, level := d.Interval(1)
		fmt.Fprintf(stderr, "predict: auto chose %s (leave-one-out median error %.1f%% on the labelled networks); ± is a %.0f%% interval\n",
			session.MethodName(d.Chosen()), 100*d.LOO(), 100*level)
	}
	for i, s := range archs {
		line := fmt.Sprintf("%.3f ms", preds[i].MS)
		if hw := preds[i].HalfWidth; hw > 0 {
			line += fmt.Sprintf(" ± %.3f", hw)
		}
		if *method != session.MethodHELP {
			line += fmt.Sprintf("\t(HELP %.3f ms)", help[i].MS)
		}
		fmt.Fprintf(stdout, "%s\t%s\n", line, s)
	}
	return nil
}

// formatMS prints a latency in an error: %g, so +Inf, 0 and 1e307 stay
// short.
func formatMS(ms float64) string { return strconv.FormatFloat(ms, 'g', 4, 64) }
