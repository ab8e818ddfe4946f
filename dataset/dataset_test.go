package dataset

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// synthetic builds a small NAS-Bench-201 table: 80 architectures (HELP
// indices 0..79), pools of 40 and 40, devices whose latencies are affine
// in FLOPs ("flops", "double" = 2*flops+1), the reverse of FLOPs
// ("reverse"), and noise ("noise", "noise2"); the first 10 rows are the
// reference architectures.
func synthetic(t testing.TB) *Data {
	t.Helper()
	sp := nasbench201.Space{}
	devices := []string{"flops", "double", "reverse", "noise", "noise2"}
	var csv bytes.Buffer
	fmt.Fprintf(&csv, "index,arch,%s\n", strings.Join(devices, ","))
	var ref bytes.Buffer
	ref.WriteString("index,arch\n")
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 80 {
		a := nasbench201.FromIndex(i * 193)
		f := float64(sp.FLOPs(a)) / 1e6
		fmt.Fprintf(&csv, "%d,%s,%g,%g,%g,%g,%g\n", i, a, f+1, 2*f+3, 200-f, 1+r.Float64(), 1+r.Float64())
		if i < 10 {
			fmt.Fprintf(&ref, "%d,%s\n", i, a)
		}
	}
	fsys := fstest.MapFS{
		"s/" + latency.LatencyFile:   {Data: csv.Bytes()},
		"s/" + latency.ReferenceFile: {Data: ref.Bytes()},
	}
	tab, err := latency.LoadFS(fsys, "s")
	if err != nil {
		t.Fatal(err)
	}
	proto := latency.Protocol{Space: sp.Name(), Pools: latency.PoolSizes{Train: 40, Query: 40},
		Split: latency.Split{MetaTrain: []string{"flops", "reverse", "noise"}, MetaValid: []string{"noise2"}, MetaTest: []string{"double"}}}
	enc, err := sp.Encoder("")
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(tab, proto, sp, enc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNewEncodes(t *testing.T) {
	d := synthetic(t)
	if len(d.Archs) != 80 || len(d.X) != 80 {
		t.Fatalf("%d archs, %d encodings", len(d.Archs), len(d.X))
	}
	for r, a := range d.Archs {
		if a.String() != d.Table.Arch(r) {
			t.Fatalf("row %d: %v, table %q", r, a, d.Table.Arch(r))
		}
		if want := d.Enc.Encode(nil, a); !slices.Equal(d.X[r], want) {
			t.Fatalf("row %d: encoding differs", r)
		}
	}
	xs := d.Rows([]int{3, 5})
	if &xs[0][0] != &d.X[3][0] || &xs[1][0] != &d.X[5][0] {
		t.Error("Rows does not share the encodings")
	}
}

func TestSupportRows(t *testing.T) {
	d := synthetic(t)
	dev, err := d.Device("noise")
	if err != nil {
		t.Fatal(err)
	}
	train := slices.Clone(dev.Train)
	a, err := SupportRows(dev, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SupportRows(dev, 10, 3)
	c, _ := SupportRows(dev, 10, 4)
	if !slices.Equal(a, b) {
		t.Error("same seed, different support rows")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same support rows")
	}
	seen := map[int]bool{}
	for _, r := range a {
		if seen[r] || !slices.Contains(dev.Train, r) {
			t.Errorf("row %d repeated or outside the trimmed training pool", r)
		}
		seen[r] = true
	}
	if !slices.Equal(train, dev.Train) {
		t.Error("SupportRows modified the pool")
	}
	// The draw depends on the device's name, not on its latencies.
	other := *dev
	other.Name = "noise2"
	if o, _ := SupportRows(&other, 10, 3); slices.Equal(o, a) {
		t.Error("two devices drew the same support rows")
	}
	if _, err := SupportRows(dev, len(dev.Train)+1, 0); err == nil || !strings.Contains(err.Error(), "noise") {
		t.Errorf("too many samples: error %v, want one naming the device", err)
	}
}

func TestFLOPsRanker(t *testing.T) {
	d := synthetic(t)
	sc, err := Evaluate(d, FLOPs(d), []string{"double", "reverse"}, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	for dev, want := range map[string]float64{"double": 1, "reverse": -1} {
		for _, s := range [][]float64{sc[dev].Spearman, sc[dev].Kendall} {
			if len(s) != 2 || !approx.Close(s[0], want, approx.Float64) || s[0] != s[1] {
				t.Errorf("%s: scores %v, want %v twice", dev, s, want)
			}
		}
		if sc[dev].MdAPE != nil {
			t.Errorf("%s: FLOPs are not ms but MdAPE is %v", dev, sc[dev].MdAPE)
		}
	}
}

func TestProxy(t *testing.T) {
	d := synthetic(t)
	rk, err := Proxy(d, []string{"flops", "reverse", "noise"}, atlas.Pearson)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Evaluate(d, rk, []string{"double"}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	// double = 2f+3 and flops = f+1 in ms: flops stands in, ranks perfectly
	// and is off by (f+2)/(2f+3), a little over half, of each latency.
	if got := sc["double"].Spearman[0]; !approx.Close(got, 1, approx.Float64) {
		t.Errorf("Spearman %v, want 1", got)
	}
	if m := sc["double"].MdAPE; len(m) != 1 || m[0] <= 50 || m[0] > 55 {
		t.Errorf("MdAPE %v, want one value in (50, 55]", m)
	}
	dbl, _ := d.Device("double")
	if n := Nearest(d, []string{"noise", "reverse", "flops"}, dbl.Reference, atlas.Pearson); n != "flops" {
		t.Errorf("Nearest = %q, want flops", n)
	}
	// The target is never its own stand-in.
	rk, _ = Proxy(d, []string{"double"}, atlas.Pearson)
	if _, err := Evaluate(d, rk, []string{"double"}, 0, 1); err == nil {
		t.Error("proxy used the target itself")
	}
	if _, err := Proxy(d, []string{"toaster"}, atlas.Pearson); err == nil {
		t.Error("unknown known device accepted")
	}
}

func TestEvaluateUnknownDevice(t *testing.T) {
	d := synthetic(t)
	if _, err := Evaluate(d, FLOPs(d), []string{"double", "toaster"}, 0, 1); err == nil || !strings.Contains(err.Error(), "toaster") {
		t.Errorf("error %v, want one naming the unknown device", err)
	}
}

func TestHELPRanker(t *testing.T) {
	d := synthetic(t)
	m := predictor.New(predictor.NASBench201Config(), 1)
	rk := HELP(d, m, 5, nil)
	dev, err := d.Device("double")
	if err != nil {
		t.Fatal(err)
	}
	a, err := rk(dev, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := rk(dev, 1)
	if len(a.Values) != len(dev.Query) || a.MS || !slices.Equal(a.Values, b.Values) {
		t.Errorf("%d values (query %d), ms %v, repeatable %v", len(a.Values), len(dev.Query), a.MS, slices.Equal(a.Values, b.Values))
	}
	if _, err := HELP(d, m, 1000, nil)(dev, 1); err == nil {
		t.Error("more support samples than the pool holds: no error")
	}
}

func TestNewTrainSetup(t *testing.T) {
	d := synthetic(t)
	s, err := NewTrainSetup(d, TrainOptions{Support: 5, Query: 10, ValidSamples: 4, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Sampler.Pools) != 3 || len(s.Valid) != 1 {
		t.Fatalf("%d pools, %d validation tasks", len(s.Sampler.Pools), len(s.Valid))
	}
	for _, p := range s.Sampler.Pools {
		if len(p.X) != 32 || len(p.Y) != 32 || len(p.Embedding) != 10 {
			t.Errorf("%s: pool %d x %d, embedding %d; want the 32 trimmed of 40", p.Device, len(p.X), len(p.Y), len(p.Embedding))
		}
		for _, y := range p.Y {
			if y < 0.05-1e-12 || y > 0.95+1e-12 {
				t.Errorf("%s: normalised latency %v outside [0.05, 0.95]", p.Device, y)
			}
		}
	}
	v := s.Valid[0]
	if v.Device != "noise2" || len(v.SupportX) != 4 || len(v.QueryX) != 32 {
		t.Errorf("validation task %s: %d support, %d query", v.Device, len(v.SupportX), len(v.QueryX))
	}
	if _, err := NewTrainSetup(d, TrainOptions{Support: 5, Query: 10, ValidSamples: 33}); err == nil {
		t.Error("validation support larger than the pool: no error")
	}
}

func TestMethodConfig(t *testing.T) {
	for _, method := range Methods {
		c, err := MethodConfig(predictor.FBNetConfig(), method)
		if err != nil {
			t.Fatal(err)
		}
		if got := MethodOf(c); got != method {
			t.Errorf("MethodOf(MethodConfig(%s)) = %s", method, got)
		}
		if c.Encoder != predictor.FBNetConfig().Encoder {
			t.Errorf("%s: encoder changed", method)
		}
	}
	if _, err := MethodConfig(predictor.NASBench201Config(), "reptile"); err == nil {
		t.Error("unknown method accepted")
	}
	c := predictor.NASBench201Config()
	c.Modulator = false
	if got := MethodOf(c); !strings.Contains(got, "custom") {
		t.Errorf("MethodOf(no modulator) = %s", got)
	}
}

func TestMeanStd(t *testing.T) {
	m, s := MeanStd([]float64{1, 2, 3, 4})
	approx.Equal(t, "mean", m, 2.5, approx.Float64)
	approx.Equal(t, "sample std", s, math.Sqrt(5.0/3), approx.Float64)
	m, s = MeanStd([]float64{0.7})
	if m != 0.7 || s != 0 {
		t.Errorf("one value: mean %v std %v, want 0.7 and 0", m, s)
	}
	if m, _ := MeanStd(nil); !math.IsNaN(m) {
		t.Errorf("no values: mean %v, want NaN", m)
	}
}

func TestMdAPE(t *testing.T) {
	truth := []float64{1, 2, 4, 10}
	pred := []float64{1.1, 2, 2, 10}
	// errors 10%, 0, 50%, 0: median of {0, 0, 10, 50} = 5.
	approx.Equal(t, "MdAPE", MdAPE(pred, truth), 5, approx.Float64)
	if !slices.Equal(pred, []float64{1.1, 2, 2, 10}) || !slices.Equal(truth, []float64{1, 2, 4, 10}) {
		t.Error("MdAPE modified its inputs")
	}
}

// TestLoadReferenceCount: a reference_archs.csv with other than the
// protocol's 10 rows is refused as it loads, naming the file and both
// counts (it used to load, and train and bench then panicked: "embedding
// length 11, want 10", "blas: insufficient length of a").
func TestLoadReferenceCount(t *testing.T) {
	sp := nasbench201.Space{}
	enc, err := sp.Encoder("")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{9, 10, 11} {
		dir := t.TempDir()
		sub := filepath.Join(dir, sp.Name())
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		var csv, ref bytes.Buffer
		csv.WriteString("index,arch,dev\n")
		ref.WriteString("index,arch\n")
		for i := range 20 {
			a := nasbench201.FromIndex(i * 193)
			fmt.Fprintf(&csv, "%d,%s,%d\n", i, a, i+1)
			if i < n {
				fmt.Fprintf(&ref, "%d,%s\n", i, a)
			}
		}
		os.WriteFile(filepath.Join(sub, latency.LatencyFile), csv.Bytes(), 0o644)
		os.WriteFile(filepath.Join(sub, latency.ReferenceFile), ref.Bytes(), 0o644)
		_, err := Load(dir, sp, enc)
		if n == 10 {
			if err != nil {
				t.Errorf("10 reference architectures: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), filepath.Join(sub, latency.ReferenceFile)) ||
			!strings.Contains(err.Error(), fmt.Sprintf("lists %d reference", n)) || !strings.Contains(err.Error(), "takes 10") {
			t.Errorf("%d reference architectures: error %v, want one naming the file and both counts", n, err)
		}
	}
}
