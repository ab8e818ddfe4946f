package nasbench201

import (
	"math"
	"slices"
	"testing"
)

// reachesOutput is the slow reference for liveNodes: depth-first search
// from node j along edges that are not none.
func reachesOutput(a Arch, j int) bool {
	if j == 3 {
		return true
	}
	for e, edge := range Edges {
		if edge.From == j && a[e] != None && reachesOutput(a, edge.To) {
			return true
		}
	}
	return false
}

// featuresSlow counts straight from the definition.
func featuresSlow(a Arch) []float64 {
	f := make([]float64, NumOpFeatures)
	col := map[Op]int{None: 0, Conv1x1: 1, Conv3x3: 2, AvgPool3x3: 3}
	for e, op := range a {
		c, ok := col[op]
		if !ok {
			continue
		}
		f[c]++
		if op != None && !reachesOutput(a, Edges[e].To) {
			f[c+3]++
		}
	}
	return f
}

func TestFeaturesMatchReachability(t *testing.T) {
	dst := make([]float64, NumOpFeatures)
	for _, a := range Enumerate() {
		got := Features(dst, a)
		if &got[0] != &dst[0] {
			t.Fatal("Features did not reuse dst")
		}
		if want := featuresSlow(a); !slices.Equal(got, want) {
			t.Fatalf("Features(%v) = %v, want %v", a, got, want)
		}
	}
}

func TestFeaturesKnown(t *testing.T) {
	for _, tc := range []struct {
		arch string
		want []float64
	}{
		// Edges 3<-1 and 3<-2 none: nodes 1 and 2 are dead, so are the
		// conv1x1 into 1 and the pool into 2 and the conv3x3 2<-1.
		{"|nor_conv_1x1~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|", []float64{2, 1, 1, 1, 1, 1, 1}},
		// Node 1 reaches the output through node 2: nothing dead.
		{"|nor_conv_1x1~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", []float64{1, 1, 2, 1, 0, 0, 0}},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", []float64{0, 0, 6, 0, 0, 0, 0}},
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", []float64{6, 0, 0, 0, 0, 0, 0}},
	} {
		if got := Features(nil, MustParse(tc.arch)); !slices.Equal(got, tc.want) {
			t.Errorf("Features(%s) = %v, want %v", tc.arch, got, tc.want)
		}
	}
}

func TestFeatureScaleIsMaxOverSpace(t *testing.T) {
	var got [NumOpFeatures]float64
	var f []float64
	for _, a := range Enumerate() {
		f = Features(f, a)
		for j, v := range f {
			got[j] = max(got[j], v)
		}
	}
	if got != FeatureScale {
		t.Fatalf("largest features over the space %v, FeatureScale %v", got, FeatureScale)
	}
}

func TestFeaturesPruned(t *testing.T) {
	var got [NumPrunedOpFeatures]float64
	var f, p []float64
	for _, a := range Enumerate() {
		f = Features(f, a)
		p = FeaturesPruned(p, a)
		if !slices.Equal(p[:NumOpFeatures], f) {
			t.Fatalf("FeaturesPruned(%v)[:7] = %v, Features %v", a, p[:NumOpFeatures], f)
		}
		for j := range 3 {
			if p[NumOpFeatures+j] != -f[4+j] {
				t.Fatalf("FeaturesPruned(%v)[%d] = %g, want %g", a, NumOpFeatures+j, p[NumOpFeatures+j], -f[4+j])
			}
		}
		for j, v := range p {
			got[j] = max(got[j], math.Abs(v))
		}
	}
	if got != PrunedFeatureScale {
		t.Fatalf("largest |features| over the space %v, PrunedFeatureScale %v", got, PrunedFeatureScale)
	}
}
