package engine

import (
	"fmt"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// Network is the NAS-Bench-201 CIFAR network of one cell architecture with
// fixed pseudo-random weights, ready to run. All buffers are allocated by
// New; Forward allocates nothing. A Network is not safe for concurrent use.
type Network struct {
	arch  nasbench201.Arch
	input []float32 // 3×32×32
	out   []float32 // 10 logits

	stem   *conv
	cells  [numStages][cellsPerStage]cell
	reds   [numStages - 1]reduction
	lastSc []float32 // lastact BN as a per-channel scale and shift
	lastSh []float32
	fcW    []float32 // numClasses×finalChannels
	fcB    []float32
	pooled []float32 // finalChannels

	// nodes[s] are the four node tensors of stage s's cells; node 0 is the
	// cell input, node 3 its output (swapped into node 0 after each cell).
	nodes [numStages][4][]float32
	bs    []float32 // packed input scratch, shared by all layers
	ms    []float32 // Winograd product scratch
	macs  int64
}

// cell is one cell's edge operations; convs[e] is set for conv edges.
type cell struct {
	ops   nasbench201.Arch
	convs [nasbench201.NumEdges]*conv
	ch    int
	size  int
}

// reduction is the residual block between stages: ReLU-conv3×3/2-BN,
// ReLU-conv3×3-BN, plus the shortcut avgpool2×2/2-conv1×1.
type reduction struct {
	a, b, shortcut *conv
	tmp            []float32 // output of a
}

// forward writes the block's output for input x into dst: the residual
// branch first, then the shortcut added on top.
func (r *reduction) forward(dst, x, bs, ms []float32) {
	r.a.forward(r.tmp, x, bs, ms, false)
	r.b.forward(dst, r.tmp, bs, ms, false)
	r.shortcut.forward(dst, x, bs, ms, true)
}

// winogradFor picks the Winograd variant for a 3×3 stride-1 layer with
// size×size output: F(4×4, 3×3) where the tiles fit (every layer of this
// network; the fastest at all three widths, see BenchmarkConv), else
// F(2×2, 3×3).
func winogradFor(size int) convAlgo {
	if size%4 == 0 {
		return winograd4
	}
	return winograd
}

// New builds arch's network with weights drawn from seed. The input buffer
// is filled with deterministic values from the same seed.
func New(arch nasbench201.Arch, seed uint64) *Network {
	for e, op := range arch {
		if op >= nasbench201.NumOps {
			panic(fmt.Sprintf("engine: New: edge %d has invalid op %d", e, op))
		}
	}
	p := newParams(arch, seed)
	n := &Network{arch: arch}
	n.input = newParamGen(^seed).uniform(inChannels*inSize*inSize, -1, 1)
	n.out = make([]float32, numClasses)
	n.stem = newConv(&p.stem, convSpec{h: inSize, w: inSize, stride: 1, pad: 1})
	layers := []*conv{n.stem}
	for s := 0; s < numStages; s++ {
		ch, size := stageChannels[s], stageSize[s]
		if s > 0 {
			rp := &p.reds[s-1]
			prevSize := stageSize[s-1]
			r := &n.reds[s-1]
			r.a = newConv(&rp.a, convSpec{h: prevSize, w: prevSize, stride: 2, pad: 1, reluIn: true})
			r.b = newConv(&rp.b, convSpec{h: size, w: size, stride: 1, pad: 1, reluIn: true, algo: winogradFor(size)})
			r.shortcut = newConv(&rp.shortcut, convSpec{h: prevSize, w: prevSize, stride: 1, avgPool2: true})
			r.tmp = make([]float32, ch*size*size)
			layers = append(layers, r.a, r.b, r.shortcut)
		}
		for i := range n.nodes[s] {
			n.nodes[s][i] = make([]float32, ch*size*size)
		}
		for i := range n.cells[s] {
			c := &n.cells[s][i]
			c.ops, c.ch, c.size = arch, ch, size
			for e, cp := range p.cells[s][i].edges {
				if cp == nil {
					continue
				}
				spec := convSpec{h: size, w: size, stride: 1, reluIn: true}
				if cp.k == 3 {
					spec.pad, spec.algo = 1, winogradFor(size)
				}
				c.convs[e] = newConv(cp, spec)
				layers = append(layers, c.convs[e])
			}
		}
	}
	var bl, ml int
	for _, l := range layers {
		b, m := l.scratchLen()
		bl, ml = max(bl, b), max(ml, m)
		n.macs += l.macs()
	}
	bl = max(bl, avgPoolScratchLen(inSize, inSize))
	n.bs = make([]float32, bl)
	n.ms = make([]float32, ml)
	n.lastSc = make([]float32, finalChannels)
	n.lastSh = make([]float32, finalChannels)
	for c := range n.lastSc {
		sc, sh := p.last.scaleShift(c)
		n.lastSc[c], n.lastSh[c] = float32(sc), float32(sh)
	}
	n.fcW, n.fcB = p.fcW, p.fcB
	n.pooled = make([]float32, finalChannels)
	n.macs += numClasses * finalChannels
	return n
}

// Arch returns the network's cell architecture.
func (n *Network) Arch() nasbench201.Arch { return n.arch }

// Input returns the network's input tensor (3×32×32, CHW). The caller may
// overwrite it between Forward calls; the slice stays valid for the
// Network's life.
func (n *Network) Input() []float32 { return n.input }

// Output returns the 10 logits of the last Forward. The slice is owned by
// the Network and overwritten by the next Forward.
func (n *Network) Output() []float32 { return n.out }

// MACs is the number of multiply-accumulates in the network's convolutions
// and classifier, counted as direct convolutions (FLOPs = 2·MACs).
func (n *Network) MACs() int64 { return n.macs }

// Forward runs the network on Input and leaves the logits in Output.
func (n *Network) Forward() {
	n.stem.forward(n.nodes[0][0], n.input, n.bs, n.ms, false)
	for s := 0; s < numStages; s++ {
		nodes := &n.nodes[s]
		if s > 0 {
			n.reds[s-1].forward(nodes[0], n.nodes[s-1][0], n.bs, n.ms)
		}
		for i := range n.cells[s] {
			n.cells[s][i].forward(nodes, n.bs, n.ms)
			nodes[0], nodes[3] = nodes[3], nodes[0]
		}
	}
	n.head(n.nodes[numStages-1][0])
}

// forward computes nodes 1..3 from node 0. Edges are in string order, which
// completes each node before any edge reads it.
func (c *cell) forward(nodes *[4][]float32, bs, ms []float32) {
	var written [4]bool
	for e, edge := range nasbench201.Edges {
		x, dst := nodes[edge.From], nodes[edge.To]
		add := written[edge.To]
		switch c.ops[e] {
		case nasbench201.None:
			zeroOp(dst, x, add)
		case nasbench201.SkipConnect:
			skipOp(dst, x, add)
		case nasbench201.AvgPool3x3:
			avgPool3x3(dst, x, c.ch, c.size, c.size, add, bs)
		default:
			c.convs[e].forward(dst, x, bs, ms, add)
		}
		written[edge.To] = true
	}
}

// head is lastact (BN, ReLU), global average pooling and the classifier.
func (n *Network) head(x []float32) {
	const hw = finalSpatial * finalSpatial
	for c := range n.pooled {
		sc, sh := n.lastSc[c], n.lastSh[c]
		var s float32
		for _, v := range x[c*hw : (c+1)*hw] {
			v = v*sc + sh
			if v > 0 {
				s += v
			}
		}
		n.pooled[c] = s / hw
	}
	for k := range n.out {
		w := n.fcW[k*finalChannels : (k+1)*finalChannels]
		s := n.fcB[k]
		for c, v := range n.pooled {
			s += w[c] * v
		}
		n.out[k] = s
	}
}
