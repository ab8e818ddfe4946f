package webgpu

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// logitTol is the tolerance of the plan's logits against engine.Network's,
// relative to the largest logit magnitude: both are float32, with sums in
// a different order (direct against Winograd), so they agree to a few ulps
// of the accumulated values, far inside this.
const logitTol = approx.Float32

// checkScaled compares got with want after dividing both by
// max(1, max|want|).
func checkScaled(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	g, w := make([]float64, len(got)), make([]float64, len(want))
	for i := range got {
		g[i] = float64(got[i]) / scale
	}
	for i := range want {
		w[i] = float64(want[i]) / scale
	}
	approx.Slices(t, what, g, w, tol)
}

func uniformArch(op nasbench201.Op) nasbench201.Arch {
	var a nasbench201.Arch
	for i := range a {
		a[i] = op
	}
	return a
}

// testArchs are the uniform cells of every op plus n random ones.
func testArchs(n int, seed uint64) []nasbench201.Arch {
	var as []nasbench201.Arch
	for op := nasbench201.Op(0); op < nasbench201.NumOps; op++ {
		as = append(as, uniformArch(op))
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for range n {
		as = append(as, nasbench201.FromIndex(rng.IntN(nasbench201.NumArchs)))
	}
	return as
}

func TestInterpretMatchesEngine(t *testing.T) {
	n := 6
	if testing.Short() {
		n = 1
	}
	for i, a := range testArchs(n, 7) {
		seed := uint64(100 + i)
		// Alternate the convolution algorithm; both must agree with engine.
		p, err := BuildNASBench201With(a, seed, Options{Conv: ConvAlgo(i % 3)})
		if err != nil {
			t.Fatal(err)
		}
		net := engine.New(a, seed)
		net.Forward()
		got := Interpret(p)[p.Output]
		checkScaled(t, a.String(), got, net.Output(), logitTol)
		if p.MACs != net.MACs() {
			t.Errorf("%s: plan MACs %d, engine %d", a, p.MACs, net.MACs())
		}
	}
}

func TestPlanInvariants(t *testing.T) {
	for i, a := range testArchs(20, 3) {
		p, err := BuildNASBench201(a, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(p); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		// stem + 15 cells × 6 edges + 2 reductions × 3 + pool + classifier.
		if got := len(p.Dispatches); got != 1+15*6+2*3+2 {
			t.Errorf("%s: %d dispatches, want 99", a, got)
		}
		names := map[string]bool{}
		for _, k := range p.Kernels {
			if names[k.Name] {
				t.Errorf("%s: kernel %s twice", a, k.Name)
			}
			names[k.Name] = true
		}
		// Activations: input, 3 stages × 4 nodes, 2 reduction temporaries,
		// pooled, logits; each dispatch its own uniform buffer.
		var kinds [3]int
		for _, b := range p.Buffers {
			kinds[b.Kind]++
			if b.Kind == Weights && len(b.Floats) != b.Len {
				t.Errorf("%s: weights %s have %d of %d values", a, b.Name, len(b.Floats), b.Len)
			}
		}
		if kinds[Activation] != 1+12+2+2 || kinds[Uniform] != len(p.Dispatches) {
			t.Errorf("%s: %d activations, %d uniforms", a, kinds[Activation], kinds[Uniform])
		}
		if p.Buffers[p.Output].Len != 10 || p.Buffers[p.Input].Len != 3*32*32 {
			t.Errorf("%s: input %d, output %d elements", a, p.Buffers[p.Input].Len, p.Buffers[p.Output].Len)
		}
	}
	if _, err := BuildNASBench201(nasbench201.Arch{0, 0, 9, 0, 0, 0}, 1); err == nil {
		t.Error("invalid op: no error")
	}
}

// TestValidateCatches breaks a valid plan in each way Validate checks and
// requires an error naming the problem.
func TestValidateCatches(t *testing.T) {
	conv := func(p *Plan) *Dispatch { return &p.Dispatches[0] } // the stem
	cases := []struct {
		name, want string
		breakIt    func(p *Plan)
	}{
		{"too few pixel groups", "cover", func(p *Plan) { conv(p).Groups[0]-- }},
		{"too few groups in a later layer", "cover", func(p *Plan) {
			for i := len(p.Dispatches) - 1; ; i-- {
				if d := &p.Dispatches[i]; p.Kernels[d.Kernel].Kind == KindConv && d.Groups[0] > 1 {
					d.Groups[0]--
					return
				}
			}
		}},
		{"missing binding", "buffers for", func(p *Plan) { d := conv(p); d.Buffers = d.Buffers[1:] }},
		{"weights as output", "binding 3", func(p *Plan) { d := conv(p); d.Buffers[3] = d.Buffers[1] }},
		{"uniform as input", "binding 0", func(p *Plan) { d := conv(p); d.Buffers[0] = d.Buffers[4] }},
		{"input written too", "bound twice", func(p *Plan) { d := conv(p); d.Buffers[3] = d.Buffers[0] }},
		{"short output", "output buffer", func(p *Plan) { p.Buffers[conv(p).Buffers[3]].Len = 10 }},
		{"wrong shape words", "inconsistent", func(p *Plan) { p.Buffers[conv(p).Buffers[4]].Words[6] = 9 }},
		{"binding renamed in WGSL", "binding", func(p *Plan) {
			p.Kernels[0].WGSL = strings.Replace(p.Kernels[0].WGSL, "var<storage, read> wgt", "var<storage, read> wts", 1)
		}},
		{"binding access", "var<", func(p *Plan) {
			p.Kernels[0].WGSL = strings.Replace(p.Kernels[0].WGSL, "read_write> yout", "read> yout", 1)
		}},
		{"workgroup size", "@workgroup_size", func(p *Plan) { p.Kernels[0].Workgroup[0] = 32 }},
		{"too much shared memory", "workgroup memory", func(p *Plan) {
			tiled := ConvKernel(ConvSpec{K: 3, Stride: 1, Pad: 1, Algo: ConvTiled}).WGSL
			p.Kernels[0].WGSL = strings.Replace(tiled, "array<f32, 1024>", "array<f32, 4000>", 1)
		}},
		{"unbalanced", "but", func(p *Plan) { p.Kernels[0].WGSL += "}" }},
	}
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := BuildNASBench201(a, 1)
			if err != nil {
				t.Fatal(err)
			}
			c.breakIt(p)
			err = Validate(p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestInterpretCoverage: the interpreter follows the kernels' invocation
// mapping, so a dispatch one workgroup short leaves outputs unwritten.
func TestInterpretCoverage(t *testing.T) {
	for _, c := range KernelChecks(1) {
		if isNoneAcc(c) {
			continue
		}
		p := c.Plan
		p.Dispatches[0].Groups[0]--
		if p.Dispatches[0].Groups[0] == 0 {
			continue // a single workgroup: nothing to remove
		}
		got := Interpret(p)[p.Output]
		if approx.MaxRelErr(got, c.Want) == 0 {
			t.Errorf("%s: one workgroup fewer gives the same output", c.Name)
		}
	}
}

// isNoneAcc is the check of none accumulating into a node: y += x·0
// leaves y as it was.
func isNoneAcc(c Check) bool {
	k := c.Plan.Kernels[0]
	return k.Kind == KindScale && k.Alpha == 0 && k.Accumulate
}

func TestKernelChecks(t *testing.T) {
	kinds := map[Kind]int{}
	for _, c := range KernelChecks(1) {
		if err := Validate(c.Plan); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
		kinds[c.Plan.Kernels[0].Kind]++
		// The answer must differ from the output's initial contents, or
		// a GPU that did nothing would pass (except y += x·0, which is
		// that by definition).
		if isNoneAcc(c) {
			continue
		}
		init := make([]float32, len(c.Want))
		copy(init, c.Plan.Buffers[c.Plan.Output].Floats)
		if approx.MaxRelErr(c.Want, init) < 1e-3 {
			t.Errorf("%s: the expected output equals the initial one", c.Name)
		}
	}
	for k := KindConv; k < KindNoop; k++ {
		if kinds[k] == 0 {
			t.Errorf("no check of kernel kind %v", k)
		}
	}
}

// TestConvReference checks the interpreter's convolution against a direct
// loop written independently (no tiling, no invocation mapping) on the
// odd-shaped check, whose tiles are partial in both dimensions.
func TestConvReference(t *testing.T) {
	var c Check
	for _, k := range KernelChecks(2) {
		if strings.HasPrefix(k.Name, "odd shape") {
			c = k
		}
	}
	p := c.Plan
	d := p.Dispatches[0]
	x, w, bias, y0 := p.Buffers[d.Buffers[0]].Floats, p.Buffers[d.Buffers[1]].Floats, p.Buffers[d.Buffers[2]].Floats, p.Buffers[d.Buffers[3]].Floats
	const cin, cout, s = 5, 20, 7
	want := make([]float32, len(y0))
	for co := 0; co < cout; co++ {
		for oy := 0; oy < s; oy++ {
			for ox := 0; ox < s; ox++ {
				v := float64(bias[co])
				for ci := 0; ci < cin; ci++ {
					for ky := -1; ky <= 1; ky++ {
						for kx := -1; kx <= 1; kx++ {
							iy, ix := oy+ky, ox+kx
							if iy >= 0 && ix >= 0 && iy < s && ix < s {
								v += float64(w[((co*cin+ci)*3+ky+1)*3+kx+1]) * math.Max(float64(x[(ci*s+iy)*s+ix]), 0)
							}
						}
					}
				}
				i := (co*s+oy)*s + ox
				want[i] = float32(v) + y0[i]
			}
		}
	}
	approx.Slices(t, c.Name, c.Want, want, approx.Float32)
}

func TestEmptyLike(t *testing.T) {
	p, err := BuildNASBench201(uniformArch(nasbench201.Conv3x3), 1)
	if err != nil {
		t.Fatal(err)
	}
	e := EmptyLike(p)
	if err := Validate(e); err != nil {
		t.Fatal(err)
	}
	if len(e.Dispatches) != len(p.Dispatches) {
		t.Errorf("%d dispatches, want %d", len(e.Dispatches), len(p.Dispatches))
	}
	if got := Interpret(e)[e.Output][0]; got != float32(len(p.Dispatches)-1) {
		t.Errorf("noop output %v, want the last dispatch's index %d", got, len(p.Dispatches)-1)
	}
}

var benchPlan *Plan

// BenchmarkBuildNASBench201 is the native cost of building a plan (weights
// drawn and folded, WGSL generated), smallest and largest cells.
func BenchmarkBuildNASBench201(b *testing.B) {
	for _, op := range []nasbench201.Op{nasbench201.None, nasbench201.Conv3x3} {
		a := uniformArch(op)
		b.Run(op.String(), func(b *testing.B) {
			for b.Loop() {
				p, err := BuildNASBench201(a, 1)
				if err != nil {
					b.Fatal(err)
				}
				benchPlan = p
			}
		})
	}
}
