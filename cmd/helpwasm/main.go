// Command helpwasm meta-trains, evaluates and runs the HELP latency
// predictor natively: the same packages the browser page runs as WASM.
//
//	helpwasm train    meta-train a predictor on HELP's latency tables
//	helpwasm eval     evaluate a predictor (or a baseline) on unseen devices
//	helpwasm profile  time architectures on this machine and adapt to it
//	helpwasm predict  predict an architecture's latency from a saved profile
//	helpwasm bench    benchmark the engine and the predictor
//
// Run "helpwasm CMD -h" for a command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it parses its own flags from args and writes
// its results to stdout.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		// Each subcommand lives in its own file, named after it.
		{"train", "meta-train a predictor on HELP's latency tables", runTrain},
		{"eval", "evaluate a predictor (or a baseline) on unseen devices", runEval},
		{"bench", "benchmark meta-training, adaptation + prediction, and the engine", runBench},
		{"profile", "time architectures on this machine and adapt to it", runProfile},
		{"predict", "predict an architecture's latency from a saved profile", runPredict},
	}
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "helpwasm:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if err := c.run(args[1:], stdout, stderr); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			return nil
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: helpwasm COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
