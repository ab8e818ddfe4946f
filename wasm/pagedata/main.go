// Command pagedata writes the data files the page's worker downloads: the
// predictor weights (nasbench201.helpw, predictor's format) and the
// known-device atlas (nasbench201.atlas.json, atlas's format).
//
// It ships what weights/ holds (the meta-trained weights and atlas that are
// committed there). When a file is missing there it derives a stand-in from
// HELP's data directory (-data): the atlas with atlas.FromTable under the
// standard split, the weights from the authors' checkpoint. It says which.
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

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
)

// Names of the files in dist/ (the worker fetches them by these names).
const (
	WeightsFile = "nasbench201.helpw"
	AtlasFile   = "nasbench201.atlas.json"
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
	w, err := shipped(weights, WeightsFile)
	if err != nil {
		return err
	}
	if w == nil {
		fmt.Fprintf(os.Stderr, "pagedata: %s not in %s/: using the authors' HELP checkpoint from %s\n", WeightsFile, weights, data)
		m, err := predictor.LoadHELPCheckpoint(filepath.Join(data, "nasbench201", "help_reference_checkpoint.json"))
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
		return fmt.Errorf("%s: %w", WeightsFile, err)
	}

	a, err := shipped(weights, AtlasFile)
	if err != nil {
		return err
	}
	if a == nil {
		fmt.Fprintf(os.Stderr, "pagedata: %s not in %s/: deriving it from %s\n", AtlasFile, weights, data)
		t, err := latency.Load(filepath.Join(data, "nasbench201"))
		if err != nil {
			return err
		}
		p, err := latency.Standard(latency.NASBench201)
		if err != nil {
			return err
		}
		at, err := atlas.FromTable(t, p, atlas.TableOptions{})
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
		return fmt.Errorf("%s: %w", AtlasFile, err)
	}
	if err := os.WriteFile(filepath.Join(out, WeightsFile), w, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, AtlasFile), a, 0o644)
}

// shipped returns the file's bytes, or nil if it does not exist.
func shipped(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
