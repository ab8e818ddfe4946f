package nasbench201

import (
	"slices"
	"testing"
)

// reaches is a slow reachability check: can node from reach node 3 along
// non-none edges, by depth-first search over the edge list?
func reaches(a Arch, from int) bool {
	if from == 3 {
		return true
	}
	for e, edge := range Edges {
		if edge.From == from && a[e] != None && reaches(a, edge.To) {
			return true
		}
	}
	return false
}

func TestFeaturesAgainstBruteForce(t *testing.T) {
	max := make([]float64, NumFeatures201)
	var f []float64
	for _, a := range Enumerate() {
		f = Features(f, a)
		want := make([]float64, NumFeatures201)
		cols := map[Op]int{Conv1x1: 1, Conv3x3: 2, AvgPool3x3: 3}
		for e, op := range a {
			if op == None {
				want[0]++
			}
			if c, ok := cols[op]; ok {
				want[c]++
				if !reaches(a, Edges[e].To) {
					want[c+3]++
				}
			}
		}
		if !slices.Equal(f, want) {
			t.Fatalf("%v: Features = %v, want %v", a, f, want)
		}
		for i, v := range f {
			max[i] = maxf(max[i], v)
		}
	}
	if !slices.Equal(max, FeatureScale()) {
		t.Errorf("largest features over the space %v, FeatureScale %v", max, FeatureScale())
	}
	if len(FeatureNames()) != NumFeatures201 {
		t.Errorf("%d names for %d features", len(FeatureNames()), NumFeatures201)
	}
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func TestFeaturesDeadEdge(t *testing.T) {
	// Node 2's only way out (2->3) is none, so conv edges into node 2 are dead.
	a := MustParse("|skip_connect~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|none~2|")
	got := Features(nil, a)
	want := []float64{1, 1, 1, 0, 1, 1, 0}
	if !slices.Equal(got, want) {
		t.Errorf("Features = %v, want %v", got, want)
	}
}
