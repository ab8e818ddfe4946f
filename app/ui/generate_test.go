package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/internal/vugugen"
)

// TestGeneratedCodeIsCurrent regenerates the components in a scratch copy
// of this package and requires the result to equal the committed
// *_vgen.go files: they are reproducible and nobody edited them by hand
// (run `go generate ./app/...` after changing a .vugu file).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("gofmt"); err != nil {
		t.Skip("vugugen formats its output with gofmt, which is not on PATH")
	}
	tmp := t.TempDir()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var generated []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, "_vgen.go") {
			generated = append(generated, name)
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(generated) == 0 {
		t.Fatal("no generated files committed")
	}
	if err := vugugen.Run(tmp); err != nil {
		t.Fatal(err)
	}
	for _, name := range generated {
		want, _ := os.ReadFile(name)
		got, err := os.ReadFile(filepath.Join(tmp, name))
		if err != nil {
			t.Errorf("%s: not generated from the .vugu files: %v", name, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from a fresh generation: run go generate ./app/...", name)
		}
	}
}
