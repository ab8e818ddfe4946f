package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
)

// names are every file the page ships.
func names() []string {
	var out []string
	for _, sp := range Spaces {
		out = append(out, sp.Name+WeightsSuffix, sp.Name+AtlasSuffix)
		if sp.Pool {
			out = append(out, sp.Name+PoolSuffix)
		}
	}
	return out
}

// The shipped files are copied as they are.
func TestShippedFilesAreCopied(t *testing.T) {
	out := t.TempDir()
	if err := run(t.TempDir(), filepath.Join("..", "..", "weights"), out); err != nil {
		t.Skipf("no shipped weights and atlas in weights/: %v", err)
	}
	for _, name := range names() {
		want, err := os.ReadFile(filepath.Join("..", "..", "weights", name))
		if err != nil {
			t.Skipf("weights/%s not shipped", name)
		}
		got, _ := os.ReadFile(filepath.Join(out, name))
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from weights/%s", name, name)
		}
	}
}

// Without shipped files, all are derived from HELP's data.
func TestFallbackDerivesFromData(t *testing.T) {
	data := shareddata.Dir(t)
	out := t.TempDir()
	if err := run(data, t.TempDir(), out); err != nil {
		t.Fatal(err)
	}
	for _, name := range names() {
		if fi, err := os.Stat(filepath.Join(out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
}

// A corrupt shipped file is an error, not a broken page.
func TestCorruptShippedFile(t *testing.T) {
	weights := t.TempDir()
	if err := os.WriteFile(filepath.Join(weights, "nasbench201"+WeightsSuffix), []byte("not weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(t.TempDir(), weights, t.TempDir()); err == nil {
		t.Error("corrupt weights accepted")
	}
}
