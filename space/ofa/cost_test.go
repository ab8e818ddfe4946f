package ofa

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pyMakeDivisible is make_divisible of ofa/utils/pytorch_modules.py, line
// by line, for the checks below (MakeDivisible is the package's).
func pyMakeDivisible(v float64, divisor int) int {
	minVal := divisor
	newV := max(minVal, int(v+float64(divisor)/2)/divisor*divisor)
	if float64(newV) < 0.9*v {
		newV += divisor
	}
	return newV
}

// module is the running output shape of a transcription of the active
// subnet, with the totals of ofa/utils/flops_counter.py's profile: every
// leaf module adds its parameters; Conv2d adds cin*out_elements*k*k/groups
// ops and Linear in*out; BatchNorm2d, activations and pooling add none.
type module struct {
	c, h, w     int
	ops, params int64
}

// conv is nn.Conv2d(c, cout, k, stride, k/2, groups, bias): PyTorch's
// output size formula, not the package's.
func (m *module) conv(cout, k, stride, groups int, bias bool) {
	pad := k / 2
	m.h = (m.h+2*pad-k)/stride + 1
	m.w = (m.w+2*pad-k)/stride + 1
	m.ops += int64(m.c) * int64(cout*m.h*m.w) * int64(k*k) / int64(groups)
	m.params += int64(cout * m.c / groups * k * k)
	if bias {
		m.params += int64(cout)
	}
	m.c = cout
}

func (m *module) bn() { m.params += 2 * int64(m.c) }

// se is SEModule(c): its two 1x1 convolutions run on the pooled tensor.
func (m *module) se() {
	mid := pyMakeDivisible(float64(m.c/4), 8)
	p := module{c: m.c, h: 1, w: 1}
	p.conv(mid, 1, 1, 1, true)
	p.conv(m.c, 1, 1, 1, true)
	m.ops += p.ops
	m.params += p.params
}

// transcribe builds a's active subnet as ofa_mbv3.py's constructor,
// get_active_subnet and MBConvLayer do, with width_mult 1.2.
func transcribe(a Arch) module {
	base := []float64{16, 16, 24, 40, 80, 112, 160, 960, 1280}
	var width []int
	for _, b := range base {
		width = append(width, pyMakeDivisible(b*1.2, 8))
	}
	strides := []int{1, 2, 2, 2, 1, 2}
	se := []bool{false, false, true, false, true, true}
	m := module{c: 3, h: a.R, w: a.R}
	m.conv(width[0], 3, 2, 1, false) // first_conv
	m.bn()
	// first block: MBConvLayer(expand 1): no inverted bottleneck.
	m.conv(m.c, 3, strides[0], m.c, false)
	m.bn()
	m.conv(width[1], 1, 1, 1, false)
	m.bn()
	for s := range 5 {
		for j := range a.D[s] {
			slot := 4*s + j
			stride := 1
			if j == 0 {
				stride = strides[s+1]
			}
			mid := pyMakeDivisible(math.Round(float64(m.c*a.E[slot])), 8)
			m.conv(mid, 1, 1, 1, false)
			m.bn()
			m.conv(mid, a.KS[slot], stride, mid, false)
			m.bn()
			if se[s+1] {
				m.se()
			}
			m.conv(width[s+2], 1, 1, 1, false)
			m.bn()
		}
	}
	m.conv(width[7], 1, 1, 1, false) // final_expand_layer
	m.bn()
	m.h, m.w = 1, 1                  // global average pooling
	m.conv(width[8], 1, 1, 1, false) // feature_mix_layer: no bias, no BN
	// classifier: nn.Linear(1536, 1000) with bias
	m.ops += int64(m.c) * NumClasses
	m.params += int64(m.c)*NumClasses + NumClasses
	return m
}

func TestWidths(t *testing.T) {
	want := []int{24, 24, 32, 48, 96, 136, 192, 1152, 1536}
	got := []int{StemChannels, FirstBlockChannels}
	got = append(got, StageWidth[:]...)
	got = append(got, FinalExpandWidth, FeatureMixWidth)
	for i, b := range []float64{16, 16, 24, 40, 80, 112, 160, 960, 1280} {
		if w := pyMakeDivisible(b*WidthMult, 8); w != want[i] || got[i] != want[i] || MakeDivisible(b*WidthMult, 8) != w {
			t.Errorf("width %d: make_divisible(%v*1.2) = %d, constant %d, want %d", i, b, w, got[i], want[i])
		}
	}
}

func TestFLOPsParamsMatchFlopsCounterRules(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	archs := []Arch{MustParse(example)}
	for range 500 {
		archs = append(archs, Random(r))
	}
	lo, hi := Arch{R: 128}, Arch{R: 224}
	for i := range lo.D {
		lo.D[i], hi.D[i] = 2, 4
	}
	for i := range lo.KS {
		lo.KS[i], lo.E[i], hi.KS[i], hi.E[i] = 3, 3, 7, 6
	}
	archs = append(archs, lo, hi)
	for _, a := range archs {
		m := transcribe(a)
		if m.c != FeatureMixWidth {
			t.Fatalf("transcription ends with %d channels", m.c)
		}
		if FLOPs(a) != m.ops || Params(a) != m.params {
			t.Fatalf("%v: FLOPs %d params %d, flops_counter rules %d and %d", a, FLOPs(a), Params(a), m.ops, m.params)
		}
	}
	// The extremes of the space, for the record.
	if FLOPs(lo) != 65536896 || FLOPs(hi) != 843101040 || Params(lo) != 4602456 || Params(hi) != 10701632 {
		t.Errorf("extremes: FLOPs %d..%d, params %d..%d", FLOPs(lo), FLOPs(hi), Params(lo), Params(hi))
	}
}

func TestBlocks(t *testing.T) {
	a := MustParse(example)
	bs := Blocks(nil, a)
	if len(bs) != 11 {
		t.Fatalf("%d blocks", len(bs))
	}
	// r = 204: 102 after the stem, then 51, 26, 13, 13, 7.
	sizes := []int{51, 51, 26, 26, 13, 13, 13, 13, 7, 7, 7}
	for i, b := range bs {
		if b.OutSize != sizes[i] {
			t.Errorf("block %d out %d, want %d", i, b.OutSize, sizes[i])
		}
		if b.Residual != (b.Stride == 1 && b.In == b.Out) || b.Residual == (i == 0 || i == 2 || i == 4 || i == 6 || i == 8) {
			t.Errorf("block %d residual %v", i, b.Residual)
		}
	}
	if b := bs[6]; b.In != 96 || b.Out != 136 || b.Stride != 1 || b.E != 3 || b.Mid != 288 || b.SEMid != 72 || !b.SE || !b.HSwish || b.Residual {
		t.Errorf("block 6 = %+v", b)
	}
	if b := bs[2]; b.In != 32 || b.Mid != 192 || b.SEMid != 48 || !b.SE || b.HSwish {
		t.Errorf("block 2 = %+v", b)
	}
	if FinalSize(204) != 7 || FinalSize(224) != 7 || FinalSize(128) != 4 || FinalSize(196) != 7 {
		t.Errorf("final sizes %d %d %d", FinalSize(204), FinalSize(224), FinalSize(128))
	}
}
