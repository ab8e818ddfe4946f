package ofa

import (
	"math/rand/v2"
	"testing"
)

func TestFeatures(t *testing.T) {
	if len(FeatureNames()) != NumFeatures {
		t.Fatal("names")
	}
	scale := FeatureScales(nil)
	for j, s := range scale {
		if !(s > 0) {
			t.Errorf("scale %s = %v", featureNames[j], s)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	reached := make([]bool, NumFeatures)
	archs := []Arch{}
	for range 2000 {
		archs = append(archs, Random(r))
	}
	hi := Arch{R: 224}
	for i := range hi.D {
		hi.D[i] = 4
	}
	for i := range hi.KS {
		hi.KS[i], hi.E[i] = 7, 6
	}
	archs = append(archs, hi)
	for _, a := range archs {
		v := Features(nil, a)
		var pw, dw float64
		for j, x := range v {
			if x < 0 || x > scale[j]*(1+1e-12) {
				t.Fatalf("%v: feature %s = %v outside [0, %v]", a, featureNames[j], x, scale[j])
			}
			if x == scale[j] {
				reached[j] = true
			}
		}
		pw = v[0] + v[1] + v[2]
		dw = v[3] + v[4] + v[5]
		// The per-block MACs plus stem and head make up FLOPs.
		if got := pw + dw + v[6] + v[15] + v[16]; got != float64(FLOPs(a)) {
			t.Fatalf("%v: features sum to %v MACs, FLOPs %d", a, got, FLOPs(a))
		}
	}
	// The all-maximal network reaches every bound but those whose
	// maxima come from different choices (pw e3/e4, dw k3/k5).
	for j, ok := range reached {
		if !ok && j != 0 && j != 1 && j != 3 && j != 4 {
			t.Errorf("scale of %s never reached", featureNames[j])
		}
	}
}
