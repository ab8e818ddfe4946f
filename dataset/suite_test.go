package dataset

import (
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/draw"
	"github.com/helpwasm/helpwasm/predictor"
)

// On the synthetic table "double" is an affine map of the known device
// "flops": basis fits it exactly from the labelled points, and auto must
// find that.
func TestSuite(t *testing.T) {
	d := synthetic(t)
	st := &Suite{D: d, Model: predictor.New(predictor.NASBench201Config(), 1), Samples: 8,
		Known: func(string) []string { return []string{"flops", "reverse", "noise", "double"} }}
	want := []string{MethodHELP, MethodStructural, MethodBasis, MethodFLOPs, MethodNearest, MethodAuto}
	if !slices.Equal(st.Methods(), want) {
		t.Fatalf("methods %v, want %v", st.Methods(), want)
	}
	scores := map[string]Scores{}
	for _, m := range st.Methods() {
		sc, err := Evaluate(d, st.Ranker(m), []string{"double"}, 0, 3)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		scores[m] = sc["double"]
	}
	for _, m := range []string{MethodBasis, MethodAuto} {
		s := scores[m]
		if mean, _ := MeanStd(s.Spearman); mean < 0.999 {
			t.Errorf("%s: Spearman %v, want 1", m, s.Spearman)
		}
		if e, _ := MeanStd(s.MdAPE); !(e < 1) {
			t.Errorf("%s: MdAPE %v%%, want < 1%%", m, s.MdAPE)
		}
	}
	if scores[MethodHELP].MdAPE != nil || scores[MethodFLOPs].MdAPE != nil {
		t.Error("help or flops claims to predict ms")
	}
	if len(scores[MethodNearest].MdAPE) != 3 || len(scores[MethodStructural].MdAPE) != 3 {
		t.Error("nearest or structural lacks MdAPE")
	}
	n := 0
	for _, c := range st.Chosen {
		n += c
	}
	if n != 3 {
		t.Errorf("auto chose %v, want 3 choices (one per seed)", st.Chosen)
	}
	// Without a model there is no help method.
	st2 := &Suite{D: d, Samples: 8}
	if slices.Contains(st2.Methods(), MethodHELP) {
		t.Error("help listed without a model")
	}
	if _, err := Evaluate(d, st2.Ranker(MethodAuto), []string{"double"}, 0, 1); err != nil {
		t.Errorf("default known devices: %v", err)
	}
}

func TestDesign(t *testing.T) {
	d := synthetic(t)
	dev, err := d.Device("noise")
	if err != nil {
		t.Fatal(err)
	}
	sup := Design(d, func(pool, prior [][]float64, n int) ([]int, error) {
		return draw.DOptimal(pool, prior, n, draw.DefaultRidge)
	})
	a, err := sup(dev, 6, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sup(dev, 6, 1)
	if !slices.Equal(a, b) || len(a) != 6 {
		t.Errorf("design %v then %v: want 6 rows, repeatable", a, b)
	}
	for _, r := range a {
		if !slices.Contains(dev.Train, r) {
			t.Errorf("row %d outside the trimmed training pool", r)
		}
	}
	// The chooser sees the pool and the reference rows' scaled features.
	feat := d.ScaledFeatures()
	var gotPool, gotPrior [][]float64
	first := Design(d, func(pool, prior [][]float64, n int) ([]int, error) {
		gotPool, gotPrior = pool, prior
		return []int{0, 1}, nil
	})
	rows, _ := first(dev, 2, 5)
	if len(gotPool) != len(dev.Train) || len(gotPrior) != 10 || !slices.Equal(gotPool[0], feat[rows[0]]) {
		t.Errorf("chooser saw %d pool rows, %d prior rows", len(gotPool), len(gotPrior))
	}
	if _, err := sup(dev, len(dev.Train)+1, 1); err == nil {
		t.Error("design larger than the pool: no error")
	}
	for _, f := range feat {
		for _, v := range f {
			if v < 0 || v > 1 {
				t.Fatalf("scaled feature %v outside [0, 1]", v)
			}
		}
	}
}
