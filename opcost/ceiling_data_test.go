package opcost_test

import (
	"os"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/opcost"
	"github.com/helpwasm/helpwasm/rank"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// TestCeiling (HELPWASM_STUDY=1, LIVE=1 for live/dead counts) fits the
// op-cost model to every non-query cell of each meta-test device: the
// best any 20-point fit of these features can rank. Measured: Features
// 1.000 0.997 1.000 0.830 0.910 0.993 (mean 0.955); live/dead counts
// raspi4 0.940.
func TestCeiling(t *testing.T) {
	if os.Getenv("HELPWASM_STUDY") == "" {
		t.Skip()
	}
	d := loadNB(t)
	var ws rank.Workspace
	for _, device := range d.proto.Split.MetaTest {
		dev, _ := d.tab.Device(device, d.proto.Pools)
		q := map[int]bool{}
		for _, r := range dev.Query {
			q[r] = true
		}
		var rows []int
		for r := range d.tab.Len() {
			if !q[r] {
				rows = append(rows, r)
			}
		}
		var y []float64
		for _, r := range rows {
			y = append(y, dev.Latency[r])
		}
		var truth []float64
		for _, r := range dev.Query {
			truth = append(truth, dev.Latency[r])
		}
		feat := d.feat
		if os.Getenv("LIVE") != "" {
			feat = liveFeat(d.feat)
		}
		b, w, _ := opcost.NNLS(pick(feat, rows), y, 0)
		pred := make([]float64, len(dev.Query))
		for i, r := range dev.Query {
			pred[i] = b
			for j, v := range feat[r] {
				pred[i] += w[j] * v
			}
		}
		ceil := ws.Spearman(pred, truth)
		var ss []float64
		for seed := range 30 {
			tk := d.task(t, device, seed, randomSupport)
			m, _ := opcost.Fit(pick(feat, tk.labelled), tk.ms, opcost.Options{Scale: nasbench201.FeatureScale()})
			ss = append(ss, ws.Spearman(m.PredictTo(nil, pick(feat, tk.dev.Query)), tk.truth))
		}
		slices.Sort(ss)
		t.Logf("%-14s ceiling %.3f (b %.2f w %.3v)  S per-seed min %.3f q10 %.3f med %.3f max %.3f", device, ceil, b, w, ss[0], ss[3], ss[15], ss[29])
	}
}

// liveFeat rewrites op counts 1..3 as live counts (count - dead).
func liveFeat(f [][]float64) [][]float64 {
	out := make([][]float64, len(f))
	for r, x := range f {
		y := slices.Clone(x)
		for j := 1; j <= 3; j++ {
			y[j] -= y[j+3]
		}
		out[r] = y
	}
	return out
}
