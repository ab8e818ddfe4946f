package engine

import (
	"math"
	"math/rand/v2"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// The network's parameters before batch-norm folding. New draws them from a
// seeded generator, folds them and packs them; the tests draw the same ones
// again and run them through a slow, unfolded float64 reference.

// bnEps is PyTorch's BatchNorm2d default epsilon, used by NAS-Bench-201.
const bnEps = 1e-5

// Widths and resolutions of the NAS-Bench-201 CIFAR skeleton.
const (
	inChannels    = 3
	inSize        = 32 // input is inChannels×inSize×inSize
	cellsPerStage = 5
	numStages     = 3
	numClasses    = 10
	stemChannels  = 16
	finalChannels = 64
	finalSpatial  = 8
)

// stageChannels and stageSize give each stage's width and resolution.
var (
	stageChannels = [numStages]int{16, 32, 64}
	stageSize     = [numStages]int{32, 16, 8}
)

// bnParams is one BatchNorm2d in inference mode.
type bnParams struct {
	gamma, beta, mean, variance []float32
}

// scaleShift returns the per-channel affine map the batch norm applies:
// y = x*scale + shift.
func (bn *bnParams) scaleShift(ch int) (scale, shift float64) {
	s := float64(bn.gamma[ch]) / math.Sqrt(float64(bn.variance[ch])+bnEps)
	return s, float64(bn.beta[ch]) - float64(bn.mean[ch])*s
}

// convParams is one bias-free convolution, optionally followed by a batch
// norm (bn == nil: none, as in the reduction block's shortcut).
type convParams struct {
	cin, cout, k int
	w            []float32 // cout×cin×k×k (PyTorch OIHW)
	bn           *bnParams
}

// cellParams holds the convolution of each conv edge; nil for the other ops,
// which have no parameters.
type cellParams struct {
	edges [nasbench201.NumEdges]*convParams
}

// reductionParams is the residual reduction block between stages.
type reductionParams struct {
	a, b, shortcut convParams
}

// netParams is every parameter of one network.
type netParams struct {
	arch  nasbench201.Arch
	stem  convParams
	cells [numStages][cellsPerStage]cellParams
	reds  [numStages - 1]reductionParams
	last  bnParams
	fcW   []float32 // numClasses×finalChannels
	fcB   []float32 // numClasses
}

// paramGen draws parameters from a local PCG stream (no global state), in
// a fixed order, so a seed and an architecture determine every weight.
type paramGen struct{ rng *rand.Rand }

func newParamGen(seed uint64) paramGen {
	return paramGen{rand.New(rand.NewPCG(seed, paramStream))}
}

// paramStream is the second PCG word of newParamGen: an arbitrary
// constant separating its stream from other users of the same seed
// (ofaGen offsets it per part of an OFA network).
const paramStream = 0x68656c7077617336

// uniform returns n values uniform in [lo, hi).
func (g paramGen) uniform(n int, lo, hi float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*g.rng.Float64())
	}
	return v
}

// bn draws a batch norm whose affine map is close to, but not, identity,
// so that folding errors show in the tests.
func (g paramGen) bn(c int) *bnParams {
	return &bnParams{
		gamma:    g.uniform(c, 0.8, 1.2),
		beta:     g.uniform(c, -0.1, 0.1),
		mean:     g.uniform(c, -0.1, 0.1),
		variance: g.uniform(c, 0.8, 1.2),
	}
}

// conv draws He-uniform weights, which keep activations of order one
// through the stack.
func (g paramGen) conv(cin, cout, k int, withBN bool) convParams {
	lim := math.Sqrt(6 / float64(cin*k*k))
	p := convParams{cin: cin, cout: cout, k: k, w: g.uniform(cout*cin*k*k, -lim, lim)}
	if withBN {
		p.bn = g.bn(cout)
	}
	return p
}

// newParams draws all parameters of arch's network from seed.
func newParams(arch nasbench201.Arch, seed uint64) *netParams {
	g := newParamGen(seed)
	p := &netParams{arch: arch}
	p.stem = g.conv(inChannels, stemChannels, 3, true)
	for s := 0; s < numStages; s++ {
		c := stageChannels[s]
		if s > 0 {
			prev := stageChannels[s-1]
			p.reds[s-1] = reductionParams{
				a:        g.conv(prev, c, 3, true),
				b:        g.conv(c, c, 3, true),
				shortcut: g.conv(prev, c, 1, false),
			}
		}
		for i := range p.cells[s] {
			for e, op := range arch {
				var k int
				switch op {
				case nasbench201.Conv1x1:
					k = 1
				case nasbench201.Conv3x3:
					k = 3
				default:
					continue
				}
				cp := g.conv(c, c, k, true)
				p.cells[s][i].edges[e] = &cp
			}
		}
	}
	p.last = *g.bn(finalChannels)
	lim := 1 / math.Sqrt(finalChannels)
	p.fcW = g.uniform(numClasses*finalChannels, -lim, lim)
	p.fcB = g.uniform(numClasses, -lim, lim)
	return p
}

// folded returns the weights and bias of p with its batch norm folded in:
// w' = w*scale per output channel, bias = shift. Without a batch norm the
// bias is nil.
func (p *convParams) folded() (w, bias []float32) {
	w = make([]float32, len(p.w))
	copy(w, p.w)
	if p.bn == nil {
		return w, nil
	}
	bias = make([]float32, p.cout)
	per := p.cin * p.k * p.k
	for co := 0; co < p.cout; co++ {
		scale, shift := p.bn.scaleShift(co)
		for i := co * per; i < (co+1)*per; i++ {
			w[i] = float32(float64(p.w[i]) * scale)
		}
		bias[co] = float32(shift)
	}
	return w, bias
}
