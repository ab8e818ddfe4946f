package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/internal/approx"
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
