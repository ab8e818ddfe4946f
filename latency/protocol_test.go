package latency

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// naiveTrim keeps the rows whose stable rank (latencies compared as
// float32, ties broken by pool position) is in [int(0.1n), int(0.9n)),
// listed by rank.
func naiveTrim(pool []int, lat []float64) []int {
	n := len(pool)
	byRank := make([]int, n)
	for i, r := range pool {
		rank := 0
		for j, s := range pool {
			ls, lr := float32(lat[s]), float32(lat[r])
			if ls < lr || (ls == lr && j < i) {
				rank++
			}
		}
		byRank[rank] = r
	}
	return byRank[int(float64(n)*0.1):int(float64(n)*0.9)]
}

func TestTrim(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{0, 1, 9, 10, 11, 19, 100, 900, 1000} {
		lat := make([]float64, n+5)
		for i := range lat {
			lat[i] = float64(1 + rng.IntN(20)) // whole values: many ties
		}
		pool := rng.Perm(n + 5)[:n]
		poolCopy := slices.Clone(pool)
		got := Trim(nil, pool, lat)
		if want := naiveTrim(pool, lat); !slices.Equal(got, want) {
			t.Fatalf("n=%d: Trim = %v, want %v", n, got, want)
		}
		if len(got) != int(float64(n)*0.9)-int(float64(n)*0.1) {
			t.Fatalf("n=%d: kept %d", n, len(got))
		}
		if !slices.Equal(pool, poolCopy) {
			t.Fatal("Trim modified pool")
		}
	}
	// Values equal in float32 are ties, kept in pool order.
	noisy := []float64{3.3998600000000003, 3.399860000000001, 3.39986, 1, 2, 5, 6, 7, 8, 9}
	if got := Trim(nil, []int{1, 0, 2, 3, 4, 5, 6, 7, 8, 9}, noisy); !slices.Equal(got, []int{4, 1, 0, 2, 5, 6, 7, 8}) {
		t.Errorf("Trim with float64 noise = %v, want [4 1 0 2 5 6 7 8]", got)
	}
	// HELP's pools: 900 -> [90, 810), 1000 -> [100, 900), 4000 -> [400, 3600).
	for n, want := range map[int]int{900: 720, 1000: 800, 4000: 3200} {
		lat := make([]float64, n)
		pool := make([]int, n)
		for i := range pool {
			pool[i], lat[i] = i, float64(n-i)
		}
		got := Trim(nil, pool, lat)
		if len(got) != want || got[0] != n-1-int(0.1*float64(n)) {
			t.Errorf("n=%d: kept %d from row %d", n, len(got), got[0])
		}
	}
}

func TestScale(t *testing.T) {
	lat := []float64{5, 1, 3, 9, 2}
	s := ScaleOver(lat, []int{0, 2, 4}, LatencyPortion)
	if s != (Scale{Min: 2, Max: 5, Portion: 0.9}) {
		t.Fatalf("ScaleOver = %+v", s)
	}
	approx.Equal(t, "Normalise(min)", s.Normalise(2), 0.05, approx.Float64)
	approx.Equal(t, "Normalise(max)", s.Normalise(5), 0.95, approx.Float64)
	approx.Equal(t, "Normalise(mid)", s.Normalise(3.5), 0.5, approx.Float64)
	approx.Equal(t, "Normalise(outside)", s.Normalise(9), (9-2)/3.0*0.9+0.05, approx.Float64)
	for _, v := range lat {
		approx.Equal(t, "Denormalise(Normalise)", s.Denormalise(s.Normalise(v)), v, approx.Float64)
	}
	y := s.NormaliseTo(nil, lat)
	back := s.DenormaliseTo(y, y) // in place
	approx.Slices(t, "in-place round trip", back, lat, approx.Float64)

	emb := Embedding(nil, []float64{4, 2, 6})
	approx.Slices(t, "Embedding", emb, []float64{0.5, 0, 1}, approx.Float64)
	if math.IsNaN(ScaleOf([]float64{3, 3}, 1).Normalise(3)) == false {
		t.Error("constant data should normalise to NaN, as in HELP")
	}
}

func TestStandard(t *testing.T) {
	for _, space := range []string{NASBench201, FBNet, OFA} {
		p, err := Standard(space)
		if err != nil {
			t.Fatal(err)
		}
		all := p.Split.Devices()
		seen := map[string]bool{}
		for _, d := range all {
			if seen[d] {
				t.Errorf("%s: %s in two sets", space, d)
			}
			seen[d] = true
		}
		valid := map[string]int{OFA: 2}[space]
		if valid == 0 {
			valid = 4
		}
		if len(p.Split.MetaTrain) != 9 || len(p.Split.MetaValid) != valid {
			t.Errorf("%s split sizes %d/%d/%d", space, len(p.Split.MetaTrain), len(p.Split.MetaValid), len(p.Split.MetaTest))
		}
		p.Split.MetaTrain[0] = "changed"
		if q, _ := Standard(space); q.Split.MetaTrain[0] == "changed" {
			t.Error("Standard shares its slices")
		}
	}
	if _, err := Standard("darts"); err == nil {
		t.Error("Standard(darts) accepted")
	}
}

// naiveConsensus recomputes the consensus rows from ranks counted
// pairwise rather than from sorted positions.
func naiveConsensus(tab *Table, devices []string, p PoolSizes) (slowest, fastest int) {
	score := map[int]int{}
	count := map[int]int{}
	var first []int
	for i, name := range devices {
		d, _ := tab.Device(name, p)
		pool := d.Train
		lat := tab.Latency(name)
		// stable rank within the trimmed pool, ties by position in the
		// untrimmed (index-ordered) pool, which Trim preserves.
		for _, r := range pool {
			rank := 0
			for _, s := range pool {
				ls, lr := float32(lat[s]), float32(lat[r])
				if ls < lr || (ls == lr && tab.Index(s) < tab.Index(r)) {
					rank++
				}
			}
			score[r] += rank
			count[r]++
		}
		if i == 0 {
			first = pool
		}
	}
	slowest, fastest = -1, -1
	for _, r := range first {
		if count[r] != len(devices) {
			continue
		}
		if slowest < 0 || score[r] > score[slowest] {
			slowest = r
		}
		if fastest < 0 || score[r] < score[fastest] {
			fastest = r
		}
	}
	return slowest, fastest
}

func TestDeviceAndConsensusSynthetic(t *testing.T) {
	// 30 archs, 3 devices; latencies roughly agree so a consensus exists.
	rng := rand.New(rand.NewPCG(2, 2))
	tab := syntheticTable(rng, 30, []string{"a", "b", "c"})
	p := PoolSizes{Train: 20, Query: 10}
	d, err := tab.Device("b", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Train) != 16 || len(d.Query) != 8 {
		t.Fatalf("pools %d/%d, want 16/8", len(d.Train), len(d.Query))
	}
	for _, r := range d.Train {
		if tab.Index(r) >= 20 {
			t.Fatalf("train pool holds index %d", tab.Index(r))
		}
		y := d.Scale.Normalise(d.Latency[r])
		if y < 0.05-1e-12 || y > 0.95+1e-12 {
			t.Fatalf("normalised training latency %v outside [0.05, 0.95]", y)
		}
	}
	for _, r := range d.Query {
		if i := tab.Index(r); i < 20 || i >= 30 {
			t.Fatalf("query pool holds index %d", i)
		}
	}
	if slices.Min(d.Embedding) != 0 || slices.Max(d.Embedding) != 1 {
		t.Errorf("embedding %v does not span [0, 1]", d.Embedding)
	}
	devices := []string{"a", "b", "c"}
	slow, fast, err := tab.Consensus(devices, p)
	if err != nil {
		t.Fatal(err)
	}
	ws, wf := naiveConsensus(tab, devices, p)
	if slow != ws || fast != wf {
		t.Errorf("Consensus = %d, %d; naive %d, %d", slow, fast, ws, wf)
	}
	if a := tab.AnchorRows(slow, fast); len(a) != 2+len(tab.ReferenceRows()) || a[0] != slow || a[1] != fast {
		t.Errorf("AnchorRows = %v", a)
	}
	if _, err := tab.Device("zzz", p); err == nil {
		t.Error("unknown device accepted")
	}
	if _, err := tab.Device("a", PoolSizes{Train: 20, Query: 20}); err == nil {
		t.Error("query pool beyond the table accepted")
	}
}

// syntheticTable builds a NAS-Bench-201-looking table with n rows whose
// device latencies are a shared cost times a device factor plus noise,
// rounded to 1 ms on every other device to create ties.
func syntheticTable(rng *rand.Rand, n int, devices []string) *Table {
	t := &Table{
		space:      NASBench201,
		devices:    devices,
		column:     map[string]int{},
		rowOfArch:  map[string]int{},
		rowOfIndex: map[int]int{},
		latency:    make([][]float64, len(devices)),
	}
	cost := make([]float64, n)
	for i := range cost {
		cost[i] = 1 + 20*rng.Float64()
	}
	for d, name := range devices {
		t.column[name] = d
		for i := range n {
			v := cost[i]*(1+float64(d)) + rng.NormFloat64()
			if d%2 == 1 {
				v = math.Round(v)
			}
			t.latency[d] = append(t.latency[d], math.Max(v, 0.5))
		}
	}
	for i := range n {
		arch := string(rune('A'+i%26)) + string(rune('a'+i/26))
		t.archs = append(t.archs, arch)
		t.index = append(t.index, i)
		t.rowOfArch[arch] = i
		t.rowOfIndex[i] = i
	}
	t.reference = []int{3, 7, 11, 29}
	return t
}

func TestCheckedEmbedding(t *testing.T) {
	got, err := CheckedEmbedding([]float64{2, 4, 3, 6})
	if err != nil {
		t.Fatal(err)
	}
	approx.Slices(t, "embedding", got, []float64{0, 0.5, 0.25, 1}, approx.Float64)
	for _, bad := range [][]float64{nil, {1}, {1, 1, 1}, {1, 0, 2}, {1, math.NaN()}, {1, math.Inf(1)}, {-1, 2}} {
		if _, err := CheckedEmbedding(bad); err == nil {
			t.Errorf("CheckedEmbedding(%v): no error", bad)
		}
	}
}

// With Tail, Denormalise inverts Normalise at and above Min, and below it
// stays positive and increasing and meets the line with its slope.
func TestScaleTail(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    Scale
	}{
		{"profile", Scale{Min: 2, Max: 40, Portion: LatencyPortion, Tail: true}},
		{"narrow", Scale{Min: 10, Max: 11, Portion: LatencyPortion, Tail: true}},
	} {
		line := tt.s
		line.Tail = false
		for _, ms := range []float64{tt.s.Min, (tt.s.Min + tt.s.Max) / 2, tt.s.Max, 2 * tt.s.Max} {
			approx.Equal(t, tt.name+" round trip", tt.s.Denormalise(tt.s.Normalise(ms)), ms, approx.Float64)
		}
		y0 := tt.s.Normalise(tt.s.Min)
		prev := tt.s.Denormalise(y0)
		for k := 1; k <= 50; k++ {
			y := y0 - 0.02*float64(k)
			v := tt.s.Denormalise(y)
			if !(v > 0 && v < prev) {
				t.Fatalf("%s: Denormalise(%g) = %g after %g: not positive and increasing", tt.name, y, v, prev)
			}
			prev = v
		}
		const h = 1e-6
		approx.Equal(t, tt.name+" slope at Min", (tt.s.Denormalise(y0)-tt.s.Denormalise(y0-h))/h, (line.Denormalise(y0)-line.Denormalise(y0-h))/h, 1e-4)
	}
}
