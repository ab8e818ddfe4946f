package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/predictor"
)

func TestParseTrainFlagsErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "-out is required"},
		{[]string{"-out", "x", "-episodes", "0"}, "-episodes 0"},
		{[]string{"-out", "x", "-method", "reptile"}, `-method "reptile"`},
		{[]string{"-out", "x", "-query", "0"}, "must be positive"},
		{[]string{"-out", "x", "y"}, "unexpected arguments"},
	} {
		_, err := parseTrainFlags(tt.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseTrainFlags(%q): error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}

// TestTrainDeterministic trains two episodes (validating after each) twice
// with one seed and once with another: the same command must give the same
// bytes, a different seed different ones. (That the number of workers does
// not matter is predictor's test.)
func TestTrainDeterministic(t *testing.T) {
	dir := shareddata.Dir(t)
	out := filepath.Join(t.TempDir(), "w.helpw")
	train := func(seed, workers string) []byte {
		t.Helper()
		var stdout bytes.Buffer
		args := []string{"train", "-data", dir, "-out", out, "-episodes", "2", "-valid-every", "1", "-seed", seed, "-workers", workers, "-q"}
		if err := run(args, &stdout, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), "trained 2 episodes") {
			t.Errorf("stdout %q", stdout.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a := train("7", "2")
	b := train("7", "2")
	c := train("8", "1")
	if !bytes.Equal(a, b) {
		t.Error("same seed, different weights files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds, identical weights files")
	}
	m, err := predictor.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta.Seed != 8 || m.Meta.Encoding == "" || !strings.Contains(m.Meta.Command, "-seed 8") {
		t.Errorf("metadata %+v lacks seed, type order or command", m.Meta)
	}
}

// TestRecordedCommand: weights record path flags as the user gave them
// when relative, relative to the project when absolute inside or beside
// it, and by base name otherwise (the shipped weights recorded "-data
// /work/shared/data -out /tmp/seeds/seed4.helpw").
func TestRecordedCommand(t *testing.T) {
	root := filepath.FromSlash("/home/u/helpwasm")
	abs := func(p string) string { return filepath.FromSlash(p) }
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", "../shared/data", "-out", "my.helpw", "-seed", "4"}, "helpwasm train -data ../shared/data -out my.helpw -seed 4"},
		{[]string{"-data", abs("/home/u/shared/data"), "-out", abs("/home/u/helpwasm/weights/x.helpw")}, "helpwasm train -data ../shared/data -out weights/x.helpw"},
		{[]string{"-data", abs("/work/shared/data"), "-out", abs("/tmp/seeds/seed4.helpw"), "-q"}, "helpwasm train -data data -out seed4.helpw -q"},
		{[]string{"--out=" + abs("/tmp/a/b.helpw"), "-data=" + abs("/home/u/helpwasm/d")}, "helpwasm train --out=b.helpw -data=d"},
		{[]string{"-episodes", "2", "-out"}, "helpwasm train -episodes 2 -out"},
	} {
		if got := recordedCommand(tt.args, root); got != tt.want {
			t.Errorf("recordedCommand(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
	if got := recordedCommand([]string{"-out", abs("/x/y.helpw")}, ""); got != "helpwasm train -out y.helpw" {
		t.Errorf("no project: %q", got)
	}
}

// TestTrainRecordsNoMachinePaths: a run with absolute -data and -out
// (tests get both) records neither directory in the weights.
func TestTrainRecordsNoMachinePaths(t *testing.T) {
	dir, err := filepath.Abs(shareddata.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "w.helpw")
	if err := run([]string{"train", "-data", dir, "-out", out, "-episodes", "1", "-valid-every", "1", "-q"}, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	m, err := predictor.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Meta.Command, tmp) || strings.Contains(m.Meta.Command, dir) || !strings.Contains(m.Meta.Command, "-out w.helpw") {
		t.Errorf("command %q records a machine path", m.Meta.Command)
	}
}
