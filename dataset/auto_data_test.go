package dataset

import (
	"testing"

	"github.com/helpwasm/helpwasm/draw"
)

// TestAutoData scores the Suite's auto on the draws helpwasm eval makes
// (seeds 0-9, no HELP) in every setting of issue 8: NB201 meta-test with
// random and designed support, leave one device out over the 19 NB201
// devices, FBNet's standard split and NASFLAT's F1-F5 at 20 samples, the
// task's train devices known. Measured (auto = blend.OpCostRobust):
// 0.9528, 0.9590, 0.9469, 0.9703, F1 0.9117, F2 0.8902, F3 0.8924,
// F4 0.7030, F5 0.7195. The floors sit 0.001-0.002 under; F4 is NASFLAT's
// 0.734 not reached (see docs/RESULTS.md §11).
func TestAutoData(t *testing.T) {
	if testing.Short() {
		t.Skip("loads both spaces' tables (about 20 s)")
	}
	floors := map[string]float64{
		"nb201.10.random": 0.952, "nb201.10.design": 0.958, "lodo": 0.946, "fbnet.10": 0.969,
		"F1": 0.910, "F2": 0.889, "F3": 0.891, "F4": 0.701, "F5": 0.718,
	}
	datas := map[string]*Data{}
	for _, st := range studySettings() {
		d := datas[st.space]
		if d == nil {
			d = loadStudy(t, st.space)
			datas[st.space] = d
		}
		test := st.test
		switch {
		case st.lodo:
			test = d.Table.Devices()
		case test == nil:
			test = d.Proto.Split.MetaTest
		}
		known := st.known
		switch {
		case st.lodo:
			known = d.Table.Devices()
		case known == nil:
			known = d.Proto.Split.MetaTrain
		}
		suite := &Suite{D: d, Samples: st.samples, Known: func(string) []string { return known }}
		if st.design {
			suite.Support = Design(d, func(pool, prior [][]float64, n int) ([]int, error) {
				return draw.DOptimal(pool, prior, n, draw.DefaultRidge)
			})
		}
		sc, err := Evaluate(d, suite.Ranker(MethodAuto), test, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		mean := 0.0
		for _, dev := range test {
			m, _ := MeanStd(sc[dev].Spearman)
			mean += m / float64(len(test))
		}
		t.Logf("%-16s auto %.4f (floor %.3f) chose %v", st.name, mean, floors[st.name], suite.Chosen)
		if mean < floors[st.name] {
			t.Errorf("%s: auto mean Spearman %.4f, want >= %.3f", st.name, mean, floors[st.name])
		}
		if st.name == "nb201.10.random" {
			// No meta-test device more than 0.01 below HELP (our weights,
			// eval -methods all, 10 samples, random support).
			help := map[string]float64{"titan_rtx_256": 0.980, "gold_6226": 0.983, "fpga": 0.987, "pixel2": 0.821, "raspi4": 0.888, "eyeriss": 0.900}
			for _, dev := range test {
				if m, _ := MeanStd(sc[dev].Spearman); m < help[dev]-0.01 {
					t.Errorf("%s: auto %.3f, HELP %.3f", dev, m, help[dev])
				}
			}
		}
	}
}
