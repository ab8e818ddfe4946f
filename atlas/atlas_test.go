package atlas

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/latency"
)

// synthInput builds n devices over nref reference archs and npool pool
// archs: each device's latency is a random mix of two cost profiles, so
// the embeddings really live near a 2-D subspace.
func synthInput(seed uint64, n, nref, npool int) Input {
	r := rand.New(rand.NewPCG(seed, 1))
	costA := make([]float64, nref+npool)
	costB := make([]float64, nref+npool)
	for i := range costA {
		costA[i] = 1 + 9*r.Float64()
		costB[i] = 1 + 9*r.Float64()
	}
	in := Input{Space: "synthetic", Anchors: Anchors{Fastest: "fast", Slowest: "slow"}}
	for i := range nref {
		in.Reference = append(in.Reference, fmt.Sprintf("ref%d", i))
	}
	for i := range npool {
		in.PoolArchs = append(in.PoolArchs, fmt.Sprintf("pool%d", i))
	}
	splits := []Split{Train, Valid, Test}
	for d := range n {
		wa, wb := r.Float64(), r.Float64()
		lat := make([]float64, nref+npool)
		for i := range lat {
			lat[i] = wa*costA[i] + wb*costB[i] + 0.05*r.Float64() + 0.1
		}
		in.Devices = append(in.Devices, DeviceInput{
			Name:        fmt.Sprintf("dev%02d", d),
			Split:       splits[d%3],
			ReferenceMS: lat[:nref],
			AnchorMS:    [2]float64{0.5, 50},
			PoolMS:      lat[nref:],
		})
	}
	in.Candidates = []Candidate{{Arch: "cand", Accuracy: 71.5}}
	return in
}

func mustBuild(t *testing.T, in Input) *Atlas {
	t.Helper()
	a, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRoundSig(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{10.75437, 10.75}, {2.39056, 2.391}, {0.000123456, 0.0001235}, {1234567, 1235000}, {9.99951, 10},
	} {
		approx.Equal(t, fmt.Sprint("roundSig ", tt.in), roundSig(tt.in, 4), tt.want, 1e-12)
	}
}

func TestBuildCopiesAndEmbeds(t *testing.T) {
	in := synthInput(1, 9, 10, 30)
	a := mustBuild(t, in)
	for i, d := range a.Devices {
		want, _ := latency.CheckedEmbedding(in.Devices[i].ReferenceMS)
		approx.Slices(t, d.Name+" embedding", d.Embedding, want, approx.Float64)
		pool, _ := a.PoolMS(d.Name)
		for j, v := range pool {
			// Rounded to 4 significant digits: relative error <= 5e-4.
			if want := in.Devices[i].PoolMS[j]; math.Abs(v-want) > 5e-4*want {
				t.Errorf("%s pool[%d] = %v, want %v to 4 digits", d.Name, j, v, want)
			}
		}
	}
	// Build must not alias its input.
	in.Devices[0].ReferenceMS[0] = 1e6
	in.Reference[0] = "changed"
	if a.Devices[0].ReferenceMS[0] == 1e6 || a.Reference[0] == "changed" {
		t.Error("Build aliases its input")
	}
}

// TestMapIsPrincipalAxes checks the map against its definition with a naive
// covariance: each axis is a unit eigenvector of the embeddings' covariance
// with the stated share of the variance, the axes are orthogonal, and the
// first carries at least as much variance as the second.
func TestMapIsPrincipalAxes(t *testing.T) {
	a := mustBuild(t, synthInput(2, 19, 10, 5))
	n, d := len(a.Devices), len(a.Reference)
	mean := make([]float64, d)
	for _, dev := range a.Devices {
		for j, e := range dev.Embedding {
			mean[j] += e / float64(n)
		}
	}
	approx.Slices(t, "map mean", a.Map.Mean, mean, approx.Float64)
	cov := make([][]float64, d)
	total := 0.0
	for i := range cov {
		cov[i] = make([]float64, d)
		for j := range cov[i] {
			for _, dev := range a.Devices {
				cov[i][j] += (dev.Embedding[i] - mean[i]) * (dev.Embedding[j] - mean[j]) / float64(n-1)
			}
		}
		total += cov[i][i]
	}
	for k, ax := range a.Map.Axes {
		norm := 0.0
		for _, v := range ax {
			norm += v * v
		}
		approx.Equal(t, fmt.Sprintf("|axis %d|^2", k), norm, 1, approx.Float64)
		lambda := a.Map.Explained[k] * total
		for i := range d {
			cv := 0.0
			for j := range d {
				cv += cov[i][j] * ax[j]
			}
			approx.Equal(t, fmt.Sprintf("(C axis%d)[%d]", k, i), cv, lambda*ax[i], 1e-8)
		}
	}
	dot := 0.0
	for j := range d {
		dot += a.Map.Axes[0][j] * a.Map.Axes[1][j]
	}
	approx.Equal(t, "axis0.axis1", dot, 0, approx.Float64)
	if a.Map.Explained[0] < a.Map.Explained[1] {
		t.Errorf("explained %v: first axis carries less variance than the second", a.Map.Explained)
	}
	if a.Map.Explained[0]+a.Map.Explained[1] < 0.9 {
		t.Errorf("explained %v: synthetic devices are near-2-D, want >= 0.9 in two axes", a.Map.Explained)
	}
}

func TestProjectMatchesMap2D(t *testing.T) {
	a := mustBuild(t, synthInput(3, 12, 10, 5))
	pts := a.Map2D()
	sumX, sumY := 0.0, 0.0
	for i, p := range pts {
		q := a.Project(a.Devices[i].Embedding)
		if p.Point != q || p.Name != a.Devices[i].Name {
			t.Errorf("Map2D[%d] = %+v, Project gives %+v", i, p, q)
		}
		sumX += p.X
		sumY += p.Y
	}
	// Positions are centred: the mean device sits at the origin.
	approx.Equal(t, "mean x", sumX/float64(len(pts)), 0, approx.Float64)
	approx.Equal(t, "mean y", sumY/float64(len(pts)), 0, approx.Float64)
	// Deterministic: a second build gives the identical map.
	b := mustBuild(t, synthInput(3, 12, 10, 5))
	if !reflect.DeepEqual(a.Map, b.Map) {
		t.Error("two builds from the same input give different maps")
	}
}

func TestNearest(t *testing.T) {
	a := mustBuild(t, synthInput(4, 9, 10, 5))
	target := a.Devices[4].ReferenceMS
	// An affine image of device 4's latencies is most similar to device 4,
	// for both similarities, raw or embedded.
	scaled := make([]float64, len(target))
	for i, v := range target {
		scaled[i] = 3*v + 7
	}
	emb, _ := latency.CheckedEmbedding(target)
	for name, sim := range map[string]Similarity{"pearson": Pearson, "spearman": naiveSpearman} {
		for what, tg := range map[string][]float64{"raw": target, "scaled": scaled, "embedding": emb} {
			m := a.NearestBy(tg, 3, sim)
			if name == "spearman" {
				// Rank ties: devices with the same reference order all score 1,
				// which is why Pearson is the default.
				m = a.NearestBy(tg, -1, sim)
				for i, x := range m {
					if x.Name == a.Devices[4].Name && x.Similarity == m[0].Similarity {
						m[0], m[i] = m[i], m[0]
					}
				}
				m = m[:3]
			}
			if len(m) != 3 || m[0].Name != a.Devices[4].Name {
				t.Errorf("%s/%s: Nearest = %+v, want %s first", name, what, m, a.Devices[4].Name)
				continue
			}
			approx.Equal(t, name+"/"+what+" similarity", m[0].Similarity, 1, approx.Float64)
			if m[1].Similarity > m[0].Similarity || m[2].Similarity > m[1].Similarity {
				t.Errorf("%s/%s: not sorted: %+v", name, what, m)
			}
		}
	}
	// Split filter and k.
	for _, m := range a.NearestBy(target, -1, Pearson, Train) {
		if m.Split != Train {
			t.Errorf("split filter let %+v through", m)
		}
	}
	if got := len(a.NearestBy(target, -1, Pearson)); got != len(a.Devices) {
		t.Errorf("k=-1 returned %d devices, want all %d", got, len(a.Devices))
	}
	// A constant target has NaN similarity everywhere: all returned, by name.
	flat := make([]float64, len(target))
	for i := range flat {
		flat[i] = 1
	}
	m := a.Nearest(flat, 2)
	if len(m) != 2 || m[0].Name != "dev00" || m[1].Name != "dev01" {
		t.Errorf("constant target: %+v", m)
	}
}

// naiveSpearman is Pearson of ranks without tie handling (the test data has
// no ties).
func naiveSpearman(x, y []float64) float64 {
	rk := func(v []float64) []float64 {
		r := make([]float64, len(v))
		for i := range v {
			for j := range v {
				if v[j] < v[i] {
					r[i]++
				}
			}
		}
		return r
	}
	return Pearson(rk(x), rk(y))
}

func TestWriteReadRoundTrip(t *testing.T) {
	a := mustBuild(t, synthInput(5, 7, 10, 20))
	var buf bytes.Buffer
	if err := a.Write(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip changed the atlas:\n%+v\n%+v", a, b)
	}
}

func TestReadErrors(t *testing.T) {
	a := mustBuild(t, synthInput(6, 4, 3, 2))
	var buf bytes.Buffer
	if err := a.Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct {
		name, old, new, want string
	}{
		{"version", `"version":1`, `"version":2`, "version 2 not supported"},
		{"format", `"format":"helpwasm-atlas"`, `"format":"x"`, `format "x"`},
		{"unknown field", `"space":`, `"spaec":"x","space":`, "unknown field"},
		{"negative latency", `"reference_ms":[`, `"reference_ms":[-1,`, "devices[0].reference_ms"},
		{"pool length", `"pool_ms":[`, `"pool_ms":[1,`, "devices[0].pool_ms has 3 values, want 2"},
		{"split", `"split":"train"`, `"split":"dev"`, `devices[0].split "dev"`},
		{"duplicate", `"name":"dev01"`, `"name":"dev00"`, `"dev00" appears twice`},
		{"embedding", `"embedding":[`, `"embedding":[0.5,`, "devices[0].embedding has 4 values"},
		{"truncated", good[len(good)/2:], "", "decoding JSON"},
		{"trailing", "\n", "\n{}", "trailing data"},
		{"map", `"mean":[`, `"mean":[1,`, "map.mean has 4 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("test bug: %q not in the file", tt.old)
			}
			bad := strings.Replace(good, tt.old, tt.new, 1)
			_, err := Read(strings.NewReader(bad))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Input)
		want   string
	}{
		{"no space", func(in *Input) { in.Space = "" }, "space is empty"},
		{"one device", func(in *Input) { in.Devices = in.Devices[:1] }, "1 devices"},
		{"flat reference", func(in *Input) { in.Devices[1].ReferenceMS = []float64{2, 2, 2} }, "devices[1]"},
		{"short pool", func(in *Input) { in.Devices[2].PoolMS = in.Devices[2].PoolMS[:1] }, "devices[2].pool_ms has 1 values"},
		{"zero anchor", func(in *Input) { in.Devices[0].AnchorMS[1] = 0 }, "devices[0].anchor_ms[1]"},
		{"no anchors", func(in *Input) { in.Anchors.Slowest = "" }, "anchors"},
		{"nan accuracy", func(in *Input) { in.Candidates[0].Accuracy = math.NaN() }, "candidates[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := synthInput(7, 4, 3, 2)
			tt.modify(&in)
			_, err := Build(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	a, err := Build(synthInput(8, 3, 3, 2))
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"format":"helpwasm-atlas","version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := a.Write(&out); err != nil {
			t.Fatalf("Write of a valid atlas failed: %v", err)
		}
		b, err := Read(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("re-Read failed: %v", err)
		}
		// Compare what is written, not the structs: an empty list and an
		// absent one ("candidates":[] and nil) are the same atlas.
		var again bytes.Buffer
		if err := b.Write(&again); err != nil {
			t.Fatalf("second Write failed: %v", err)
		}
		if !bytes.Equal(out.Bytes(), again.Bytes()) {
			t.Fatalf("read-write-read changed the atlas:\n%s\n%s", out.Bytes(), again.Bytes())
		}
	})
}
