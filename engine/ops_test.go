package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// randTensor returns n values uniform in [-1, 1), about a third negative
// enough to exercise ReLU.
func randTensor(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(2*rng.Float64() - 1)
	}
	return v
}

// refAddTo returns base + y elementwise, for checking add mode.
func refAddTo(base []float32, y refTensor) []float64 {
	out := make([]float64, len(y.v))
	for i := range out {
		out[i] = float64(base[i]) + y.v[i]
	}
	return out
}

func TestConvMatchesReference(t *testing.T) {
	cases := []struct {
		cin, cout, size, k, stride, pad int
		relu                            bool
		algo                            convAlgo
	}{
		{3, 16, 32, 3, 1, 1, false, im2colGEMM}, // stem
		{16, 16, 32, 3, 1, 1, true, winograd},
		{32, 32, 16, 3, 1, 1, true, winograd},
		{64, 64, 8, 3, 1, 1, true, winograd},
		{16, 16, 32, 3, 1, 1, true, winograd4},
		{32, 32, 16, 3, 1, 1, true, winograd4},
		{64, 64, 8, 3, 1, 1, true, winograd4},
		{5, 7, 12, 3, 1, 1, true, winograd4},
		{7, 3, 4, 3, 1, 1, false, winograd4},
		{16, 16, 32, 3, 1, 1, true, im2colGEMM},
		{64, 64, 8, 3, 1, 1, true, im2colGEMM},
		{16, 16, 32, 1, 1, 0, true, im2colGEMM},
		{32, 32, 16, 1, 1, 0, true, im2colGEMM},
		{64, 64, 8, 1, 1, 0, true, im2colGEMM},
		{16, 32, 32, 3, 2, 1, true, im2colGEMM}, // reduction conv_a
		{32, 64, 16, 3, 2, 1, true, im2colGEMM},
		// Ragged shapes: cout not a multiple of mr, pixel and tile counts
		// not multiples of nr, odd sizes.
		{3, 5, 7, 3, 1, 1, true, im2colGEMM},
		{5, 7, 6, 3, 1, 1, true, winograd},
		{7, 3, 10, 3, 1, 1, false, winograd},
		{5, 6, 9, 3, 2, 1, true, im2colGEMM},
		{6, 5, 5, 1, 1, 0, true, im2colGEMM},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	g := newParamGen(9)
	for _, tc := range cases {
		for _, add := range []bool{false, true} {
			name := fmt.Sprintf("%d-%d_%dx%d_k%ds%d_relu%v_algo%d_add%v", tc.cin, tc.cout, tc.size, tc.size, tc.k, tc.stride, tc.relu, tc.algo, add)
			t.Run(name, func(t *testing.T) {
				p := g.conv(tc.cin, tc.cout, tc.k, true)
				c := newConv(&p, convSpec{h: tc.size, w: tc.size, stride: tc.stride, pad: tc.pad, reluIn: tc.relu, algo: tc.algo})
				x := randTensor(rng, c.inLen())
				x0 := append([]float32(nil), x...)
				dst := randTensor(rng, c.outLen())
				base := append([]float32(nil), dst...)
				bl, ml := c.scratchLen()
				// Scratch full of garbage: layers must not depend on its contents.
				bs, ms := randTensor(rng, bl), randTensor(rng, ml)
				c.forward(dst, x, bs, ms, add)

				xr := refFrom32(x, tc.cin, tc.size, tc.size)
				if tc.relu {
					xr = refReLU(xr)
				}
				want := refBN(refConv(xr, &p, tc.stride, tc.pad), p.bn)
				if want.h != c.oh || want.w != c.ow {
					t.Fatalf("output %d×%d, reference %d×%d", c.oh, c.ow, want.h, want.w)
				}
				if add {
					checkScaled(t, "dst", dst, refAddTo(base, want), scaledTol)
				} else {
					checkScaled(t, "dst", dst, want.v, scaledTol)
				}
				checkIdentical(t, "input", x, x0)
			})
		}
	}
}

func TestShortcutMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := newParamGen(10)
	for _, tc := range []struct{ cin, cout, size int }{{16, 32, 32}, {32, 64, 16}, {5, 7, 6}} {
		p := g.conv(tc.cin, tc.cout, 1, false)
		c := newConv(&p, convSpec{h: tc.size, w: tc.size, stride: 1, avgPool2: true})
		x := randTensor(rng, c.inLen())
		dst := randTensor(rng, c.outLen())
		base := append([]float32(nil), dst...)
		bl, ml := c.scratchLen()
		c.forward(dst, x, make([]float32, bl), make([]float32, ml), true)
		want := refConv(refAvgPool(refFrom32(x, tc.cin, tc.size, tc.size), 2, 2, 0), &p, 1, 0)
		checkScaled(t, fmt.Sprintf("shortcut %v", tc), dst, refAddTo(base, want), scaledTol)
	}
}

func TestReductionMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for s := 1; s < numStages; s++ {
		n := New(nasbench201.Arch{}, uint64(s)) // any arch; only the block is used
		p := newParams(n.arch, uint64(s))
		in, out := stageChannels[s-1], stageChannels[s]
		size := stageSize[s-1]
		x := randTensor(rng, in*size*size)
		dst := randTensor(rng, out*size*size/4)
		n.reds[s-1].forward(dst, x, n.bs, n.ms)
		want := refReduction(&p.reds[s-1], refFrom32(x, in, size, size))
		checkScaled(t, fmt.Sprintf("reduction %d", s), dst, want.v, scaledTol)
	}
}

func TestHeadMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := New(nasbench201.Arch{}, 4)
	p := newParams(n.arch, 4)
	x := randTensor(rng, finalChannels*finalSpatial*finalSpatial)
	n.head(x)
	want := refHead(p, refFrom32(x, finalChannels, finalSpatial, finalSpatial))
	checkScaled(t, "logits", n.Output(), want, scaledTol)
}

func TestAvgPool3x3MatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct{ ch, h, w int }{{16, 32, 32}, {64, 8, 8}, {3, 1, 1}, {2, 1, 5}, {2, 4, 2}, {3, 7, 5}} {
		for _, add := range []bool{false, true} {
			x := randTensor(rng, tc.ch*tc.h*tc.w)
			dst := randTensor(rng, len(x))
			base := append([]float32(nil), dst...)
			avgPool3x3(dst, x, tc.ch, tc.h, tc.w, add, make([]float32, avgPoolScratchLen(tc.h, tc.w)))
			want := refAvgPool(refFrom32(x, tc.ch, tc.h, tc.w), 3, 1, 1)
			what := fmt.Sprintf("avgpool %v add=%v", tc, add)
			if add {
				checkScaled(t, what, dst, refAddTo(base, want), scaledTol)
			} else {
				checkScaled(t, what, dst, want.v, scaledTol)
			}
		}
	}
}

func TestZeroAndSkip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := randTensor(rng, 103) // not a multiple of 4: unrolled body and tail
	isNaN := func(i int) bool { return i == 17 || i == 101 }
	// x·0 propagates NaN, as PyTorch's x.mul(0.) does.
	x[17], x[101] = float32(math.NaN()), float32(math.NaN())
	for _, add := range []bool{false, true} {
		dst := randTensor(rng, len(x))
		base := append([]float32(nil), dst...)
		zeroOp(dst, x, add)
		for i, v := range dst {
			want := float32(0)
			if add {
				want = base[i]
			}
			if isNaN(i) {
				if !math.IsNaN(float64(v)) {
					t.Errorf("zero add=%v: dst[%d] = %v, want NaN from NaN·0", add, i, v)
				}
				continue
			}
			if v != want {
				t.Errorf("zero add=%v: dst[%d] = %v, want %v", add, i, v, want)
			}
		}
		dst = randTensor(rng, len(x))
		copy(base, dst)
		skipOp(dst, x, add)
		for i, v := range dst {
			want := x[i]
			if add {
				want += base[i]
			}
			if !isNaN(i) && v != want {
				t.Errorf("skip add=%v: dst[%d] = %v, want %v", add, i, v, want)
			}
		}
	}
}
