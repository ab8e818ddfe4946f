package predictor_test

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// nbData is the NAS-Bench-201 latency table read directly (the predictor's
// tests do not depend on the latency package), with HELP's encodings.
type nbData struct {
	dir     string
	enc     [][]float64          // by HELP index
	lat     map[string][]float64 // device -> latency by HELP index (ms)
	refIdx  []int
	devices []string
}

var (
	nbOnce sync.Once
	nbVal  *nbData
	nbErr  error
)

func loadNB(t testing.TB) *nbData {
	t.Helper()
	dir := shareddata.Space(t, "nasbench201")
	nbOnce.Do(func() { nbVal, nbErr = readNB(dir) })
	if nbErr != nil {
		t.Fatal(nbErr)
	}
	return nbVal
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return csv.NewReader(f).ReadAll()
}

func readNB(dir string) (*nbData, error) {
	rows, err := readCSV(filepath.Join(dir, "latency.csv"))
	if err != nil {
		return nil, err
	}
	d := &nbData{dir: dir, lat: map[string][]float64{}}
	d.devices = rows[0][2:]
	n := len(rows) - 1
	d.enc = make([][]float64, n)
	for _, dev := range d.devices {
		d.lat[dev] = make([]float64, n)
	}
	for _, r := range rows[1:] {
		idx, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, err
		}
		a, err := nasbench201.Parse(r[1])
		if err != nil {
			return nil, err
		}
		d.enc[idx] = nasbench201.Encode(nil, a, nasbench201.DefaultTypeOrder)
		for j, dev := range d.devices {
			v, err := strconv.ParseFloat(r[2+j], 64)
			if err != nil {
				return nil, err
			}
			d.lat[dev][idx] = v
		}
	}
	refs, err := readCSV(filepath.Join(dir, "reference_archs.csv"))
	if err != nil {
		return nil, err
	}
	for _, r := range refs[1:] {
		idx, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, err
		}
		d.refIdx = append(d.refIdx, idx)
	}
	return d, nil
}

// trimmedPool is HELP's pool [lo, lo+n) with the fastest and slowest 10%
// dropped.
func (d *nbData) trimmedPool(dev string, lo, n int) []int {
	lat := d.lat[dev]
	idx := make([]int, n)
	for i := range idx {
		idx[i] = lo + i
	}
	// HELP's loader holds latencies as float32 (torch.FloatTensor); compare
	// them that way so ties (eyeriss) break as in the authors' protocol.
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case float32(lat[a]) < float32(lat[b]):
			return -1
		case float32(lat[a]) > float32(lat[b]):
			return 1
		}
		return 0
	})
	return idx[n/10 : n*9/10]
}

func minMax(xs []float64) (lo, hi float64) {
	return slices.Min(xs), slices.Max(xs)
}

// task is one device's HELP test task: embedding, normalised support and
// query sets.
type task struct {
	emb    []float64
	xs     [][]float64
	ys     []float64
	xq     [][]float64
	yq     []float64
	trainP []int
}

func (d *nbData) task(dev string, support int, rng *rand.Rand) task {
	lat := d.lat[dev]
	train := d.trimmedPool(dev, 0, 900)
	query := d.trimmedPool(dev, 900, 1000)
	tl := make([]float64, len(train))
	for i, k := range train {
		tl[i] = lat[k]
	}
	lo, hi := minMax(tl)
	norm := func(v float64) float64 { return (v-lo)/(hi-lo)*0.9 + 0.05 }
	var tk task
	ref := make([]float64, len(d.refIdx))
	for i, k := range d.refIdx {
		ref[i] = lat[k]
	}
	rlo, rhi := minMax(ref)
	for _, v := range ref {
		tk.emb = append(tk.emb, (v-rlo)/(rhi-rlo))
	}
	perm := rng.Perm(len(train))
	for _, p := range perm[:support] {
		tk.xs = append(tk.xs, d.enc[train[p]])
		tk.ys = append(tk.ys, norm(lat[train[p]]))
	}
	for _, k := range query {
		tk.xq = append(tk.xq, d.enc[k])
		tk.yq = append(tk.yq, norm(lat[k]))
	}
	tk.trainP = train
	return tk
}
