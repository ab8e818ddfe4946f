package main

// helpwasm predict: predicted latency of architectures on a profiled
// device, from its saved profile.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/helpwasm/helpwasm/space/nasbench201"
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
	p, err := readProfileFile(*profilePath)
	if err != nil {
		return err
	}
	for _, s := range archs {
		if _, err := nasbench201.Parse(s); err != nil {
			return fmt.Errorf("-arch: %w", err)
		}
	}
	m, err := loadPredictor(*weights, *data, p.Space)
	if err != nil {
		return err
	}
	// The embedding only means something if the profile timed the same
	// reference architectures, in the same order, as the predictor expects.
	if at, err := loadAtlas(*atlasPath, *data, p.Space); err != nil {
		fmt.Fprintf(stderr, "predict: warning: cannot check the profile's reference architectures: %v\n", err)
	} else {
		got := make([]string, len(p.Reference))
		for i, t := range p.Reference {
			got[i] = t.Arch
		}
		if !slices.Equal(got, at.Reference) {
			return fmt.Errorf("%s: its reference architectures are not the predictor's (%s)", *profilePath, strings.Join(at.Reference, ", "))
		}
	}
	order, err := weightsTypeOrder(m)
	if err != nil {
		return err
	}
	ms, err := predictMS(m, order, p, archs)
	if err != nil {
		return err
	}
	for i, s := range archs {
		fmt.Fprintf(stdout, "%.3f ms\t%s\n", ms[i], s)
	}
	return nil
}
