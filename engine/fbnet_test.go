package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/space/fbnet"
)

// The slow float64 FBNet reference, written from HW-NAS-Bench's
// model_infer.py (ConvBlock, Skip, ChannelShuffle, FBNet_Infer) with batch
// norms applied separately (not folded).

// refGroupedConv is a direct convolution with groups; p.cin is the input
// channels per group (PyTorch's weight layout).
func refGroupedConv(x refTensor, p *convParams, groups, stride, pad int) refTensor {
	oh := (x.h+2*pad-p.k)/stride + 1
	ow := (x.w+2*pad-p.k)/stride + 1
	y := newRef(p.cout, oh, ow)
	og := p.cout / groups
	for co := 0; co < p.cout; co++ {
		g := co / og
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				var s float64
				for ci := 0; ci < p.cin; ci++ {
					for ky := 0; ky < p.k; ky++ {
						for kx := 0; kx < p.k; kx++ {
							iy, ix := oy*stride+ky-pad, ox*stride+kx-pad
							if iy < 0 || iy >= x.h || ix < 0 || ix >= x.w {
								continue
							}
							s += float64(p.w[((co*p.cin+ci)*p.k+ky)*p.k+kx]) * x.at(g*p.cin+ci, iy, ix)
						}
					}
				}
				y.v[(co*oh+oy)*ow+ox] = s
			}
		}
	}
	return y
}

// refShuffle is ChannelShuffle: view (g, C/g, H, W), permute, view back.
func refShuffle(x refTensor, g int) refTensor {
	y := newRef(x.c, x.h, x.w)
	cg := x.c / g
	hw := x.h * x.w
	for c := 0; c < x.c; c++ {
		// Output channel c = j*g + i holds input channel i*cg + j.
		j, i := c/g, c%g
		copy(y.v[c*hw:(c+1)*hw], x.v[(i*cg+j)*hw:(i*cg+j+1)*hw])
	}
	return y
}

func refFBLayer(b *fbBlockParams, x refTensor) refTensor {
	l := b.shape
	switch {
	case b.proj != nil:
		return refReLU(refBN(refGroupedConv(x, b.proj, 1, l.Stride, 0), b.proj.bn))
	case b.choice == fbnet.Skip:
		return x
	}
	g, k := b.choice.Groups(), b.choice.Kernel()
	mid := l.In * b.choice.Expansion()
	y := refReLU(refBN(refGroupedConv(x, &b.expand, g, 1, 0), b.expand.bn))
	if g > 1 {
		y = refShuffle(y, g)
	}
	pad := (k - l.Stride + 1) / 2 // ceil((k - 1 + 1 - s)/2), model_infer.py
	y = refReLU(refBN(refGroupedConv(y, &b.dw, mid, l.Stride, pad), b.dw.bn))
	y = refBN(refGroupedConv(y, &b.project, g, 1, 0), b.project.bn)
	if l.In == l.Out && l.Stride == 1 {
		y = refAdd(y, x)
	}
	return y
}

func refFBForward(p *fbParams, input []float32) []float64 {
	x := refFrom32(input, fbnet.InputChannels, fbnet.InputSize, fbnet.InputSize)
	x = refReLU(refBN(refConv(x, &p.stem, 1, 1), p.stem.bn))
	for i := range p.blocks {
		x = refFBLayer(&p.blocks[i], x)
	}
	x = refReLU(refBN(refConv(x, &p.head, 1, 0), p.head.bn))
	pooled := make([]float64, x.c)
	for c := range pooled {
		for i := c * x.h * x.w; i < (c+1)*x.h*x.w; i++ {
			pooled[c] += x.v[i]
		}
		pooled[c] /= float64(x.h * x.w)
	}
	out := make([]float64, fbnet.NumClasses)
	for k := range out {
		s := float64(p.fcB[k])
		for c, v := range pooled {
			s += float64(p.fcW[k*fbnet.HeadChannels+c]) * v
		}
		out[k] = s
	}
	return out
}

func fbUniform(c fbnet.Choice) fbnet.Arch {
	var a fbnet.Arch
	for i := range a {
		a[i] = c
	}
	return a
}

// fbTestArchs covers every choice at every layer (the uniform networks)
// plus HELP's first two architectures and random ones.
func fbTestArchs(n int) []fbnet.Arch {
	var archs []fbnet.Arch
	for c := range fbnet.NumChoices {
		archs = append(archs, fbUniform(c))
	}
	archs = append(archs,
		fbnet.MustParse("k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2"),
		fbnet.MustParse("k5_e1_g2-k3_e6-k5_e1_g2-k5_e1_g2-k3_e1-k5_e1-k5_e6-k5_e1_g2-k5_e1_g2-k3_e3-k3_e1-k3_e3-k5_e1-k5_e1_g2-k3_e1_g2-k3_e6-k5_e6-k3_e3-k5_e3-k3_e1-k5_e1-k3_e1"))
	r := rand.New(rand.NewPCG(9, 9))
	for range n {
		archs = append(archs, fbnet.Random(r))
	}
	return archs
}

func TestFBNetMatchesReference(t *testing.T) {
	archs := fbTestArchs(2)
	if testing.Short() {
		// Under WASM the reference takes seconds per large network.
		archs = []fbnet.Arch{archs[fbnet.K5E1G2], archs[fbnet.Skip], archs[fbnet.NumChoices]}
	}
	for i, a := range archs {
		seed := uint64(200 + i)
		t.Run(a.String(), func(t *testing.T) {
			n := NewFBNet(a, seed)
			input := append([]float32(nil), n.Input()...)
			n.Forward()
			if len(n.Output()) != fbnet.NumClasses {
				t.Fatalf("output len %d, want %d", len(n.Output()), fbnet.NumClasses)
			}
			want := refFBForward(newFBParams(a, seed), input)
			checkScaled(t, "logits", n.Output(), want, scaledTol)
			checkIdentical(t, "input after Forward", n.Input(), input)
			first := append([]float32(nil), n.Output()...)
			n.Forward()
			checkIdentical(t, "second Forward", n.Output(), first)
		})
	}
}

func TestFBNetDeterministic(t *testing.T) {
	a := fbTestArchs(0)[fbnet.NumChoices]
	n1, n2, n3 := NewFBNet(a, 42), NewFBNet(a, 42), NewFBNet(a, 43)
	n1.Forward()
	n2.Forward()
	n3.Forward()
	checkIdentical(t, "same seed", n1.Output(), n2.Output())
	same := true
	for i := range n1.Output() {
		same = same && n1.Output()[i] == n3.Output()[i]
	}
	if same {
		t.Errorf("seeds 42 and 43 gave identical logits")
	}
}

func TestFBNetAllocatesNothing(t *testing.T) {
	for _, a := range fbTestArchs(0)[fbnet.NumChoices-1:] {
		n := NewFBNet(a, 1)
		n.Forward()
		if allocs := testing.AllocsPerRun(3, n.Forward); allocs != 0 {
			t.Errorf("%v: %v allocations per Forward, want 0", a, allocs)
		}
	}
}

func TestFBNetRejectsInvalidChoice(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewFBNet accepted a choice past NumChoices")
		}
	}()
	NewFBNet(fbnet.Arch{fbnet.NumChoices}, 1)
}

func TestFBNetMACsMatchSpaceFLOPs(t *testing.T) {
	// fbnet.FLOPs counts the same multiply-accumulates, from the skeleton
	// alone, plus the classifier's bias additions.
	for _, a := range fbTestArchs(30) {
		if got, want := NewFBNet(a, 1).MACs()+fbnet.NumClasses, fbnet.FLOPs(a); got != want {
			t.Errorf("%v: MACs+%d = %d, fbnet.FLOPs = %d", a, fbnet.NumClasses, got, want)
		}
	}
}
