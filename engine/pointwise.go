package engine

import "fmt"

// pointwise is a folded 1×1 stride-1 convolution with g groups: group i
// maps input channels i·cin/g.. to output channels i·cout/g... In CHW
// layout a group's input and output are contiguous, so each group is one
// packed GEMM (gemm.go) of its own weights, (cout/g)×(cin/g), by its
// packed input slice.
type pointwise struct {
	cin, cout, groups, n int // n = pixels
	a                    []packedA
	bias                 []float32 // cout
	relu                 bool      // ReLU after the bias (not with add)
}

// newPointwise folds and packs p (p.cin = input channels per group) for n
// pixels.
func newPointwise(p *convParams, groups, n int, relu bool) *pointwise {
	if p.k != 1 || p.cout%groups != 0 {
		panic(fmt.Sprintf("engine: pointwise: want k 1 and cout %d divisible by groups %d, got k %d", p.cout, groups, p.k))
	}
	pw := &pointwise{cin: p.cin * groups, cout: p.cout, groups: groups, n: n, relu: relu}
	w, bias := p.folded()
	pw.bias = bias
	og := p.cout / groups
	for g := 0; g < groups; g++ {
		pw.a = append(pw.a, packA(w[g*og*p.cin:(g+1)*og*p.cin], og, p.cin))
	}
	return pw
}

func (p *pointwise) inLen() int      { return p.cin * p.n }
func (p *pointwise) outLen() int     { return p.cout * p.n }
func (p *pointwise) scratchLen() int { return packedBLen(p.cin/p.groups, p.n) }
func (p *pointwise) macs() int64     { return int64(p.cout) * int64(p.n) * int64(p.cin/p.groups) }

// forward writes (add == false) or adds (add == true) the layer's output
// for x into dst; bs is scratch of at least scratchLen. ReLU (p.relu)
// applies only when writing.
func (p *pointwise) forward(dst, x, bs []float32, add bool) {
	if len(x) != p.inLen() || len(dst) != p.outLen() {
		panic(fmt.Sprintf("engine: pointwise %d→%d g%d: input len %d (want %d), output len %d (want %d)",
			p.cin, p.cout, p.groups, len(x), p.inLen(), len(dst), p.outLen()))
	}
	ig, og := p.cin/p.groups, p.cout/p.groups
	b := bs[:packedBLen(ig, p.n)]
	for g := 0; g < p.groups; g++ {
		pack1x1(b, x[g*ig*p.n:(g+1)*ig*p.n], ig, p.n, false)
		gemm(dst[g*og*p.n:(g+1)*og*p.n], p.a[g], b, p.n, p.bias[g*og:(g+1)*og], add)
	}
	if p.relu && !add {
		reluInPlace(dst)
	}
}

// reluInPlace sets x[i] = max(x[i], 0), unrolled by 4 (see ops.go).
func reluInPlace(x []float32) {
	i := 0
	for ; i+3 < len(x); i += 4 {
		v := (*[4]float32)(x[i:])
		v[0], v[1], v[2], v[3] = relu32(v[0]), relu32(v[1]), relu32(v[2]), relu32(v[3])
	}
	for ; i < len(x); i++ {
		x[i] = relu32(x[i])
	}
}

// channelShuffle writes PyTorch's ChannelShuffle(g) of the c-channel
// tensor x (hw pixels per channel) into dst: x viewed as g×(c/g) channel
// planes is transposed, so dst plane j·g+i is x plane i·(c/g)+j. Planes
// are contiguous, so this is c plane copies.
func channelShuffle(dst, x []float32, c, g, hw int) {
	if c%g != 0 || len(x) != c*hw || len(dst) != c*hw {
		panic(fmt.Sprintf("engine: channelShuffle: %d channels, %d groups, %d pixels, lens %d and %d", c, g, hw, len(x), len(dst)))
	}
	cg := c / g
	for i := 0; i < g; i++ {
		for j := 0; j < cg; j++ {
			copy(dst[(j*g+i)*hw:(j*g+i+1)*hw], x[(i*cg+j)*hw:(i*cg+j+1)*hw])
		}
	}
}
