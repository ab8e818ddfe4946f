package webgpu

import (
	"fmt"
	"math/rand/v2"
)

// Check is one kernel run alone on random data: a one-dispatch plan and
// the interpreter's answer for its output buffer. The browser runs Plan on
// the GPU and compares with Want.
type Check struct {
	Name string
	Plan *Plan
	Want []float32
}

// KernelChecks returns one check per kernel kind and variant the
// NAS-Bench-201 plan uses (every convolution shape class, write and
// accumulate), on values from seed. Accumulating checks start from a
// random output.
func KernelChecks(seed uint64) []Check {
	rng := rand.New(rand.NewPCG(seed, 0x6b65726e656c73))
	uniform := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(2*rng.Float64() - 1)
		}
		return v
	}
	var checks []Check
	add := func(name string, b *builder, out int) {
		b.p.Output = out
		checks = append(checks, Check{Name: name, Plan: &b.p, Want: Interpret(&b.p)[out]})
	}
	convs := []struct {
		name                          string
		cin, cout, size, k, stride, p int
		relu, pool2, acc              bool
	}{
		{"stem conv3x3 3→16 32x32", 3, 16, 32, 3, 1, 1, false, false, false},
		{"cell conv3x3 16 32x32 relu", 16, 16, 32, 3, 1, 1, true, false, false},
		{"cell conv3x3 32 16x16 relu acc", 32, 32, 16, 3, 1, 1, true, false, true},
		{"cell conv1x1 64 8x8 relu", 64, 64, 8, 1, 1, 0, true, false, false},
		{"cell conv1x1 16 32x32 relu acc", 16, 16, 32, 1, 1, 0, true, false, true},
		{"reduction conv3x3/2 16→32 relu", 16, 32, 32, 3, 2, 1, true, false, false},
		{"reduction shortcut pool2 conv1x1 32→64 acc", 32, 64, 16, 1, 1, 0, false, true, true},
		{"odd shape conv3x3 5→20 7x7 relu acc", 5, 20, 7, 3, 1, 1, true, false, true},
	}
	for _, c := range convs {
		ih := c.size
		if c.pool2 {
			ih /= 2
		}
		oh := (ih+2*c.p-c.k)/c.stride + 1
		x, y0 := uniform(c.cin*c.size*c.size), uniform(c.cout*oh*oh)
		w, bias := uniform(c.cout*c.cin*c.k*c.k), uniform(c.cout)
		for _, algo := range ConvAlgos() {
			words, groups := convWords(c.cin, c.cout, c.size, c.size, oh, oh, c.k, algo)
			b := newBuilder()
			xb := b.buffer(Buffer{Name: "x", Kind: Activation, Floats: x})
			yb := b.buffer(Buffer{Name: "y", Kind: Activation, Floats: y0})
			spec := ConvSpec{K: c.k, Stride: c.stride, Pad: c.p, ReLUIn: c.relu, AvgPool2: c.pool2, Accumulate: c.acc, Algo: algo}
			b.dispatch(ConvKernel(spec), groups, words, xb, b.weights("w", convWeightsFor(w, c.cout, c.cin*c.k*c.k, algo)), b.weights("bias", bias), yb)
			b.p.Input = xb
			add(c.name+" "+algo.String(), b, yb)
		}
	}
	for _, acc := range []bool{false, true} {
		for _, shape := range [][2]int{{16, 32}, {7, 8}, {3, 4}} {
			ch, size := shape[0], shape[1]
			n := ch * size * size
			b := newBuilder()
			x := b.buffer(Buffer{Name: "x", Kind: Activation, Floats: uniform(n)})
			y := b.buffer(Buffer{Name: "y", Kind: Activation, Floats: uniform(n)})
			b.p.Input = x
			b.dispatch(AvgPool3Kernel(acc), avgPoolGroups(n), []uint32{uint32(ch), uint32(size), uint32(size), uint32(n)}, x, y)
			add(fmt.Sprintf("avgpool3 %dx%dx%d acc=%v", ch, size, size, acc), b, y)
		}
		for _, alpha := range []float32{0, 1} {
			n := 32 * 16 * 16
			b := newBuilder()
			x := b.buffer(Buffer{Name: "x", Kind: Activation, Floats: uniform(n)})
			y := b.buffer(Buffer{Name: "y", Kind: Activation, Floats: uniform(n)})
			b.p.Input = x
			b.dispatch(ScaleKernel(alpha, acc), scaleGroups(n), []uint32{uint32(n), 0, 0, 0}, x, y)
			add(fmt.Sprintf("scale %g (%s) acc=%v", alpha, map[float32]string{0: "none", 1: "skip"}[alpha], acc), b, y)
		}
	}
	{
		b := newBuilder()
		x := b.buffer(Buffer{Name: "x", Kind: Activation, Floats: uniform(64 * 64)})
		y := b.activation("pooled", 64)
		b.p.Input = x
		b.dispatch(GlobalPoolKernel(), [3]int{1, 1, 1}, []uint32{64, 64, 0, 0}, x, b.weights("scale", uniform(64)), b.weights("shift", uniform(64)), y)
		add("globalpool 64x8x8", b, y)
	}
	{
		b := newBuilder()
		x := b.buffer(Buffer{Name: "x", Kind: Activation, Floats: uniform(64)})
		y := b.activation("logits", 10)
		b.p.Input = x
		b.dispatch(LinearKernel(), [3]int{1, 1, 1}, []uint32{64, 10, 0, 0}, x, b.weights("w", uniform(640)), b.weights("b", uniform(10)), y)
		add("linear 64→10", b, y)
	}
	return checks
}
