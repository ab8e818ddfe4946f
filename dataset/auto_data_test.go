package dataset

import (
	"testing"

	"github.com/helpwasm/helpwasm/draw"
)

// TestAutoData scores the Suite's auto on the draws helpwasm eval makes
// (seeds 0-9, no HELP) in every setting of issue 8: NB201 meta-test with
// random and designed support, leave one device out over the 19 NB201
// devices, FBNet's standard split and NASFLAT's F1-F5 at 20 samples, the
// task's train devices known; and NB201 again with no known device (the
// page's case: blend.OpCostRobust). Measured mean Spearman (the rule the
// known devices choose, Suite.autoRule): 0.9525, 0.9565, LODO 0.9481,
// FBNet 0.9730, F1 0.9194, F2 0.8890, F3 0.8920, F4 0.7343, F5 0.7190;
// without known devices 0.9528 and 0.9590. The floors sit 0.001-0.002
// under (designed support and F4: at the targets, 0.955 and NASFLAT's
// 0.734; docs/RESULTS.md §20).
func TestAutoData(t *testing.T) {
	if testing.Short() {
		t.Skip("loads both spaces' tables (about 20 s)")
	}
	floors := map[string]float64{
		"nb201.10.random": 0.951, "nb201.10.design": 0.955, "lodo": 0.947, "fbnet.10": 0.972,
		"F1": 0.918, "F2": 0.888, "F3": 0.891, "F4": 0.734, "F5": 0.718,
		"nb201.10.random none known": 0.952, "nb201.10.design none known": 0.958,
	}
	var settings []studySetting
	for _, st := range studySettings() {
		settings = append(settings, st)
		if st.space == "nasbench201" && !st.lodo {
			st.name += " none known"
			st.known = []string{}
			settings = append(settings, st)
		}
	}
	datas := map[string]*Data{}
	for _, st := range settings {
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
		if floors[st.name] == 0 {
			t.Fatalf("no floor for %s", st.name)
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
		if st.name == "nb201.10.random" || st.name == "nb201.10.random none known" {
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
