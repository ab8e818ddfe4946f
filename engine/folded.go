package engine

import (
	"fmt"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// FoldedConv is one convolution of a NAS-Bench-201 network with its batch
// norm folded in exactly as New folds it (weights scaled per output channel
// in float64, rounded to float32; the shift becomes the bias), for other
// engines that must compute the same function (package engine/webgpu).
type FoldedConv struct {
	Cin, Cout, K, Stride, Pad int
	H, W                      int       // input spatial size (before AvgPool2)
	ReLUIn                    bool      // ReLU applied to the input first
	AvgPool2                  bool      // input 2×2/2 average-pooled first (reduction shortcut)
	Weights                   []float32 // Cout×Cin×K×K (OIHW), batch norm folded in
	Bias                      []float32 // len Cout; nil when the layer has no batch norm
}

// OutSize is the layer's output height and width.
func (c *FoldedConv) OutSize() (oh, ow int) {
	ih, iw := c.H, c.W
	if c.AvgPool2 {
		ih, iw = ih/2, iw/2
	}
	return (ih+2*c.Pad-c.K)/c.Stride + 1, (iw+2*c.Pad-c.K)/c.Stride + 1
}

// FoldedReduction is the residual block between stages: out = B(A(x)) +
// Shortcut(x).
type FoldedReduction struct{ A, B, Shortcut FoldedConv }

// FoldedNASBench201 is every parameter of New(arch, seed) after folding, and
// its input, in the order Forward uses them. Slices are fresh copies the
// caller owns.
type FoldedNASBench201 struct {
	Arch  nasbench201.Arch
	Input []float32 // 3×32×32, the Network's initial Input
	Stem  FoldedConv
	// Cells[s][i][e] is edge e's convolution in cell i of stage s; nil for
	// edges that are not convolutions.
	Cells      [3][5][nasbench201.NumEdges]*FoldedConv
	Reductions [2]FoldedReduction
	// LastScale and LastShift are lastact's batch norm as y = x*scale+shift
	// per channel (64), applied before its ReLU and the global pool.
	LastScale, LastShift []float32
	FCW                  []float32 // 10×64
	FCB                  []float32 // 10
	// StageChannels and StageSize are each stage's width and resolution.
	StageChannels, StageSize [3]int
	MACs                     int64 // as Network.MACs
}

// FoldNASBench201 returns the folded parameters of New(arch, seed). It
// panics on an invalid op, as New does.
func FoldNASBench201(arch nasbench201.Arch, seed uint64) *FoldedNASBench201 {
	for e, op := range arch {
		if op >= nasbench201.NumOps {
			panic(fmt.Sprintf("engine: FoldNASBench201: edge %d has invalid op %d", e, op))
		}
	}
	p := newParams(arch, seed)
	f := &FoldedNASBench201{
		Arch:          arch,
		Input:         newParamGen(^seed).uniform(inChannels*inSize*inSize, -1, 1), // as New
		StageChannels: stageChannels,
		StageSize:     stageSize,
		MACs:          numClasses * finalChannels,
	}
	fold := func(cp *convParams, h, stride, pad int, relu, pool bool) FoldedConv {
		w, b := cp.folded()
		c := FoldedConv{Cin: cp.cin, Cout: cp.cout, K: cp.k, Stride: stride, Pad: pad,
			H: h, W: h, ReLUIn: relu, AvgPool2: pool, Weights: w, Bias: b}
		oh, ow := c.OutSize()
		f.MACs += int64(c.Cout) * int64(oh*ow) * int64(c.Cin*c.K*c.K)
		return c
	}
	f.Stem = fold(&p.stem, inSize, 1, 1, false, false)
	for s := 0; s < numStages; s++ {
		size := stageSize[s]
		if s > 0 {
			rp, prev := &p.reds[s-1], stageSize[s-1]
			f.Reductions[s-1] = FoldedReduction{
				A:        fold(&rp.a, prev, 2, 1, true, false),
				B:        fold(&rp.b, size, 1, 1, true, false),
				Shortcut: fold(&rp.shortcut, prev, 1, 0, false, true),
			}
		}
		for i := range p.cells[s] {
			for e, cp := range p.cells[s][i].edges {
				if cp == nil {
					continue
				}
				c := fold(cp, size, 1, (cp.k-1)/2, true, false)
				f.Cells[s][i][e] = &c
			}
		}
	}
	f.LastScale = make([]float32, finalChannels)
	f.LastShift = make([]float32, finalChannels)
	for c := range f.LastScale {
		sc, sh := p.last.scaleShift(c)
		f.LastScale[c], f.LastShift[c] = float32(sc), float32(sh)
	}
	f.FCW = append([]float32(nil), p.fcW...)
	f.FCB = append([]float32(nil), p.fcB...)
	return f
}
