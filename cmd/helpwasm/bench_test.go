package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func TestParseBenchFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-episodes", "0"}, "must be positive"},
		{[]string{"-repeat", "-1"}, "must be positive"},
		{[]string{"x"}, "unexpected arguments"},
	} {
		if _, err := parseBenchFlags(tt.args, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseBenchFlags(%q): error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
	f, err := parseBenchFlags([]string{"-no-train"}, &bytes.Buffer{})
	if err != nil || !f.skip["train"] || f.skip["engine"] {
		t.Errorf("-no-train: %+v, %v", f, err)
	}
}

func TestDurations(t *testing.T) {
	d := durations{5, 1, 4, 2, 3}
	if d.median() != 3 || d.min() != 1 {
		t.Errorf("median %v min %v, want 3 and 1", d.median(), d.min())
	}
	if d[0] != 5 {
		t.Error("median sorted its receiver")
	}
}

func TestSupportFromPool(t *testing.T) {
	arch := func(i int) string { return nasbench201.FromIndex(i).String() }
	in := atlas.Input{Space: "nasbench201", Anchors: atlas.Anchors{Fastest: arch(0), Slowest: arch(1)},
		Reference: []string{arch(2), arch(3), arch(4)}, PoolArchs: []string{arch(5), arch(6), arch(7)}}
	for i, pool := range [][]float64{{2, 4, 3}, {1, 2, 5}} {
		in.Devices = append(in.Devices, atlas.DeviceInput{Name: string(rune('a' + i)), Split: atlas.Train,
			ReferenceMS: []float64{1, 2, 3}, AnchorMS: [2]float64{1, 9}, PoolMS: pool})
	}
	at, err := atlas.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := supportFromPool(at, at.Devices[0], 2, nasbench201.DefaultTypeOrder)
	if len(xs) != 2 || len(xs[0]) != nasbench201.EncodedLen {
		t.Fatalf("%d encodings of length %d", len(xs), len(xs[0]))
	}
	approx.Slices(t, "normalised support", ys, []float64{0.05, 0.95}, approx.Float64)
}

// refData is a copy of the shared NAS-Bench-201 data whose
// reference_archs.csv lists n architectures (the real first ones, then
// further rows of latency.csv).
func refData(t *testing.T, n int) string {
	t.Helper()
	src := filepath.Join(shareddata.Dir(t), "nasbench201")
	dir := t.TempDir()
	sub := filepath.Join(dir, "nasbench201")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(src, latency.LatencyFile), filepath.Join(sub, latency.LatencyFile)); err != nil {
		t.Fatal(err)
	}
	tab, err := latency.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	ref := "index,arch\n"
	rows := tab.ReferenceRows()
	for r := 0; len(rows) < n; r++ {
		if !slices.Contains(rows, r) {
			rows = append(rows, r)
		}
	}
	for _, r := range rows[:n] {
		ref += fmt.Sprintf("%d,%s\n", tab.Index(r), tab.Arch(r))
	}
	if err := os.WriteFile(filepath.Join(sub, latency.ReferenceFile), []byte(ref), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestReferenceCountRefused: train and bench on data with 11 reference
// architectures stop at load with an error naming the file and the counts
// (they used to panic: "embedding length 11, want 10").
func TestReferenceCountRefused(t *testing.T) {
	dir := refData(t, 11)
	out := filepath.Join(t.TempDir(), "w.helpw")
	for _, args := range [][]string{
		{"train", "-data", dir, "-out", out, "-episodes", "1", "-q"},
		{"bench", "-data", dir, "-episodes", "1", "-repeat", "1", "-no-engine"},
	} {
		err := run(args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), latency.ReferenceFile) || !strings.Contains(err.Error(), "lists 11 reference architectures") {
			t.Errorf("%s: error %v, want one naming %s and the count", args[0], err, latency.ReferenceFile)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("train wrote weights")
	}
}

// TestWeightsMisfitRefused: self-consistent weights whose input shapes are
// not NAS-Bench-201's are refused as they load by every command that takes
// -weights (eval -orders and bench -weights used to panic: "encoding
// length 153, want 126"; 3 nodes of 48 features, also 153 inputs, were
// silently misread).
func TestWeightsMisfitRefused(t *testing.T) {
	tmp := t.TempDir()
	for _, tt := range []struct {
		edit func(*predictor.Config)
		want string
	}{
		{func(c *predictor.Config) { c.NodeFeatures = 5 }, "5 node features"},
		{func(c *predictor.Config) { c.NumNodes, c.NodeFeatures = 3, 48 }, "3 nodes"},
		{func(c *predictor.Config) { c.EmbedDim = 11 }, "embedding has 11 values"},
	} {
		cfg := predictor.NASBench201Config()
		tt.edit(&cfg)
		w := filepath.Join(tmp, "w.helpw")
		if err := predictor.New(cfg, 1).SaveFile(w); err != nil {
			t.Fatal(err)
		}
		check := func(what string, err error) {
			t.Helper()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want one naming %s and containing %q", what, err, w, tt.want)
			}
		}
		check("bench", run([]string{"bench", "-weights", w, "-no-train", "-no-engine", "-repeat", "1"}, &bytes.Buffer{}, &bytes.Buffer{}))
		check("eval -orders", run([]string{"eval", "-orders", "-weights", w, "-data", tmp}, &bytes.Buffer{}, &bytes.Buffer{}))
		check("eval", run([]string{"eval", "-weights", w, "-data", tmp}, &bytes.Buffer{}, &bytes.Buffer{}))
		_, err := loadPredictor(w, tmp, "nasbench201")
		check("loadPredictor (profile, predict)", err)
	}
}
