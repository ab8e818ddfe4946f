package fbnet

import (
	"math/rand/v2"
	"testing"
)

func TestFeaturesShape(t *testing.T) {
	if n := len(FeatureNames()); n != NumFeatures {
		t.Fatalf("%d names, want %d", n, NumFeatures)
	}
	a := MustParse(known[0].s)
	buf := make([]float64, 3, 20)
	f := Features(buf, a)
	if len(f) != NumFeatures || &f[0] != &buf[0] {
		t.Errorf("Features did not reuse a long-enough dst")
	}
	if g := Features(nil, a); len(g) != NumFeatures {
		t.Errorf("Features(nil) len %d", len(g))
	}
}

// TestFeaturesConsistent checks the features against FLOPs and Params and
// the hand counts of the all-skip and all-k5_e1_g2 networks.
func TestFeaturesConsistent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	scales := FeatureScales(nil)
	for i := range 300 {
		a := Random(r)
		if i == 0 {
			a = uniformArch(K5E6)
		}
		f := Features(nil, a)
		macs := f[0] + f[1] + f[2] + f[3] + stemMACs + headMACs + fcMACs
		if macs != float64(FLOPs(a)) {
			t.Errorf("%v: MAC features sum to %v, FLOPs %d", a, macs, FLOPs(a))
		}
		if p := f[7] + stemParams + headParams + fcParams; p != float64(Params(a)) {
			t.Errorf("%v: params feature %v, Params %d", a, p, Params(a))
		}
		nBlocks := 0
		for _, c := range a {
			if c != Skip {
				nBlocks++
			}
		}
		if f[8] != float64(nBlocks) {
			t.Errorf("%v: blocks %v, want %d", a, f[8], nBlocks)
		}
		for j, v := range f {
			if v < 0 || v > scales[j] {
				t.Errorf("%v: feature %s = %v outside [0, scale %v]", a, FeatureNames()[j], v, scales[j])
			}
		}
	}
	// All skip: five projections (layers 2, 6, 10, 14, 18 change shape;
	// layer 22 184->352 too), no blocks.
	f := Features(nil, uniformArch(Skip))
	if f[12] != 6 || f[8] != 0 || f[0]+f[1]+f[2] != 0 {
		t.Errorf("all skip: projections %v blocks %v block MACs %v", f[12], f[8], f[0]+f[1]+f[2])
	}
	// All k5_e1_g2: shuffles move the input of every block (e = 1), the
	// 5x5 size is every depthwise output, residuals on the 15 blocks that
	// keep shape (22 minus the 7 stage entries, stage 0's 16->16 is kept).
	f = Features(nil, uniformArch(K5E1G2))
	var shuffle, dw5, res float64
	for _, l := range Skeleton() {
		shuffle += float64(l.In * l.Size * l.Size)
		dw5 += float64(l.In * l.OutSize() * l.OutSize())
		if l.Stride == 1 && l.In == l.Out {
			res += float64(l.Out * l.Size * l.Size)
		}
	}
	if f[9] != shuffle || f[11] != dw5 || f[10] != res {
		t.Errorf("all k5_e1_g2: shuffle %v (want %v) dw5 %v (want %v) residual %v (want %v)", f[9], shuffle, f[11], dw5, f[10], res)
	}
	// The all-k5_e6 network has the largest MACs of each conv kind.
	f = Features(nil, uniformArch(K5E6))
	for _, j := range []int{1, 5, 11} {
		if f[j] != scales[j] {
			t.Errorf("all k5_e6: %s = %v, scale %v", FeatureNames()[j], f[j], scales[j])
		}
	}
	for j, s := range scales {
		if s <= 0 {
			t.Errorf("scale of %s = %v, want > 0", FeatureNames()[j], s)
		}
	}
}

func TestFeaturesAllocs(t *testing.T) {
	a := MustParse(known[1].s)
	dst := make([]float64, NumFeatures)
	if n := testing.AllocsPerRun(10, func() { Features(dst, a) }); n != 0 {
		t.Errorf("Features allocates %v times with a long-enough dst", n)
	}
}
