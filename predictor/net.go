package predictor

import "fmt"

// pass evaluates the network on a batch of up to cap architectures for one
// device embedding, and optionally back-propagates the MSE loss and the
// R-operator (Hessian-vector product) through it. It owns every buffer it
// uses, so repeated calls do not allocate.
type pass struct {
	c   *Config
	l   *layout
	cap int
	n   int

	grad, hvp bool // buffers for backward / R-operator present

	x0  []float64 // GCN: n*N rows of NodeFeatures; MLP: n rows of InputDim
	adj []float64 // GCN: n*N*N

	// arch branch, one entry per layer: aggregated input z, pre-activation,
	// output h, and their adjoints (d) and R-versions (r, rd).
	z, pre, h       [][]float64
	dz, dpre, dh    [][]float64
	rz, rpre, rh    [][]float64
	rdz, rdpre, rdh [][]float64
	dx0             []float64 // adjoint of x0 when wantDX

	hwPre, hwH     [2][]float64
	dhwPre, dhwH   [2][]float64
	rhwPre, rhwH   [2][]float64
	rdhwPre, rdhwH [2][]float64

	cat, dcat, rcat, rdcat []float64 // head input n x headDim

	hp, hh     [3][]float64 // head pre-activations and ReLU outputs (hh[2] unused)
	dhp, dhh   [3][]float64
	rhp, rhh   [3][]float64
	rdhp, rdhh [3][]float64
	wantDX     bool
	embedding  []float64
	wt         []float64 // weight transposition scratch (largest layer)

	// planned evaluates the GCN branch over distinct node states (forward
	// and backward only, no R-operator; see planpass.go).
	planned bool
	plan    *gcnPlan
	pb      planBufs
}

func newPass(c *Config, l *layout, capacity int, grad, hvp bool) *pass {
	p := &pass{c: c, l: l, cap: capacity, grad: grad, hvp: hvp}
	h := c.Hidden
	hd := c.headDim()
	mk := func(n int) []float64 { return make([]float64, n) }
	if c.Encoder == EncoderGCN {
		p.x0 = mk(capacity * c.NumNodes * c.NodeFeatures)
		p.adj = mk(capacity * c.NumNodes * c.NumNodes)
	} else {
		p.x0 = mk(capacity * c.InputDim)
	}
	nl := len(l.arch)
	alloc := func(on bool) (a, b, cc [][]float64) {
		if !on {
			return nil, nil, nil
		}
		a, b, cc = make([][]float64, nl), make([][]float64, nl), make([][]float64, nl)
		for k, d := range l.arch {
			rows := p.archRows(k)
			a[k], b[k], cc[k] = mk(rows*d.in), mk(rows*d.out), mk(rows*d.out)
		}
		return
	}
	p.z, p.pre, p.h = alloc(true)
	p.dz, p.dpre, p.dh = alloc(grad)
	p.rz, p.rpre, p.rh = alloc(hvp)
	p.rdz, p.rdpre, p.rdh = alloc(hvp)
	if grad {
		p.dx0 = mk(len(p.x0))
	}
	for i := range l.hw {
		p.hwPre[i], p.hwH[i] = mk(h), mk(h)
		if grad {
			p.dhwPre[i], p.dhwH[i] = mk(h), mk(h)
		}
		if hvp {
			p.rhwPre[i], p.rhwH[i], p.rdhwPre[i], p.rdhwH[i] = mk(h), mk(h), mk(h), mk(h)
		}
	}
	p.cat = mk(capacity * hd)
	if grad {
		p.dcat = mk(capacity * hd)
	}
	if hvp {
		p.rcat, p.rdcat = mk(capacity*hd), mk(capacity*hd)
	}
	for i, d := range l.head {
		p.hp[i], p.hh[i] = mk(capacity*d.out), mk(capacity*d.out)
		if grad {
			p.dhp[i], p.dhh[i] = mk(capacity*d.out), mk(capacity*d.out)
		}
		if hvp {
			p.rhp[i], p.rhh[i], p.rdhp[i], p.rdhh[i] = mk(capacity*d.out), mk(capacity*d.out), mk(capacity*d.out), mk(capacity*d.out)
		}
	}
	p.embedding = mk(c.EmbedDim)
	big := 0
	for _, d := range append(append(append([]dense(nil), l.arch...), l.hw...), l.head[:]...) {
		big = max(big, d.in*d.out)
	}
	p.wt = mk(big)
	return p
}

// archRows is the number of rows per sample that arch layer k outputs (and
// aggregates into z): all nodes except for the last GCN layer, which only
// computes the global (last) node that the model reads.
func (p *pass) archRows(k int) int {
	if p.c.Encoder != EncoderGCN {
		return p.cap
	}
	if k == len(p.l.arch)-1 {
		return p.cap
	}
	return p.cap * p.c.NumNodes
}

// setInputs copies a batch of encoded architectures and the embedding in.
func (p *pass) setInputs(embedding []float64, xs [][]float64) {
	if len(xs) > p.cap {
		panic(fmt.Sprintf("predictor: batch of %d exceeds pass capacity %d", len(xs), p.cap))
	}
	if len(embedding) != p.c.EmbedDim {
		panic(fmt.Sprintf("predictor: embedding length %d, want %d", len(embedding), p.c.EmbedDim))
	}
	copy(p.embedding, embedding)
	p.n = len(xs)
	want := p.c.InputLen()
	if p.c.Encoder == EncoderGCN {
		nf := p.c.NumNodes * p.c.NodeFeatures
		nn := p.c.NumNodes * p.c.NumNodes
		for i, x := range xs {
			if len(x) != want {
				panic(fmt.Sprintf("predictor: architecture %d has encoding length %d, want %d", i, len(x), want))
			}
			copy(p.x0[i*nf:(i+1)*nf], x[:nf])
			copy(p.adj[i*nn:(i+1)*nn], x[nf:])
		}
		if p.planned {
			p.plan = newGCNPlan(p.c, xs)
		}
		return
	}
	for i, x := range xs {
		if len(x) != want {
			panic(fmt.Sprintf("predictor: architecture %d has encoding length %d, want %d", i, len(x), want))
		}
		copy(p.x0[i*want:(i+1)*want], x)
	}
}

// forward evaluates the network with parameters th; if rth is not nil it
// also propagates the direction rth (R-forward). The outputs are p.output().
func (p *pass) forward(th, rth []float64) {
	c, l, n := p.c, p.l, p.n
	r := rth != nil
	h := c.Hidden
	// Architecture branch.
	in, rin := p.x0, []float64(nil)
	if p.planned {
		if r {
			panic("predictor: planned pass has no R-operator")
		}
		in = p.planForward(th)
	}
	for k, d := range l.arch {
		if p.planned {
			break
		}
		rows := n
		if c.Encoder == EncoderGCN {
			from := 0
			if k == len(l.arch)-1 {
				from = c.NumNodes - 1
			} else {
				rows = n * c.NumNodes
			}
			aggregate(p.z[k], in, p.adj, n, c.NumNodes, from, d.in)
			if r && rin != nil {
				aggregate(p.rz[k], rin, p.adj, n, c.NumNodes, from, d.in)
			}
		} else {
			copy(p.z[k][:rows*d.in], in[:rows*d.in])
			if r && rin != nil {
				copy(p.rz[k][:rows*d.in], rin[:rows*d.in])
			}
		}
		d.forward(p.pre[k], p.z[k], rows, th, p.wt)
		relu(p.h[k][:rows*d.out], p.pre[k][:rows*d.out])
		if r {
			var rz []float64
			if rin != nil {
				rz = p.rz[k]
			}
			d.forwardR(p.rpre[k], p.z[k], rz, rows, th, rth, p.wt)
			reluMask(p.rh[k][:rows*d.out], p.rpre[k][:rows*d.out], p.pre[k][:rows*d.out])
			rin = p.rh[k]
		}
		in = p.h[k]
	}
	archOut := in
	// Hardware branch (one row, shared by the batch).
	if c.HWEmbed {
		hin, rhin := p.embedding, []float64(nil)
		for i, d := range l.hw {
			d.forward(p.hwPre[i], hin, 1, th, p.wt)
			relu(p.hwH[i], p.hwPre[i])
			if r {
				d.forwardR(p.rhwPre[i], hin, rhin, 1, th, rth, p.wt)
				reluMask(p.rhwH[i], p.rhwPre[i], p.hwPre[i])
				rhin = p.rhwH[i]
			}
			hin = p.hwH[i]
		}
	}
	hd := c.headDim()
	for s := 0; s < n; s++ {
		row := p.cat[s*hd : (s+1)*hd]
		copy(row[:h], archOut[s*h:(s+1)*h])
		if c.HWEmbed {
			copy(row[h:], p.hwH[1])
		}
		if r {
			rrow := p.rcat[s*hd : (s+1)*hd]
			copy(rrow[:h], rin[s*h:(s+1)*h])
			if c.HWEmbed {
				copy(rrow[h:], p.rhwH[1])
			}
		}
	}
	// Head.
	hin, rhin := p.cat, p.rcat
	for i, d := range l.head {
		d.forward(p.hp[i], hin, n, th, p.wt)
		if r {
			d.forwardR(p.rhp[i], hin, rhin, n, th, rth, p.wt)
		}
		if i == 2 {
			break
		}
		relu(p.hh[i][:n*d.out], p.hp[i][:n*d.out])
		if r {
			reluMask(p.rhh[i][:n*d.out], p.rhp[i][:n*d.out], p.hp[i][:n*d.out])
		}
		hin, rhin = p.hh[i], p.rhh[i]
	}
}

// output is the batch's predictions after forward (owned by p).
func (p *pass) output() []float64 { return p.hp[2][:p.n] }

// backward back-propagates the MSE loss mean((y-t)^2) after forward,
// ADDING the parameter gradient to g and, if rth is not nil, the
// Hessian-vector product H*rth to rg. It returns the loss.
func (p *pass) backward(th, rth, targets, g, rg []float64) float64 {
	c, l, n := p.c, p.l, p.n
	r := rth != nil
	h := c.Hidden
	hd := c.headDim()
	y := p.output()
	loss := 0.0
	dy := p.dhp[2][:n]
	for i, v := range y {
		e := v - targets[i]
		loss += e * e
		dy[i] = 2 * e / float64(n)
	}
	loss /= float64(n)
	if r {
		for i := range n {
			p.rdhp[2][i] = 2 * p.rhp[2][i] / float64(n)
		}
	}
	// Head, last layer first.
	for i := 2; i >= 0; i-- {
		d := l.head[i]
		if i < 2 {
			reluMask(p.dhp[i][:n*d.out], p.dhh[i][:n*d.out], p.hp[i][:n*d.out])
			if r {
				reluMask(p.rdhp[i][:n*d.out], p.rdhh[i][:n*d.out], p.hp[i][:n*d.out])
			}
		}
		x, rx, dx, rdx := p.cat, p.rcat, p.dcat, p.rdcat
		if i > 0 {
			x, dx = p.hh[i-1], p.dhh[i-1]
			if r {
				rx, rdx = p.rhh[i-1], p.rdhh[i-1]
			}
		}
		d.backward(dx, g, p.dhp[i], x, n, th, p.wt)
		if r {
			d.backwardR(rdx, rg, p.dhp[i], p.rdhp[i], x, rx, n, th, rth, p.wt)
		}
	}
	// Split the head input's adjoint into arch rows and the shared hw row.
	last := len(l.arch) - 1
	dArch := p.dh[last]
	var rdArch []float64
	if r {
		rdArch = p.rdh[last]
	}
	if c.HWEmbed {
		clear(p.dhwH[1])
		if r {
			clear(p.rdhwH[1])
		}
	}
	for s := 0; s < n; s++ {
		row := p.dcat[s*hd : (s+1)*hd]
		copy(dArch[s*h:(s+1)*h], row[:h])
		if c.HWEmbed {
			for j, v := range row[h:] {
				p.dhwH[1][j] += v
			}
		}
		if r {
			rrow := p.rdcat[s*hd : (s+1)*hd]
			copy(rdArch[s*h:(s+1)*h], rrow[:h])
			if c.HWEmbed {
				for j, v := range rrow[h:] {
					p.rdhwH[1][j] += v
				}
			}
		}
	}
	// Hardware branch.
	if c.HWEmbed {
		for i := 1; i >= 0; i-- {
			d := l.hw[i]
			reluMask(p.dhwPre[i], p.dhwH[i], p.hwPre[i])
			if r {
				reluMask(p.rdhwPre[i], p.rdhwH[i], p.hwPre[i])
			}
			x, rx, dx, rdx := p.embedding, []float64(nil), []float64(nil), []float64(nil)
			if i > 0 {
				x, dx = p.hwH[0], p.dhwH[0]
				if r {
					rx, rdx = p.rhwH[0], p.rdhwH[0]
				}
			}
			d.backward(dx, g, p.dhwPre[i], x, 1, th, p.wt)
			if r {
				d.backwardR(rdx, rg, p.dhwPre[i], p.rdhwPre[i], x, rx, 1, th, rth, p.wt)
			}
		}
	}
	// Architecture branch.
	if p.planned {
		p.planBackward(th, g, dArch)
		return loss
	}
	for k := last; k >= 0; k-- {
		d := l.arch[k]
		rows := n
		from := 0
		if c.Encoder == EncoderGCN {
			if k == last {
				from = c.NumNodes - 1
			} else {
				rows = n * c.NumNodes
			}
		}
		reluMask(p.dpre[k][:rows*d.out], p.dh[k][:rows*d.out], p.pre[k][:rows*d.out])
		if r {
			reluMask(p.rdpre[k][:rows*d.out], p.rdh[k][:rows*d.out], p.pre[k][:rows*d.out])
		}
		needDX := k > 0 || p.wantDX
		var dz, rdz, rz []float64
		if needDX {
			dz = p.dz[k]
		}
		if r {
			if needDX {
				rdz = p.rdz[k]
			}
			if k > 0 {
				rz = p.rz[k]
			}
		}
		d.backward(dz, g, p.dpre[k], p.z[k], rows, th, p.wt)
		if r {
			d.backwardR(rdz, rg, p.dpre[k], p.rdpre[k], p.z[k], rz, rows, th, rth, p.wt)
		}
		if !needDX {
			continue
		}
		dIn, rdIn := p.dx0, []float64(nil)
		if k > 0 {
			dIn = p.dh[k-1]
			if r {
				rdIn = p.rdh[k-1]
			}
		}
		if c.Encoder == EncoderGCN {
			aggregateBackward(dIn, dz, p.adj, n, c.NumNodes, from, d.in)
			if rdIn != nil {
				aggregateBackward(rdIn, rdz, p.adj, n, c.NumNodes, from, d.in)
			}
		} else {
			copy(dIn[:rows*d.in], dz[:rows*d.in])
			if rdIn != nil {
				copy(rdIn[:rows*d.in], rdz[:rows*d.in])
			}
		}
	}
	return loss
}
