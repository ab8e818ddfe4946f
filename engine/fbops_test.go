package engine

import (
	"fmt"
	"testing"
)

// Each FBNet op against the float64 reference (fbnet_test.go), with the
// tolerance scaledTol (1e-4 of the largest reference magnitude: float32
// sums of at most a few hundred terms, reordered).

func TestDepthwiseMatchesReference(t *testing.T) {
	g := newParamGen(5)
	for _, tc := range []struct{ ch, size, k, stride int }{
		{1, 1, 3, 1}, {3, 2, 3, 1}, {3, 2, 5, 2}, {2, 3, 5, 1}, {2, 3, 3, 2}, // tiny planes: border only
		{96, 32, 3, 1}, {96, 32, 5, 1}, {144, 32, 3, 2}, {144, 32, 5, 2},
		{32, 16, 3, 1}, {32, 7, 5, 1}, {5, 9, 3, 2}, {5, 9, 5, 2}, // odd sizes
		{184, 4, 5, 1}, {112, 8, 5, 2},
	} {
		t.Run(fmt.Sprintf("c%d_%dx%d_k%d_s%d", tc.ch, tc.size, tc.size, tc.k, tc.stride), func(t *testing.T) {
			p := g.conv(1, tc.ch, tc.k, true)
			d := newDepthwise(&p, tc.size, tc.size, tc.stride)
			x := g.uniform(d.inLen(), -1, 1)
			x0 := append([]float32(nil), x...)
			dst := g.uniform(d.outLen(), 5, 6) // garbage: forward must overwrite
			scratch := g.uniform(d.scratchLen(), 7, 8)
			d.forward(dst, x, scratch)
			want := refReLU(refBN(refGroupedConv(refFrom32(x, tc.ch, tc.size, tc.size), &p, tc.ch, tc.stride, tc.k/2), p.bn))
			if want.h != d.oh || want.w != d.ow {
				t.Fatalf("output %d×%d, reference %d×%d", d.oh, d.ow, want.h, want.w)
			}
			checkScaled(t, "depthwise", dst, want.v, scaledTol)
			checkIdentical(t, "input", x, x0)
			if d.macs() != int64(tc.ch*d.oh*d.ow*tc.k*tc.k) {
				t.Errorf("macs %d", d.macs())
			}
		})
	}
}

func TestPointwiseMatchesReference(t *testing.T) {
	g := newParamGen(6)
	for _, tc := range []struct {
		cin, cout, groups, size int
		relu, add               bool
	}{
		{16, 16, 1, 32, true, false}, {16, 16, 2, 32, true, false}, {24, 144, 1, 32, true, false},
		{184, 352, 1, 4, false, false}, {112, 112, 2, 8, false, true}, {6, 10, 2, 3, true, false},
		{352, 1504, 1, 4, true, false}, {92, 184, 2, 4, false, true}, {3, 5, 1, 1, false, false},
	} {
		t.Run(fmt.Sprintf("%dto%d_g%d_%dx%d_relu%v_add%v", tc.cin, tc.cout, tc.groups, tc.size, tc.size, tc.relu, tc.add), func(t *testing.T) {
			n := tc.size * tc.size
			p := g.conv(tc.cin/tc.groups, tc.cout, 1, true)
			pw := newPointwise(&p, tc.groups, n, tc.relu)
			x := g.uniform(pw.inLen(), -1, 1)
			x0 := append([]float32(nil), x...)
			dst := g.uniform(pw.outLen(), -1, 1)
			prior := refFrom32(dst, tc.cout, tc.size, tc.size)
			pw.forward(dst, x, make([]float32, pw.scratchLen()), tc.add)
			want := refBN(refGroupedConv(refFrom32(x, tc.cin, tc.size, tc.size), &p, tc.groups, 1, 0), p.bn)
			switch {
			case tc.add:
				want = refAdd(want, prior)
			case tc.relu:
				want = refReLU(want)
			}
			checkScaled(t, "pointwise", dst, want.v, scaledTol)
			checkIdentical(t, "input", x, x0)
			if pw.macs() != int64(tc.cout*n*tc.cin/tc.groups) {
				t.Errorf("macs %d", pw.macs())
			}
		})
	}
}

func TestChannelShuffle(t *testing.T) {
	g := newParamGen(7)
	for _, tc := range []struct{ c, groups, hw int }{{16, 2, 1024}, {24, 2, 4}, {12, 3, 5}, {4, 4, 1}, {6, 1, 2}} {
		x := g.uniform(tc.c*tc.hw, -1, 1)
		dst := make([]float32, len(x))
		channelShuffle(dst, x, tc.c, tc.groups, tc.hw)
		want := refShuffle(refFrom32(x, tc.c, 1, tc.hw), tc.groups)
		got := make([]float32, len(want.v))
		for i, v := range want.v {
			got[i] = float32(v)
		}
		checkIdentical(t, fmt.Sprintf("shuffle c%d g%d", tc.c, tc.groups), dst, got)
	}
	// PyTorch's example: 4 channels, 2 groups -> order 0, 2, 1, 3.
	x := []float32{0, 1, 2, 3}
	dst := make([]float32, 4)
	channelShuffle(dst, x, 4, 2, 1)
	checkIdentical(t, "shuffle 0123", dst, []float32{0, 2, 1, 3})
}

func TestReLUInPlace(t *testing.T) {
	x := []float32{-1, 2, -3, 4, 0, -0.5, 7}
	reluInPlace(x)
	checkIdentical(t, "relu", x, []float32{0, 2, 0, 4, 0, 0, 7})
}
