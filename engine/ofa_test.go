package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/space/ofa"
)

// The slow float64 OFA MobileNetV3 reference, written from ofa_mbv3.py,
// MBConvLayer and SEModule (ofa/utils/layers.py, pytorch_modules.py)
// with batch norms applied separately (not folded).

func refHSwish(x refTensor) refTensor {
	y := newRef(x.c, x.h, x.w)
	for i, v := range x.v {
		y.v[i] = v * math.Min(math.Max(v+3, 0), 6) / 6
	}
	return y
}

func refHSigmoid(v float64) float64 { return math.Min(math.Max(v+3, 0), 6) / 6 }

func refAct(x refTensor, hswish bool) refTensor {
	if hswish {
		return refHSwish(x)
	}
	return refReLU(x)
}

// refLinear is y = W x + b (b nil: none) for row-major W.
func refLinear(w, b []float32, x []float64) []float64 {
	y := make([]float64, len(w)/len(x))
	for r := range y {
		var s float64
		for i, v := range x {
			s += float64(w[r*len(x)+i]) * v
		}
		if b != nil {
			s += float64(b[r])
		}
		y[r] = s
	}
	return y
}

func refMeans(x refTensor) []float64 {
	m := make([]float64, x.c)
	hw := x.h * x.w
	for c := range m {
		for _, v := range x.v[c*hw : (c+1)*hw] {
			m[c] += v
		}
		m[c] /= float64(hw)
	}
	return m
}

// refSE is SEModule.forward.
func refSE(s *seParams, x refTensor) refTensor {
	h := refLinear(s.reduceW, s.reduceB, refMeans(x))
	for i, v := range h {
		h[i] = math.Max(v, 0)
	}
	sc := refLinear(s.expandW, s.expandB, h)
	y := newRef(x.c, x.h, x.w)
	hw := x.h * x.w
	for c := 0; c < x.c; c++ {
		for i := c * hw; i < (c+1)*hw; i++ {
			y.v[i] = x.v[i] * refHSigmoid(sc[c])
		}
	}
	return y
}

// refOFABlock is ResidualBlock(MBConvLayer, shortcut).
func refOFABlock(b *ofaBlockParams, x refTensor) refTensor {
	s := b.shape
	e := refAct(refBN(refGroupedConv(x, &b.expand, 1, 1, 0), b.expand.bn), s.HSwish)
	d := refAct(refBN(refGroupedConv(e, &b.dw, s.Mid, s.Stride, s.K/2), b.dw.bn), s.HSwish)
	if b.se != nil {
		d = refSE(b.se, d)
	}
	y := refBN(refGroupedConv(d, &b.project, 1, 1, 0), b.project.bn)
	if s.Residual {
		y = refAdd(y, x)
	}
	return y
}

// refOFAForward is OFAMobileNetV3.forward on the active subnet.
func refOFAForward(p *ofaParams, input []float32) []float64 {
	r := p.arch.R
	x := refHSwish(refBN(refGroupedConv(refFrom32(input, 3, r, r), &p.stem, 1, 2, 1), p.stem.bn))
	d := refReLU(refBN(refGroupedConv(x, &p.firstDW, x.c, 1, 1), p.firstDW.bn))
	x = refAdd(refBN(refGroupedConv(d, &p.firstPW, 1, 1, 0), p.firstPW.bn), x)
	for i := range p.blocks {
		x = refOFABlock(&p.blocks[i], x)
	}
	x = refHSwish(refBN(refGroupedConv(x, &p.finalExpand, 1, 1, 0), p.finalExpand.bn))
	m := refLinear(p.mix.w, nil, refMeans(x))
	for i, v := range m {
		m[i] = v * math.Min(math.Max(v+3, 0), 6) / 6
	}
	return refLinear(p.fcW, p.fcB, m)
}

// ofaUniform is the architecture with every slot k, e, every depth d.
func ofaUniform(r, d, k, e int) ofa.Arch {
	a := ofa.Arch{R: r}
	for i := range a.D {
		a.D[i] = d
	}
	for i := range a.KS {
		a.KS[i], a.E[i] = k, e
	}
	return a
}

func TestDWConvMatchesReference(t *testing.T) {
	g := newParamGen(11)
	for _, tc := range []struct{ ch, size, k, stride int }{
		{1, 1, 7, 1}, {3, 2, 7, 2}, {2, 3, 7, 1}, {2, 5, 5, 2}, {2, 3, 3, 2}, // tiny planes: border only
		{24, 64, 3, 1}, {144, 51, 7, 2}, {96, 26, 5, 2}, {40, 13, 7, 1}, {16, 7, 7, 1},
		{8, 13, 3, 2}, {8, 26, 7, 2}, {5, 9, 5, 1}, {7, 56, 7, 2},
		// Rows long and short against 4- and 16-lane vectors, with and
		// without a ragged end.
		{6, 18, 3, 1}, {6, 26, 5, 1}, {4, 51, 7, 1}, {3, 70, 3, 1}, {2, 64, 5, 1},
	} {
		for _, a := range []act{actReLU, actHSwish} {
			t.Run(fmt.Sprintf("c%d_%dx%d_k%d_s%d_act%d", tc.ch, tc.size, tc.size, tc.k, tc.stride, a), func(t *testing.T) {
				p := g.conv(1, tc.ch, tc.k, true)
				d := newDWConv(&p, tc.size, tc.size, tc.stride, a)
				x := g.uniform(d.inLen(), -4, 4) // spans h-swish's three pieces
				x0 := append([]float32(nil), x...)
				dst := g.uniform(d.outLen(), 5, 6) // garbage: forward must overwrite
				scratch := g.uniform(d.scratchLen(), 7, 8)
				means := make([]float32, tc.ch)
				d.forward(dst, x, scratch, means)
				want := refAct(refBN(refGroupedConv(refFrom32(x, tc.ch, tc.size, tc.size), &p, tc.ch, tc.stride, tc.k/2), p.bn), a == actHSwish)
				if want.h != d.oh || want.w != d.ow {
					t.Fatalf("output %d×%d, reference %d×%d", d.oh, d.ow, want.h, want.w)
				}
				checkScaled(t, "depthwise", dst, want.v, scaledTol)
				checkScaled(t, "means", means, refMeans(want), scaledTol)
				checkIdentical(t, "input", x, x0)
				if d.macs() != int64(tc.ch*d.oh*d.ow*tc.k*tc.k) {
					t.Errorf("macs %d", d.macs())
				}
			})
		}
	}
}

func TestSEAndScaledPointwiseMatchReference(t *testing.T) {
	g := newParamGen(12)
	for _, tc := range []struct{ mid, se, out, size int }{{96, 24, 48, 26}, {544, 136, 136, 13}, {1152, 288, 192, 7}, {6, 8, 5, 3}} {
		t.Run(fmt.Sprintf("mid%d_se%d_out%d_%d", tc.mid, tc.se, tc.out, tc.size), func(t *testing.T) {
			sp := &seParams{mid: tc.mid, se: tc.se}
			sp.reduceW, sp.reduceB = g.linear(tc.mid, tc.se)
			sp.expandW, sp.expandB = g.linear(tc.se, tc.mid)
			// Larger weights than the default draw, so the h-sigmoid's
			// clamps are exercised.
			for i := range sp.expandW {
				sp.expandW[i] *= 8
			}
			s := newSEModule(sp)
			x := g.uniform(tc.mid*tc.size*tc.size, -1, 3)
			xr := refFrom32(x, tc.mid, tc.size, tc.size)
			means := make([]float32, tc.mid)
			for c, v := range refMeans(xr) {
				means[c] = float32(v)
			}
			scale := make([]float32, tc.mid)
			s.forward(scale, means, make([]float32, tc.se))
			pp := g.conv(tc.mid, tc.out, 1, true)
			n := tc.size * tc.size
			pw := newPointwise(&pp, 1, n, false)
			for _, add := range []bool{false, true} {
				dst := g.uniform(pw.outLen(), -1, 1)
				prior := refFrom32(dst, tc.out, tc.size, tc.size)
				pw.forwardScaled(dst, x, make([]float32, pw.scratchLen()), scale, add)
				want := refBN(refGroupedConv(refSE(sp, xr), &pp, 1, 1, 0), pp.bn)
				if add {
					want = refAdd(want, prior)
				}
				checkScaled(t, fmt.Sprintf("SE + project (add %v)", add), dst, want.v, scaledTol)
			}
			if s.macs() != int64(2*tc.mid*tc.se) {
				t.Errorf("macs %d", s.macs())
			}
		})
	}
}

func TestActivations(t *testing.T) {
	for _, v := range []float64{-5, -3, -2.5, -1, 0, 0.5, 2.9, 3, 4, 100} {
		if got, want := float64(hswish32(float32(v))), v*math.Min(math.Max(v+3, 0), 6)/6; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("hswish(%v) = %v, want %v", v, got, want)
		}
		if got, want := float64(hsigmoid32(float32(v))), refHSigmoid(v); math.Abs(got-want) > 1e-7 {
			t.Errorf("hsigmoid(%v) = %v, want %v", v, got, want)
		}
	}
}

// ofaTestArchs are extremes and random networks, small ones first.
func ofaTestArchs(n int) []ofa.Arch {
	archs := []ofa.Arch{
		ofaUniform(128, 2, 3, 3), ofaUniform(132, 4, 7, 6), ofaUniform(140, 3, 5, 4),
		ofa.MustParse("r=204;d=2,2,2,2,3;ks=7,5,5,5,7,7,5,7,5,7,3,7,5,3,7,3,5,3,5,3;e=6,4,4,6,6,3,4,3,3,6,3,3,3,6,3,4,6,4,3,6"),
	}
	r := rand.New(rand.NewPCG(31, 32))
	for range n {
		archs = append(archs, ofa.Random(r))
	}
	return archs
}

func TestOFAMatchesReference(t *testing.T) {
	// The example (k7 at stride 2, SE, h-swish, residuals) and a random
	// network beside the smallest; about 2-5 s each natively.
	all := ofaTestArchs(1)
	archs := []ofa.Arch{all[0], all[3], all[4]}
	if testing.Short() {
		archs = archs[:1]
	}
	for i, a := range archs {
		seed := uint64(300 + i)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			n := NewOFA(a, seed)
			input := append([]float32(nil), n.Input()...)
			n.Forward()
			if len(n.Output()) != ofa.NumClasses {
				t.Fatalf("output len %d", len(n.Output()))
			}
			want := refOFAForward(newOFAParams(a, seed), input)
			checkScaled(t, a.String(), n.Output(), want, scaledTol)
			checkIdentical(t, "input after Forward", n.Input(), input)
			first := append([]float32(nil), n.Output()...)
			n.Forward()
			checkIdentical(t, "second Forward", n.Output(), first)
		})
	}
}

func TestOFADeterministicAndAllocatesNothing(t *testing.T) {
	a := ofaTestArchs(0)[1]
	n1, n2, n3 := NewOFA(a, 42), NewOFA(a, 42), NewOFA(a, 43)
	n1.Forward()
	n2.Forward()
	n3.Forward()
	checkIdentical(t, "same seed", n1.Output(), n2.Output())
	if n1.Output()[0] == n3.Output()[0] && n1.Output()[1] == n3.Output()[1] {
		t.Errorf("seeds 42 and 43 gave identical logits")
	}
	if allocs := testing.AllocsPerRun(2, n1.Forward); allocs != 0 {
		t.Errorf("%v allocations per Forward, want 0", allocs)
	}
}

func TestNewOFARejectsInvalid(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewOFA accepted kernel 4")
		}
	}()
	a := ofaUniform(160, 2, 3, 3)
	a.KS[0] = 4
	NewOFA(a, 1)
}

// TestOFAMACsMatchSpaceFLOPs checks the engine's own count of the layers
// it built against ofa.FLOPs on 100 random networks and the extremes.
func TestOFAMACsMatchSpaceFLOPs(t *testing.T) {
	archs := ofaTestArchs(100)
	if testing.Short() {
		archs = archs[:10]
	}
	archs = append(archs, ofaUniform(224, 4, 7, 6))
	for _, a := range archs {
		if got, want := NewOFA(a, 1).MACs(), ofa.FLOPs(a); got != want {
			t.Errorf("%v: engine MACs %d, ofa.FLOPs %d", a, got, want)
		}
	}
}
