package predictor

// The GCN branch of a pass evaluated over a plan of distinct node states
// (see fastgcn.go), forward and backward. Meta-training uses it for the
// query batches: on NAS-Bench-201 a batch of 200 cells has about 300
// distinct layer-1 states and 650 distinct layer-2 states instead of 1,800
// node rows each. The gradient is exact: a state shared by several nodes
// receives the sum of their adjoints.

// planBufs are a planned pass's per-layer buffers, grown on demand.
type planBufs struct {
	x            []float64   // distinct input rows, packed
	count        []int       // distinct states before each full layer
	P, pre, H    [][]float64 // per full layer: H_{k-1} W_k, pre-activation, output
	dP, dpre, dH [][]float64
}

func (p *pass) planForward(th []float64) []float64 {
	c, l, plan, pb := p.c, p.l, p.plan, &p.pb
	nl := len(plan.layers)
	if pb.P == nil {
		pb.P, pb.pre, pb.H = make([][]float64, nl), make([][]float64, nl), make([][]float64, nl)
		pb.dP, pb.dpre, pb.dH = make([][]float64, nl), make([][]float64, nl), make([][]float64, nl)
		pb.count = make([]int, nl+1)
	}
	F := c.NodeFeatures
	nPrev := len(plan.inputs)
	pb.x = grow(pb.x, nPrev*F)
	for u, r := range plan.inputs {
		copy(pb.x[u*F:(u+1)*F], r)
	}
	cur := pb.x
	pb.count[0] = nPrev
	for k := range plan.layers {
		ps := &plan.layers[k]
		d := l.arch[k]
		P := grow(pb.P[k], nPrev*d.out)
		pb.P[k] = P
		clear(P)
		d.gemmOpW(P, cur, nPrev, 1, d.weight(th), p.wt)
		nNext := ps.count()
		pre := grow(pb.pre[k], nNext*d.out)
		H := grow(pb.H[k], nNext*d.out)
		pb.pre[k], pb.H[k] = pre, H
		b := d.bias(th)
		for v := 0; v < nNext; v++ {
			o := pre[v*d.out : (v+1)*d.out]
			copy(o, b)
			for t := ps.start[v]; t < ps.start[v+1]; t++ {
				w := ps.weight[t]
				src := P[int(ps.state[t])*d.out : int(ps.state[t]+1)*d.out]
				for j, x := range src {
					o[j] += w * x
				}
			}
		}
		relu(H, pre)
		cur, nPrev = H, nNext
		pb.count[k+1] = nNext
	}
	last := len(l.arch) - 1
	d := l.arch[last]
	n := p.n
	z := p.z[last][:n*d.in]
	clear(z)
	for a := 0; a < n; a++ {
		za := z[a*d.in : (a+1)*d.in]
		for t := plan.last.start[a]; t < plan.last.start[a+1]; t++ {
			w := plan.last.weight[t]
			src := cur[int(plan.last.state[t])*d.in : int(plan.last.state[t]+1)*d.in]
			for j, x := range src {
				za[j] += w * x
			}
		}
	}
	d.forward(p.pre[last], z, n, th, p.wt)
	relu(p.h[last][:n*d.out], p.pre[last][:n*d.out])
	return p.h[last]
}

// planBackward back-propagates dArch (n rows) through the planned GCN,
// adding the parameter gradient to g.
func (p *pass) planBackward(th, g, dArch []float64) {
	l, plan, pb := p.l, p.plan, &p.pb
	last := len(l.arch) - 1
	d := l.arch[last]
	n := p.n
	reluMask(p.dpre[last][:n*d.out], dArch[:n*d.out], p.pre[last][:n*d.out])
	dz := p.dz[last][:n*d.in]
	d.backward(dz, g, p.dpre[last], p.z[last], n, th, p.wt)
	nl := len(plan.layers)
	dH := grow(pb.dH[nl-1], pb.count[nl]*d.in)
	pb.dH[nl-1] = dH
	clear(dH)
	for a := 0; a < n; a++ {
		src := dz[a*d.in : (a+1)*d.in]
		for t := plan.last.start[a]; t < plan.last.start[a+1]; t++ {
			w := plan.last.weight[t]
			dst := dH[int(plan.last.state[t])*d.in : int(plan.last.state[t]+1)*d.in]
			for j, x := range src {
				dst[j] += w * x
			}
		}
	}
	for k := nl - 1; k >= 0; k-- {
		d := l.arch[k]
		ps := &plan.layers[k]
		nNext, nPrev := pb.count[k+1], pb.count[k]
		dpre := grow(pb.dpre[k], nNext*d.out)
		pb.dpre[k] = dpre
		reluMask(dpre, pb.dH[k][:nNext*d.out], pb.pre[k][:nNext*d.out])
		gb := d.bias(g)
		dP := grow(pb.dP[k], nPrev*d.out)
		pb.dP[k] = dP
		clear(dP)
		for v := 0; v < nNext; v++ {
			src := dpre[v*d.out : (v+1)*d.out]
			for j, x := range src {
				gb[j] += x
			}
			for t := ps.start[v]; t < ps.start[v+1]; t++ {
				w := ps.weight[t]
				dst := dP[int(ps.state[t])*d.out : int(ps.state[t]+1)*d.out]
				for j, x := range src {
					dst[j] += w * x
				}
			}
		}
		prevH := pb.x
		if k > 0 {
			prevH = pb.H[k-1]
		}
		d.gemmGradW(d.weight(g), prevH, dP, nPrev)
		if k > 0 {
			dHp := grow(pb.dH[k-1], nPrev*d.in)
			pb.dH[k-1] = dHp
			d.gemmOpWT(dHp, dP, nPrev, 0, d.weight(th), p.wt)
		}
	}
}
