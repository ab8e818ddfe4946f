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
