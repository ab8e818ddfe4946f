package predictor

import (
	"encoding/binary"
	"math"
	"runtime"
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
// into a bias once per parameter vector.

// gcnPlan numbers the distinct node states of a batch of graphs.
type gcnPlan struct {
	n      int         // architectures
	inputs [][]float64 // distinct input feature rows (layer-0 states)
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
		var s planSums
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

// gcnScratch holds bulk prediction buffers, grown on demand.
type gcnScratch struct {
	h, prod  []float64
	hw, hwh  []float64
	bias3    []float64
	wt3, wt4 []float64 // fc3 (arch half) and fc4 weights as [in][out]
	workers  []workerScratch
	run      bulkRun // reused: the state the goroutines share is not allocated per call
}

// workerScratch is one goroutine's share of the bulk buffers.
type workerScratch struct {
	g, y3, y4 []float64
	nz        []int32
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// headChunk bounds the rows the head evaluates at once.
const headChunk = 512

// parallelMin is the number of rows from which bulk prediction splits work
// across GOMAXPROCS goroutines (below it, or with one processor as in
// WebAssembly, everything runs inline without allocating).
const parallelMin = 4096

// bulkRun is one evaluation of a plan under one parameter vector.
type bulkRun struct {
	c   *Config
	l   *layout
	p   *gcnPlan
	th  []float64
	s   *gcnScratch
	dst []float64
	// current layer
	d         dense
	cur, prod []float64
	out       []float64
	ps        *planSums
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

// multiplyRows sets prod rows [lo, hi) = cur rows W (GCN weights are
// already [in][out]).
func multiplyRows(r *bulkRun, w, lo, hi int) {
	d := r.d
	affineSkipZeros(r.prod[lo*d.out:hi*d.out], r.cur[lo*d.in:hi*d.in], hi-lo, d.in, d.out, d.weight(r.th), nil, r.s.workers[w].nz)
}

// aggregateRows sets out rows [lo, hi) = ReLU(sum of weighted prod rows + b).
func aggregateRows(r *bulkRun, _, lo, hi int) {
	d, ps, prod := r.d, r.ps, r.prod
	b := d.bias(r.th)
	for u := lo; u < hi; u++ {
		o := r.out[u*d.out : (u+1)*d.out]
		copy(o, b)
		for t := ps.start[u]; t < ps.start[u+1]; t++ {
			w := ps.weight[t]
			src := prod[int(ps.state[t])*d.out : int(ps.state[t]+1)*d.out]
			if w == 1 {
				for c, v := range src {
					o[c] += v
				}
			} else {
				for c, v := range src {
					o[c] += w * v
				}
			}
		}
		for c, v := range o {
			if v < 0 {
				o[c] = 0
			}
		}
	}
}

// headRows evaluates the last GCN layer (global node) and the head for
// architectures [lo, hi), ADDING the predictions to dst.
func headRows(r *bulkRun, w, lo, hi int) {
	c, l, th, s := r.c, r.l, r.th, r.s
	ws := &s.workers[w]
	h, hd := c.Hidden, c.headDim()
	last := l.arch[len(l.arch)-1]
	fc4, fc5 := l.head[1], l.head[2]
	W4, b4 := last.weight(th), last.bias(th)
	w5, b5 := fc5.weight(th), fc5.bias(th)[0]
	p := r.p
	for c0 := lo; c0 < hi; c0 += headChunk {
		c1 := min(c0+headChunk, hi)
		n := c1 - c0
		// Last GCN layer, global node only: aggregate, then multiply.
		g := ws.g[:n*h]
		clear(g)
		for a := c0; a < c1; a++ {
			z := g[(a-c0)*h : (a-c0+1)*h]
			for t := p.last.start[a]; t < p.last.start[a+1]; t++ {
				wt := p.last.weight[t]
				src := r.cur[int(p.last.state[t])*h : int(p.last.state[t]+1)*h]
				for j, v := range src {
					z[j] += wt * v
				}
			}
		}
		pre := ws.y4[:n*h]
		affineSkipZeros(pre, g, n, h, h, W4, b4, ws.nz)
		relu(g, pre)
		// fc3 (arch half + folded bias), fc4, fc5.
		y3 := ws.y3[:n*hd]
		affineSkipZeros(y3, g, n, h, hd, s.wt3, s.bias3, ws.nz)
		relu(y3, y3)
		y4 := ws.y4[:n*hd]
		affineSkipZeros(y4, y3, n, hd, hd, s.wt4, fc4.bias(th), ws.nz)
		relu(y4, y4)
		for i := 0; i < n; i++ {
			acc := b5
			for j, v := range y4[i*hd : (i+1)*hd] {
				acc += v * w5[j]
			}
			r.dst[c0+i] += acc
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
		if len(ws.nz) < max(h, hd, first.in) {
			ws.nz = make([]int32, max(h, hd, first.in))
		}
		ws.g = grow(ws.g, headChunk*h)
		ws.y3 = grow(ws.y3, headChunk*hd)
		ws.y4 = grow(ws.y4, headChunk*max(h, hd))
	}
	s.h = grow(s.h, p.maxStates()*max(h, first.in))
	s.prod = grow(s.prod, p.maxStates()*h)
	r := &s.run
	*r = bulkRun{c: c, l: l, p: p, th: th, s: s, dst: dst}
	// Layers 1..3: multiply the distinct rows, aggregate, ReLU. The input
	// rows are scattered slices: pack them into s.h first.
	nPrev := len(p.inputs)
	in := first.in
	packed := s.h[:nPrev*in]
	for u, row := range p.inputs {
		copy(packed[u*in:(u+1)*in], row)
	}
	r.cur = packed
	for k := range p.layers {
		r.d = l.arch[k]
		r.prod = s.prod[:nPrev*r.d.out]
		r.split(nPrev, multiplyRows)
		r.ps = &p.layers[k]
		nNext := r.ps.count()
		// out may overwrite cur: prod no longer needs it.
		r.out = s.h[:nNext*r.d.out]
		r.split(nNext, aggregateRows)
		r.cur, nPrev = r.out, nNext
	}
	// Hardware branch and fc3's constant half.
	fc3, fc4 := l.head[0], l.head[1]
	s.bias3 = grow(s.bias3, hd)
	copy(s.bias3, fc3.bias(th))
	W3 := fc3.weight(th)
	if c.HWEmbed {
		s.hw = grow(s.hw, h)
		s.hwh = grow(s.hwh, h)
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
			s.bias3[o] += acc
		}
	}
	// fc3's arch half and fc4 as [in][out] for sparseAffine.
	s.wt3 = grow(s.wt3, h*hd)
	for o := 0; o < hd; o++ {
		for i, v := range W3[o*hd : o*hd+h] {
			s.wt3[i*hd+o] = v
		}
	}
	s.wt4 = grow(s.wt4, hd*hd)
	transposeTo(s.wt4, fc4.weight(th), hd, hd)
	r.split(p.n, headRows)
}
