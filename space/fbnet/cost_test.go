package fbnet

import (
	"math/rand/v2"
	"testing"
)

// slowCost counts MACs and parameters by transcribing HW-NAS-Bench's
// FBNet_Infer constructor (model_infer.py) literally: stages of
// num_layer_list layers, the first of each taking the previous width and
// the stage's stride; ConvBlock = conv1 1x1 (groups) + bn1, depthwise
// conv2 + bn2, conv3 1x1 (groups) + bn3; Skip = conv 1x1 + bn when
// stride 2 or widths differ.
func slowCost(a Arch) (macs, params int64) {
	numLayer := []int{1, 4, 4, 4, 4, 4, 1}
	numChannel := []int{16, 24, 32, 64, 112, 184, 352}
	stride := []int{1, 1, 2, 2, 1, 2, 1}
	exp := []int{1, 1, 3, 6, 1, 1, 3, 6}
	kernel := []int{3, 3, 3, 3, 5, 5, 5, 5}
	group := []int{1, 2, 1, 1, 1, 2, 1, 1}
	conv := func(h, cin, cout, k, s, g int) {
		oh := h / s
		macs += int64(oh * oh * cout * (cin / g) * k * k)
		params += int64(cout*(cin/g)*k*k) + 2*int64(cout) // + BN
	}
	h := 32
	conv(h, 3, 16, 3, 1, 1) // stem
	layer := 0
	for sid, n := range numLayer {
		for i := 0; i < n; i++ {
			cin, s := numChannel[sid], 1
			if i == 0 {
				s = stride[sid]
				if sid == 0 {
					cin = 16
				} else {
					cin = numChannel[sid-1]
				}
			}
			cout := numChannel[sid]
			op := int(a[layer])
			if op < 8 {
				mid := cin * exp[op]
				conv(h, cin, mid, 1, 1, group[op])
				conv(h, mid, mid, kernel[op], s, mid)
				conv(h/s, mid, cout, 1, 1, group[op])
			} else if s == 2 || cin != cout {
				conv(h, cin, cout, 1, s, 1)
			}
			h /= s
			layer++
		}
	}
	conv(h, 352, 1504, 1, 1, 1) // header
	macs += 1504*100 + 100      // fc weights and bias
	params += 1504*100 + 100
	return macs, params
}

func uniformArch(c Choice) Arch {
	var a Arch
	for i := range a {
		a[i] = c
	}
	return a
}

func TestFLOPsParams(t *testing.T) {
	archs := []Arch{}
	for c := range NumChoices {
		archs = append(archs, uniformArch(c))
	}
	archs = append(archs, MustParse(known[0].s), MustParse(known[1].s))
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		archs = append(archs, Random(r))
	}
	for _, a := range archs {
		m, p := slowCost(a)
		if got := FLOPs(a); got != m {
			t.Errorf("FLOPs(%v) = %d, want %d", a, got, m)
		}
		if got := Params(a); got != p {
			t.Errorf("Params(%v) = %d, want %d", a, got, p)
		}
	}
}

func TestFLOPsExtremes(t *testing.T) {
	// By hand for all skip: stem 1024*16*27; layer 1 identity; stage
	// entries are projections 16->24 at 32x32, 24->32 s2 (16x16 out),
	// 32->64 s2 (8x8), 64->112 (8x8), 112->184 s2 (4x4), 184->352 (4x4),
	// the rest identities; head 16*1504*352; fc 1504*100+100.
	skip := int64(1024*16*27 + 1024*24*16 + 256*32*24 + 64*64*32 + 64*112*64 +
		16*184*112 + 16*352*184 + 16*1504*352 + 1504*100 + 100)
	for _, tc := range []struct {
		a    Arch
		want int64
	}{
		{uniformArch(Skip), skip},
		{uniformArch(Skip), 11609060},
		{uniformArch(K5E6), 160926180},
	} {
		if got := FLOPs(tc.a); got != tc.want {
			t.Errorf("FLOPs(%v) = %d, want %d", tc.a, got, tc.want)
		}
	}
}

// TestFLOPsBounds checks the space's range as documented: layers are
// independent, so its minimum (maximum) is the sum of each layer's
// cheapest (dearest) choice. All k5_e6 is the maximum; all skip is not the
// minimum, since some stage entries cost less as a k3_e1_g2 block than as
// a projecting skip.
func TestFLOPsBounds(t *testing.T) {
	lo, hi := int64(stemMACs+headMACs+fcMACs), int64(stemMACs+headMACs+fcMACs)
	for _, l := range Skeleton() {
		mn, mx := costOf(l, 0).macs(), costOf(l, 0).macs()
		for c := range NumChoices {
			mn, mx = min(mn, costOf(l, c).macs()), max(mx, costOf(l, c).macs())
		}
		lo, hi = lo+mn, hi+mx
	}
	if lo != 11326820 || hi != FLOPs(uniformArch(K5E6)) {
		t.Errorf("space FLOPs range [%d, %d], want [11326820, all k5_e6 %d]", lo, hi, FLOPs(uniformArch(K5E6)))
	}
}

func TestRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var count [NumChoices]int
	const n = 2000
	for range n {
		for _, c := range Random(r) {
			if c >= NumChoices {
				t.Fatalf("Random gave choice %d", c)
			}
			count[c]++
		}
	}
	// Each choice has probability 1/9 over n*22 draws: mean 4889, sd 66.
	for c, k := range count {
		if want := n * NumLayers / int(NumChoices); k < want-400 || k > want+400 {
			t.Errorf("choice %v drawn %d times, want about %d", Choice(c), k, want)
		}
	}
}
