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
	"bytes"
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
		if errors.Is(err, flag.ErrHelp) {
			return // "helpwasm CMD -h" printed the flags, like "helpwasm -h"
		}
		fmt.Fprintln(os.Stderr, "helpwasm:", err)
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
			fe := &flagErrors{w: stderr}
			if err := c.run(args[1:], stdout, fe); err != nil {
				if fe.muted {
					return fmt.Errorf("%s: %w (run \"helpwasm %s -h\" for its flags)", c.name, err, c.name)
				}
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

// flagErrors passes a subcommand's stderr through, except when its first
// output is a flag package parse error ("flag provided but not defined:
// -x"): then that line and the whole usage after it are dropped, and run
// reports the error once with a hint to -h instead (issue 12 item 15).
type flagErrors struct {
	w       io.Writer
	started bool
	muted   bool
}

// flagErrorPrefixes begin the messages flag.FlagSet.Parse prints.
var flagErrorPrefixes = [][]byte{[]byte("flag provided but not defined: "), []byte("invalid value "), []byte("invalid boolean value "), []byte("bad flag syntax: "), []byte("flag needs an argument: ")}

func (f *flagErrors) Write(b []byte) (int, error) {
	if !f.started {
		f.started = true
		for _, p := range flagErrorPrefixes {
			if bytes.HasPrefix(b, p) {
				f.muted = true
			}
		}
	}
	if f.muted {
		return len(b), nil
	}
	return f.w.Write(b)
}
