package predictor

import (
	"encoding/binary"
	"math"
	"runtime"

	"github.com/helpwasm/helpwasm/internal/affine32"
)

// Bulk prediction for the GCN encoder without redundant work.
//
// A GraphConvolution layer is linear before its ReLU: A (H W) sums rows of
// H W. Two nodes (in any architectures) whose layer-k inputs aggregate the
// same multiset of (weight, layer-(k-1) state) pairs have the same output,
// so a plan built once from the graphs (no parameters involved) numbers the
// distinct node states of every layer, and each layer multiplies only the
// distinct rows of the previous one, then aggregates by vector additions.
// On NAS-Bench-201 this cuts the GCN from 9 rows per architecture per
// layer to a few hundred shared rows (layers 1-2) and about 2 per
// architecture (layer 3). The last layer is needed only for the global node;
// it aggregates first and multiplies one row per architecture. The hardware
// half of fc3's input is the same for every architecture and is folded
// into a bias once per parameter vector. Products and aggregations are
// float32 affine32 calls: an aggregation is a weighted sum of rows, the
// same kernel as a product row with its nonzeros known.

// gcnPlan numbers the distinct node states of a batch of graphs.
type gcnPlan struct {
	n      int         // architectures
	inputs [][]float64 // distinct input feature rows (layer-0 states)
	// inputs32 is inputs packed row after row in float32, for the bulk
	// evaluation.
	inputs32 []float32
	// layers[k] describes the distinct states after GCN layer k+1 (all but
	// the last layer) as sums of weighted states of the layer before.
	layers []planSums
	last   planSums // per architecture: the global node's aggregation of the last full layer's states
}

// planSums is a CSR list: item u is sum over t in [start[u], start[u+1]) of
// weight[t] * row state[t] of the previous layer.
type planSums struct {
	start  []int32
	state  []int32
	weight []float64
	// For the float32 evaluation: weight, and the offset of the state's
	// row in a matrix of rows of width Hidden.
	coef32 []float32
	offs   []int32
	width  int32
}

func (s *planSums) count() int { return max(len(s.start)-1, 0) }

// equal reports whether item u consists of exactly the terms ts.
func (s *planSums) equal(u int32, ts []planTerm) bool {
	lo, hi := s.start[u], s.start[u+1]
	if int(hi-lo) != len(ts) {
		return false
	}
	for k, t := range ts {
		if s.state[int(lo)+k] != t.state || s.weight[int(lo)+k] != t.weight {
			return false
		}
	}
	return true
}

// termsHash mixes the terms' states and weight bits (a multiply-xorshift
// hash; equality is verified separately, so collisions only cost time).
func termsHash(ts []planTerm) uint64 {
	h := uint64(len(ts)) * 0x9e3779b97f4a7c15
	for _, t := range ts {
		h ^= uint64(uint32(t.state)) + 0x9e3779b97f4a7c15 + h<<6 + h>>2
		h ^= math.Float64bits(t.weight) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
		h *= 0x94d049bb133111eb
	}
	return h ^ h>>29
}

func termsKey(dst []byte, ts []planTerm) []byte {
	for _, t := range ts {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(t.state))
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(t.weight))
	}
	return dst
}

func (s *planSums) add(terms []planTerm) {
	if len(s.start) == 0 {
		s.start = append(s.start, 0)
	}
	for _, t := range terms {
		s.state = append(s.state, t.state)
		s.weight = append(s.weight, t.weight)
		s.coef32 = append(s.coef32, float32(t.weight))
		s.offs = append(s.offs, t.state*s.width)
	}
	s.start = append(s.start, int32(len(s.state)))
}

type planTerm struct {
	state  int32
	weight float64
}

// newGCNPlan builds the plan for encoded architectures xs under config c.
func newGCNPlan(c *Config, xs [][]float64) *gcnPlan { return newGCNPlanHash(c, xs, termsHash) }

// newGCNPlanHash is newGCNPlan with the state hash as a parameter, so tests
// can force collisions.
func newGCNPlanHash(c *Config, xs [][]float64, termsHash func([]planTerm) uint64) *gcnPlan {
	N, F := c.NumNodes, c.NodeFeatures
	p := &gcnPlan{n: len(xs)}
	ids := make([]int32, len(xs)*N)
	next := make([]int32, len(xs)*N)
	seen := map[string]int32{}
	var key []byte
	for a, x := range xs {
		for i := 0; i < N; i++ {
			key = key[:0]
			for _, v := range x[i*F : (i+1)*F] {
				key = binary.LittleEndian.AppendUint64(key, math.Float64bits(v))
			}
			id, ok := seen[string(key)]
			if !ok {
				id = int32(len(p.inputs))
				seen[string(key)] = id
				p.inputs = append(p.inputs, x[i*F:(i+1)*F])
			}
			ids[a*N+i] = id
		}
	}
	var terms []planTerm
	collect := func(x []float64, a, i int) []planTerm {
		A := x[N*F:]
		terms = terms[:0]
		for j := 0; j < N; j++ {
			if w := A[i*N+j]; w != 0 {
				terms = append(terms, planTerm{ids[a*N+j], w})
			}
		}
		// Canonical order: the sum does not depend on it.
		for i := 1; i < len(terms); i++ { // insertion sort: at most NumNodes terms
			for j := i; j > 0 && terms[j].state < terms[j-1].state; j-- {
				terms[j], terms[j-1] = terms[j-1], terms[j]
			}
		}
		// Merge repeated states.
		out := terms[:0]
		for _, t := range terms {
			if len(out) > 0 && out[len(out)-1].state == t.state {
				out[len(out)-1].weight += t.weight
				continue
			}
			out = append(out, t)
		}
		return out
	}
	const gcnLayers = 4
	for k := 0; k < gcnLayers-1; k++ {
		s := planSums{width: int32(c.Hidden)}
		// States are found by a 64-bit hash of their terms, verified
		// against the stored terms (string-keyed maps are slow in WASM).
		byHash := make(map[uint64]int32, len(xs))
		var collided map[string]int32
		for a, x := range xs {
			for i := 0; i < N; i++ {
				ts := collect(x, a, i)
				h := termsHash(ts)
				id, ok := byHash[h]
				if ok && !s.equal(id, ts) {
					if collided == nil {
						collided = map[string]int32{}
					}
					key = termsKey(key[:0], ts)
					id, ok = collided[string(key)]
					if !ok {
						id = int32(s.count())
						collided[string(key)] = id
						s.add(ts)
					}
				} else if !ok {
					id = int32(s.count())
					byHash[h] = id
					s.add(ts)
				}
				next[a*N+i] = id
			}
		}
		p.layers = append(p.layers, s)
		ids, next = next, ids
	}
	for _, row := range p.inputs {
		for _, v := range row {
			p.inputs32 = append(p.inputs32, float32(v))
		}
	}
	p.last.width = int32(c.Hidden)
	for a, x := range xs {
		p.last.add(collect(x, a, N-1))
	}
	return p
}

// maxStates is the largest number of distinct states of any full layer.
func (p *gcnPlan) maxStates() int {
	m := len(p.inputs)
	for i := range p.layers {
		m = max(m, p.layers[i].count())
	}
	return m
}

// gcnScratch holds bulk prediction buffers, grown on demand. The bulk
// path runs in float32 (the shipped weights are float32 already): its
// products go through affine32, whose AVX2/FMA kernel is what brings 10
// Monte-Carlo samples of all 15,625 cells under a second.
type gcnScratch struct {
	h, prod []float32
	weights []float32 // this parameter vector's bulk weights (see bulkWeights)
	zeros   []float32 // a zero bias for the GCN products (their bias is added after aggregation)
	hw, hwh []float64 // hardware branch activations
	bias3   []float64 // fc3's bias plus its hardware half applied to the embedding
	workers []workerScratch
	run     bulkRun // reused: the state the goroutines share is not allocated per call
}

// workerScratch is one goroutine's share of the bulk buffers.
type workerScratch struct {
	g, y3, y4 []float32
	aff       affine32.Scratch
}

func grow[T float32 | float64](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// headChunk bounds the rows the head evaluates at once.
const headChunk = 512

// parallelMin is the number of rows from which bulk prediction splits work
// across GOMAXPROCS goroutines (below it, or with one processor as in
// WebAssembly, everything runs inline without allocating).
const parallelMin = 4096

// bulkWeights are one parameter vector's weights in float32, laid out
// [in][out] for affine32: the GCN layers, fc3's architecture half (its
// hardware half is folded into bias3), fc4 and fc5. They are views into
// gcnScratch.weights.
type bulkWeights struct {
	gcnW, gcnB [][]float32
	w3, bias3  []float32
	w4, b4     []float32
	w5         []float32
	b5         float32
}

// bulkRun is one evaluation of a plan under one parameter vector.
type bulkRun struct {
	c   *Config
	p   *gcnPlan
	bw  bulkWeights
	s   *gcnScratch
	dst []float64
	// current layer
	in, out   int
	cur, prod []float32
	next      []float32
	ps        *planSums
	layer     int
}

// split runs f over [0, n) in contiguous ranges, one per worker, in
// parallel when n is large enough. The result does not depend on the
// split: every row is computed the same way.
func (r *bulkRun) split(n int, f func(r *bulkRun, w, lo, hi int)) {
	workers := len(r.s.workers)
	if workers == 1 || n < parallelMin {
		f(r, 0, 0, n)
		return
	}
	done := make(chan struct{}, workers)
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		go func() {
			f(r, w, lo, hi)
			done <- struct{}{}
		}()
	}
	for range workers {
		<-done
	}
}

// multiplyRows sets prod rows [lo, hi) = cur rows W (no bias: it is added
// once per aggregated row).
func multiplyRows(r *bulkRun, w, lo, hi int) {
	affine32.Rows(r.prod[lo*r.out:hi*r.out], r.cur[lo*r.in:hi*r.in], hi-lo, r.in, r.out,
		r.bw.gcnW[r.layer], r.s.zeros[:r.out], false, &r.s.workers[w].aff)
}

// aggregateRows sets next rows [lo, hi) = ReLU(sum of weighted prod rows + b).
func aggregateRows(r *bulkRun, _, lo, hi int) {
	ps, out := r.ps, r.out
	b := r.bw.gcnB[r.layer]
	for u := lo; u < hi; u++ {
		t0, t1 := ps.start[u], ps.start[u+1]
		affine32.Combine(r.next[u*out:(u+1)*out], b, r.prod, ps.coef32[t0:t1], ps.offs[t0:t1], true)
	}
}

// headRows evaluates the last GCN layer (global node) and the head for
// architectures [lo, hi), ADDING the predictions to dst.
func headRows(r *bulkRun, w, lo, hi int) {
	h, hd := r.c.Hidden, r.c.headDim()
	ws := &r.s.workers[w]
	bw := &r.bw
	last := len(bw.gcnW) - 1
	p := r.p
	for c0 := lo; c0 < hi; c0 += headChunk {
		c1 := min(c0+headChunk, hi)
		n := c1 - c0
		// Last GCN layer, global node only: aggregate, then multiply.
		g := ws.g[:n*h]
		for a := c0; a < c1; a++ {
			t0, t1 := p.last.start[a], p.last.start[a+1]
			affine32.Combine(g[(a-c0)*h:(a-c0+1)*h], r.s.zeros, r.cur, p.last.coef32[t0:t1], p.last.offs[t0:t1], false)
		}
		gcn := ws.y4[:n*h]
		affine32.Rows(gcn, g, n, h, h, bw.gcnW[last], bw.gcnB[last], true, &ws.aff)
		// fc3 (arch half + folded bias), fc4, fc5.
		y3 := ws.y3[:n*hd]
		affine32.Rows(y3, gcn, n, h, hd, bw.w3, bw.bias3, true, &ws.aff)
		y4 := ws.y4[:n*hd]
		affine32.Rows(y4, y3, n, hd, hd, bw.w4, bw.b4, true, &ws.aff)
		for i := 0; i < n; i++ {
			acc := bw.b5
			for j, v := range y4[i*hd : (i+1)*hd] {
				acc += v * bw.w5[j]
			}
			r.dst[c0+i] += float64(acc)
		}
	}
}

// loadBulkWeights converts parameter vector th (and the device's
// embedding, through the hardware branch) into float32 bulk weights in bw,
// whose views point into s.weights.
func loadBulkWeights(bw *bulkWeights, s *gcnScratch, c *Config, l *layout, th, embedding []float64) {
	h, hd := c.Hidden, c.headDim()
	size := hd + hd*hd + hd + hd + 1 + h*hd
	for _, d := range l.arch {
		size += d.in*d.out + d.out
	}
	s.weights = grow(s.weights, size)
	buf := s.weights
	take := func(n int) []float32 {
		v := buf[:n:n]
		buf = buf[n:]
		return v
	}
	to32 := func(dst []float32, src []float64) {
		for i, v := range src {
			dst[i] = float32(v)
		}
	}
	bw.gcnW, bw.gcnB = bw.gcnW[:0], bw.gcnB[:0]
	for _, d := range l.arch {
		W, b := take(d.in*d.out), take(d.out)
		to32(W, d.weight(th)) // GCN weights are already [in][out]
		to32(b, d.bias(th))
		bw.gcnW, bw.gcnB = append(bw.gcnW, W), append(bw.gcnB, b)
	}
	fc3, fc4, fc5 := l.head[0], l.head[1], l.head[2]
	W3 := fc3.weight(th) // [out][in]: in = arch half, then hardware half
	bias3 := append(s.bias3[:0], fc3.bias(th)...)
	if c.HWEmbed {
		s.hw, s.hwh = grow(s.hw, h), grow(s.hwh, h)
		hin := embedding
		for _, d := range l.hw {
			d.forward(s.hw, hin, 1, th, nil)
			relu(s.hwh, s.hw)
			hin = s.hwh
		}
		for o := 0; o < hd; o++ {
			row := W3[o*hd+h : (o+1)*hd]
			acc := 0.0
			for i, v := range row {
				acc += v * s.hwh[i]
			}
			bias3[o] += acc
		}
	}
	s.bias3 = bias3
	bw.bias3 = take(hd)
	to32(bw.bias3, bias3)
	bw.w3 = take(h * hd)
	transposeTo32(bw.w3, W3, hd, h, hd) // the architecture half: columns [0, h)
	bw.w4, bw.b4 = take(hd*hd), take(hd)
	transposeTo32(bw.w4, fc4.weight(th), hd, hd, hd)
	to32(bw.b4, fc4.bias(th))
	bw.w5 = take(hd)
	to32(bw.w5, fc5.weight(th))
	bw.b5 = float32(fc5.bias(th)[0])
}

// transposeTo32 sets dst [cols][rows] to the transpose of the first cols
// columns of src (rows of stride values), in float32.
func transposeTo32(dst []float32, src []float64, rows, cols, stride int) {
	for r := 0; r < rows; r++ {
		for c, v := range src[r*stride : r*stride+cols] {
			dst[c*rows+r] = float32(v)
		}
	}
}

// predictPlanTo ADDS to dst[a] the prediction of architecture a of the plan
// under parameters th.
func predictPlanTo(dst []float64, c *Config, l *layout, p *gcnPlan, th, embedding []float64, s *gcnScratch) {
	h, hd := c.Hidden, c.headDim()
	first := l.arch[0]
	if len(s.workers) == 0 {
		s.workers = make([]workerScratch, max(1, runtime.GOMAXPROCS(0)))
	}
	for i := range s.workers {
		ws := &s.workers[i]
		ws.g = grow(ws.g, headChunk*max(h, hd))
		ws.y3 = grow(ws.y3, headChunk*hd)
		ws.y4 = grow(ws.y4, headChunk*max(h, hd))
	}
	s.h = grow(s.h, p.maxStates()*max(h, first.in))
	s.prod = grow(s.prod, p.maxStates()*h)
	s.zeros = grow(s.zeros, h)
	r := &s.run
	*r = bulkRun{c: c, p: p, s: s, dst: dst, bw: r.bw} // keep bw's slices
	loadBulkWeights(&r.bw, s, c, l, th, embedding)
	// Layers 1..3: multiply the distinct rows, aggregate, ReLU.
	nPrev := len(p.inputs)
	r.cur = p.inputs32
	for k := range p.layers {
		r.layer, r.in, r.out = k, l.arch[k].in, l.arch[k].out
		r.prod = s.prod[:nPrev*r.out]
		r.split(nPrev, multiplyRows)
		r.ps = &p.layers[k]
		nNext := r.ps.count()
		// next may overwrite cur: prod no longer needs it.
		r.next = s.h[:nNext*r.out]
		r.split(nNext, aggregateRows)
		r.cur, nPrev = r.next, nNext
	}
	r.split(p.n, headRows)
}
