// Command pagedata writes the data files the page's worker downloads, for
// each space the page serves: the predictor weights (<space>.helpw,
// predictor's format), the known-device atlas (<space>.atlas.json, atlas's
// format) and, for a space too large to enumerate, the architectures
// explore predicts (<space>.pool.txt, one per line). The worker loads
// NAS-Bench-201's at start and FBNet's and OFA's on the first switch to
// each.
//
// It ships what weights/ holds (the meta-trained weights, atlases and pool
// committed there). When a file is missing there it derives a stand-in
// from HELP's data directory (-data): the atlas with atlas.FromTable under
// the standard split, the weights from the authors' checkpoint, the pool
// from the latency table's architectures. It says which.
//
//	go run ./wasm/pagedata -data ../shared/data -out dist
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
)

// Spaces are the spaces the page serves, and which of them need a pool.
var Spaces = []struct {
	Name string
	Pool bool
}{{"nasbench201", false}, {"fbnet", true}, {"ofa", true}}

// Suffixes of the files in dist/ (the worker fetches <space><suffix>).
const (
	WeightsSuffix = ".helpw"
	AtlasSuffix   = ".atlas.json"
	PoolSuffix    = ".pool.txt"
)

func main() {
	data := flag.String("data", "../shared/data", "HELP's data directory, used only for files weights/ lacks")
	weights := flag.String("weights", "weights", "directory of the shipped weights and atlas")
	out := flag.String("out", "dist", "output directory")
	flag.Parse()
	if err := run(*data, *weights, *out); err != nil {
		fmt.Fprintln(os.Stderr, "pagedata:", err)
		os.Exit(1)
	}
}

func run(data, weights, out string) error {
	for _, sp := range Spaces {
		if err := runSpace(data, weights, out, sp.Name, sp.Pool); err != nil {
			return err
		}
	}
	return nil
}

func runSpace(data, weights, out, space string, pool bool) error {
	name := space + WeightsSuffix
	w, err := shipped(weights, name)
	if err != nil {
		return err
	}
	if w == nil {
		fmt.Fprintf(os.Stderr, "pagedata: %s not in %s/: using the authors' HELP checkpoint from %s\n", name, weights, data)
		// The JSON export where the data has one (NAS-Bench-201, FBNet),
		// else the original PyTorch file (OFA's help_max_corr.pt).
		ckpt := filepath.Join(data, space, "help_reference_checkpoint.json")
		if _, err := os.Stat(ckpt); errors.Is(err, fs.ErrNotExist) {
			ckpt = filepath.Join(data, "help-original", space, "checkpoint", "help_max_corr.pt")
		}
		m, err := predictor.LoadFile(ckpt)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			return err
		}
		w = buf.Bytes()
	}
	if _, err := predictor.Load(bytes.NewReader(w)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	files := map[string][]byte{name: w}

	var table *latency.Table // loaded once, if a file must be derived
	loadTable := func() (*latency.Table, error) {
		if table == nil {
			t, err := latency.Load(filepath.Join(data, space))
			if err != nil {
				return nil, err
			}
			table = t
		}
		return table, nil
	}
	name = space + AtlasSuffix
	a, err := shipped(weights, name)
	if err != nil {
		return err
	}
	if a == nil {
		fmt.Fprintf(os.Stderr, "pagedata: %s not in %s/: deriving it from %s\n", name, weights, data)
		t, err := loadTable()
		if err != nil {
			return err
		}
		p, err := latency.Standard(space)
		if err != nil {
			return err
		}
		opts := atlas.TableOptions{}
		if space == latency.OFA { // as weights/gen_atlas.go does
			if opts.Candidates, err = atlas.ReadSearched(filepath.Join(data, atlas.SearchedDir)); err != nil {
				return err
			}
		}
		at, err := atlas.FromTable(t, p, opts)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := at.Write(&buf); err != nil {
			return err
		}
		a = buf.Bytes()
	}
	if _, err := atlas.Read(bytes.NewReader(a)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	files[name] = a

	if pool {
		name = space + PoolSuffix
		p, err := shipped(weights, name)
		if err != nil {
			return err
		}
		if p == nil {
			fmt.Fprintf(os.Stderr, "pagedata: %s not in %s/: listing the architectures of %s\n", name, weights, data)
			t, err := loadTable()
			if err != nil {
				return err
			}
			var b strings.Builder
			for row := range t.Len() {
				b.WriteString(t.Arch(row) + "\n")
			}
			p = []byte(b.String())
		}
		if len(bytes.TrimSpace(p)) == 0 {
			return fmt.Errorf("%s: no architectures", name)
		}
		files[name] = p
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// shipped returns the file's bytes, or nil if it does not exist.
func shipped(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
