package predictor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// fdStep is the central finite-difference step for float64 checks.
const fdStep = 1e-6

// smallConfigs are the variants every numerical test runs on, with shapes
// small enough that finite differences over every parameter are fast.
func smallConfigs() map[string]Config {
	gcn := NASBench201Config()
	gcn.NodeFeatures, gcn.Hidden, gcn.EmbedDim = 4, 5, 3
	mlp := FBNetConfig()
	mlp.InputDim, mlp.Hidden, mlp.EmbedDim = 6, 5, 3
	noHW := gcn
	noHW.HWEmbed = false
	maml := gcn
	maml.MetaSGD, maml.InnerLR = false, 0.1
	noZ := mlp
	noZ.Modulator = false
	oneStep := gcn
	oneStep.InnerSteps = 1
	return map[string]Config{"gcn": gcn, "mlp": mlp, "gcn-nohw": noHW, "gcn-maml": maml, "mlp-noz": noZ, "gcn-1step": oneStep}
}

// randomArch returns a random encoding: one-hot node features and a 0/1
// aggregation matrix with self loops and the last (global) node reading
// every node.
func randomArch(c Config, rng *rand.Rand) []float64 {
	x := make([]float64, c.InputLen())
	if c.Encoder == EncoderMLP {
		for i := range x {
			x[i] = float64(rng.IntN(2))
		}
		return x
	}
	N, F := c.NumNodes, c.NodeFeatures
	for i := 0; i < N; i++ {
		x[i*F+rng.IntN(F)] = 1
	}
	A := x[N*F:]
	for i := 0; i < N; i++ {
		A[i*N+i] = 1
		A[(N-1)*N+i] = 1
		for j := 0; j < i; j++ {
			if rng.IntN(3) == 0 {
				A[i*N+j] = 1
			}
		}
	}
	return x
}

func randomBatch(c Config, n int, rng *rand.Rand) ([][]float64, []float64) {
	xs := make([][]float64, n)
	ys := make([]float64, n)
	for i := range xs {
		xs[i] = randomArch(c, rng)
		ys[i] = rng.Float64()
	}
	return xs, ys
}

func randomEmbedding(c Config, rng *rand.Rand) []float64 {
	e := make([]float64, c.EmbedDim)
	for i := range e {
		e[i] = rng.Float64()
	}
	return e
}

// randomModel is New with larger, varied inner rates so the inner steps
// (and the second-order terms) matter in the checks.
func randomModel(c Config, seed uint64) *Model {
	m := New(c, seed)
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range m.taskLR {
		m.taskLR[i] = 0.02 + 0.1*rng.Float64()
	}
	// Larger weights than the default init so activations are not tiny.
	for i := range m.base {
		m.base[i] *= 2
	}
	return m
}

// naiveForward is the reference: plain loops straight from HELP's net.py.
func naiveForward(m *Model, th, e []float64, x []float64) float64 {
	c := m.Config
	l := m.l
	lin := func(d dense, in []float64) []float64 {
		out := make([]float64, d.out)
		for o := 0; o < d.out; o++ {
			s := th[d.b+o]
			for i := 0; i < d.in; i++ {
				if d.inOut {
					s += in[i] * th[d.w+i*d.out+o]
				} else {
					s += in[i] * th[d.w+o*d.in+i]
				}
			}
			out[o] = s
		}
		return out
	}
	rl := func(v []float64) []float64 {
		for i := range v {
			v[i] = math.Max(v[i], 0)
		}
		return v
	}
	var arch []float64
	if c.Encoder == EncoderGCN {
		N, F := c.NumNodes, c.NodeFeatures
		H := make([][]float64, N)
		for i := range H {
			H[i] = x[i*F : (i+1)*F]
		}
		A := x[N*F:]
		for _, d := range l.arch {
			S := make([][]float64, N)
			for j := range S {
				// support = input @ weight, weight [in,out]
				S[j] = lin(dense{w: d.w, b: d.b, in: d.in, out: d.out, inOut: true}, H[j])
				for o := range S[j] {
					S[j][o] -= th[d.b+o]
				}
			}
			next := make([][]float64, N)
			for i := 0; i < N; i++ {
				next[i] = make([]float64, d.out)
				for o := range next[i] {
					s := th[d.b+o]
					for j := 0; j < N; j++ {
						s += A[i*N+j] * S[j][o]
					}
					next[i][o] = math.Max(s, 0)
				}
			}
			H = next
		}
		arch = H[N-1]
	} else {
		arch = rl(lin(l.arch[1], rl(lin(l.arch[0], x))))
	}
	cat := append([]float64(nil), arch...)
	if c.HWEmbed {
		hw := rl(lin(l.hw[1], rl(lin(l.hw[0], e))))
		cat = append(cat, hw...)
	}
	h := rl(lin(l.head[0], cat))
	h = rl(lin(l.head[1], h))
	return lin(l.head[2], h)[0]
}

func TestForwardMatchesNaive(t *testing.T) {
	for name, c := range smallConfigs() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			m := randomModel(c, 3)
			e := randomEmbedding(c, rng)
			xs, _ := randomBatch(c, 7, rng)
			p := newPass(&m.Config, m.l, 8, false, false)
			p.setInputs(e, xs)
			p.forward(m.base, nil)
			for i, x := range xs {
				approx.Equal(t, fmt.Sprintf("y[%d]", i), p.output()[i], naiveForward(m, m.base, e, x), approx.Float64)
			}
		})
	}
}

// lossAt evaluates the support MSE at parameters th.
func lossAt(p *pass, th, ys []float64) float64 {
	p.forward(th, nil)
	s := 0.0
	for i, v := range p.output() {
		s += (v - ys[i]) * (v - ys[i])
	}
	return s / float64(p.n)
}

// tensorOf names the parameter tensor holding flat index i.
func (l *layout) tensorOf(i int) string {
	for _, t := range l.model {
		if i >= t.Off && i < t.Off+t.size() {
			return fmt.Sprintf("%s[%d]", t.Name, i-t.Off)
		}
	}
	return fmt.Sprintf("param[%d]", i)
}

func TestGradientMatchesFiniteDifferences(t *testing.T) {
	for name, c := range smallConfigs() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 5))
			m := randomModel(c, 6)
			e := randomEmbedding(c, rng)
			p := newPass(&m.Config, m.l, 6, true, false)
			p.wantDX = true
			xs, ys := kinkFreeBatch(t, p, m.base, e, 6, rng)
			p.setInputs(e, xs)
			th := append([]float64(nil), m.base...)
			g := make([]float64, len(th))
			p.forward(th, nil)
			loss := p.backward(th, nil, ys, g, nil)
			approx.Equal(t, "loss", loss, lossAt(p, th, ys), approx.Float64)
			for i := range th {
				orig := th[i]
				th[i] = orig + fdStep
				lp := lossAt(p, th, ys)
				th[i] = orig - fdStep
				lm := lossAt(p, th, ys)
				th[i] = orig
				if !approx.Equal(t, "dL/d"+m.l.tensorOf(i), g[i], (lp-lm)/(2*fdStep), approx.FiniteDiff) {
					return
				}
			}
			// Gradient with respect to the inputs (node features / MLP input).
			p.forward(th, nil)
			clear(g)
			p.backward(th, nil, ys, g, nil)
			dx := append([]float64(nil), p.dx0[:len(xs)*rowLen(c)]...)
			for s := range xs {
				x := xs[s]
				for j := 0; j < rowLen(c); j++ {
					orig := x[j]
					x[j] = orig + fdStep
					p.setInputs(e, xs)
					lp := lossAt(p, th, ys)
					x[j] = orig - fdStep
					p.setInputs(e, xs)
					lm := lossAt(p, th, ys)
					x[j] = orig
					if !approx.Equal(t, fmt.Sprintf("dL/dx[%d][%d]", s, j), dx[s*rowLen(c)+j], (lp-lm)/(2*fdStep), approx.FiniteDiff) {
						return
					}
				}
			}
		})
	}
}

// rowLen is the number of differentiable input values per architecture.
func rowLen(c Config) int {
	if c.Encoder == EncoderGCN {
		return c.NumNodes * c.NodeFeatures
	}
	return c.InputDim
}

func TestDenseLayerGradients(t *testing.T) {
	for _, c := range []struct {
		inOut bool
		wt    []float64
	}{{false, nil}, {true, nil}, {false, make([]float64, 12)}, {true, make([]float64, 12)}} {
		inOut, wt := c.inOut, c.wt
		rng := rand.New(rand.NewPCG(7, 8))
		d := dense{w: 0, b: 12, in: 4, out: 3, inOut: inOut}
		th := make([]float64, 15)
		for i := range th {
			th[i] = rng.NormFloat64()
		}
		const n = transposeMin + 1 // large enough for the transposing path
		x := make([]float64, n*4)
		dy := make([]float64, n*3)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for i := range dy {
			dy[i] = rng.NormFloat64()
		}
		// f = <dy, forward(x)>; its gradients are what backward returns.
		f := func() float64 {
			y := make([]float64, n*3)
			d.forward(y, x, n, th, wt)
			s := 0.0
			for i := range y {
				s += y[i] * dy[i]
			}
			return s
		}
		g := make([]float64, 15)
		dx := make([]float64, n*4)
		d.backward(dx, g, dy, x, n, th, wt)
		for i := range th {
			o := th[i]
			th[i] = o + fdStep
			fp := f()
			th[i] = o - fdStep
			fm := f()
			th[i] = o
			approx.Equal(t, fmt.Sprintf("inOut=%v wt=%v dW[%d]", inOut, wt != nil, i), g[i], (fp-fm)/(2*fdStep), approx.FiniteDiff)
		}
		for i := range x {
			o := x[i]
			x[i] = o + fdStep
			fp := f()
			x[i] = o - fdStep
			fm := f()
			x[i] = o
			approx.Equal(t, fmt.Sprintf("inOut=%v wt=%v dx[%d]", inOut, wt != nil, i), dx[i], (fp-fm)/(2*fdStep), approx.FiniteDiff)
		}
	}
}

// minAbsPre is the distance of the nearest ReLU input to its kink after a
// forward pass; finite differences across a kink are meaningless.
func minAbsPre(p *pass) float64 {
	mn := math.Inf(1)
	for k, d := range p.l.arch {
		rows := p.n
		if p.c.Encoder == EncoderGCN && k < len(p.l.arch)-1 {
			rows *= p.c.NumNodes
		}
		for _, v := range p.pre[k][:rows*d.out] {
			mn = math.Min(mn, math.Abs(v))
		}
	}
	for i := range p.l.hw {
		for _, v := range p.hwPre[i] {
			mn = math.Min(mn, math.Abs(v))
		}
	}
	for k := 0; k < 2; k++ {
		for _, v := range p.hp[k][:p.n*p.l.head[k].out] {
			mn = math.Min(mn, math.Abs(v))
		}
	}
	return mn
}

// kinkFreeBatch draws batches until every ReLU input is at least 1e-3 from
// its kink at parameters th (deterministic for a given rng).
func kinkFreeBatch(t *testing.T, p *pass, th, e []float64, n int, rng *rand.Rand) ([][]float64, []float64) {
	t.Helper()
	for range 100 {
		xs, ys := randomBatch(*p.c, n, rng)
		p.setInputs(e, xs)
		p.forward(th, nil)
		if minAbsPre(p) > 1e-3 {
			return xs, ys
		}
	}
	t.Fatal("no batch without near-kink ReLU inputs in 100 draws")
	return nil, nil
}

func TestHessianVectorProduct(t *testing.T) {
	for name, c := range smallConfigs() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 10))
			m := randomModel(c, 11)
			e := randomEmbedding(c, rng)
			p := newPass(&m.Config, m.l, 6, true, true)
			xs, ys := kinkFreeBatch(t, p, m.base, e, 6, rng)
			p.setInputs(e, xs)
			th := m.base
			u := make([]float64, len(th))
			for i := range u {
				u[i] = rng.NormFloat64()
			}
			g := make([]float64, len(th))
			hv := make([]float64, len(th))
			p.forward(th, u)
			p.backward(th, u, ys, g, hv)
			gradAt := func(s float64) []float64 {
				tp := make([]float64, len(th))
				for i := range tp {
					tp[i] = th[i] + s*u[i]
				}
				gg := make([]float64, len(th))
				p.forward(tp, nil)
				p.backward(tp, nil, ys, gg, nil)
				return gg
			}
			gp, gm := gradAt(fdStep), gradAt(-fdStep)
			want := make([]float64, len(th))
			for i := range want {
				want[i] = (gp[i] - gm[i]) / (2 * fdStep)
			}
			approx.Slices(t, "H u", hv, want, approx.FiniteDiff)
			// The R pass must not disturb the gradient it computes alongside.
			approx.Slices(t, "gradient from R pass", g, gradAt(0), approx.Float64)
		})
	}
}

// metaObjective is what taskGrad differentiates, evaluated plainly.
func metaObjective(w *metaWork, tk *Task, eps []float64, scale float64) float64 {
	mse, kl := w.taskLoss(tk, eps)
	return scale * (mse + w.m.Config.KLScale*kl)
}

// kinkMargin is the smallest distance of any ReLU input to its kink over
// the passes taskGrad makes (support at every inner step, query at the
// end); finite differences are only meaningful when it is not tiny.
func kinkMargin(w *metaWork, tk *Task, eps []float64) float64 {
	m := w.m
	w.taskLoss(tk, eps) // fills w.thetas
	margin := math.Inf(1)
	K := m.Config.InnerSteps
	sup := newPass(&m.Config, m.l, len(tk.SupportX), false, false)
	sup.setInputs(tk.Embedding, tk.SupportX)
	for k := 0; k < K; k++ {
		sup.forward(w.thetas[k], nil)
		margin = math.Min(margin, minAbsPre(sup))
	}
	q := newPass(&m.Config, m.l, len(tk.QueryX), false, false)
	q.setInputs(tk.Embedding, tk.QueryX)
	q.forward(w.thetas[K], nil)
	return math.Min(margin, minAbsPre(q))
}

// smoothTask draws tasks until every ReLU input stays 1e-4 from its kink.
func smoothTask(t *testing.T, w *metaWork, rng *rand.Rand) (Task, []float64) {
	t.Helper()
	for range 100 {
		tk, eps := randomTask(w.m.Config, rng)
		if kinkMargin(w, &tk, eps) > 1e-4 {
			return tk, eps
		}
	}
	t.Fatal("no task without near-kink ReLU inputs in 100 draws")
	return Task{}, nil
}

func randomTask(c Config, rng *rand.Rand) (Task, []float64) {
	tk := Task{Embedding: randomEmbedding(c, rng)}
	tk.SupportX, tk.SupportY = randomBatch(c, transposeMin, rng)
	tk.QueryX, tk.QueryY = randomBatch(c, transposeMin+1, rng) // exercises the transposing products
	eps := make([]float64, c.zDim())
	for i := range eps {
		eps[i] = rng.NormFloat64()
	}
	return tk, eps
}

func (m *Model) paramName(i int) string {
	nm := m.l.nModel
	switch {
	case i < nm:
		return m.l.tensorOf(i)
	case m.taskLR != nil && i < 2*nm:
		return "task_lr." + m.l.tensorOf(i-nm)
	}
	off := nm
	if m.taskLR != nil {
		off += nm
	}
	for _, t := range m.l.zenc {
		if j := i - off; j >= t.Off && j < t.Off+t.size() {
			return fmt.Sprintf("%s[%d]", t.Name, j-t.Off)
		}
	}
	return fmt.Sprintf("param[%d]", i)
}

// TestMetaGradientSecondOrder checks the exact meta-gradient with respect to
// every parameter (base, inner rates, inference network; eps fixed) against
// central differences of the meta-objective, and that the first-order
// approximation would NOT pass the same check (so the test can fail).
func TestMetaGradientSecondOrder(t *testing.T) {
	for name, c := range smallConfigs() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(12, 13))
			m := randomModel(c, 14)
			const scale = 0.5
			w := newMetaWork(m)
			tk, eps := smoothTask(t, w, rng)
			grad := make([]float64, len(m.params))
			w.taskGrad(&tk, eps, false, scale, grad)
			fd := make([]float64, len(m.params))
			for i := range m.params {
				o := m.params[i]
				m.params[i] = o + fdStep
				fp := metaObjective(w, &tk, eps, scale)
				m.params[i] = o - fdStep
				fm := metaObjective(w, &tk, eps, scale)
				m.params[i] = o
				fd[i] = (fp - fm) / (2 * fdStep)
			}
			for i := range grad {
				if !approx.Equal(t, "dmeta/d"+m.paramName(i), grad[i], fd[i], approx.FiniteDiff) {
					break
				}
			}
			t.Logf("max mixed error %.2g over %d parameters", approx.MaxRelErr(grad, fd), len(grad))
			if c.InnerSteps > 0 {
				fo := make([]float64, len(m.params))
				w.taskGrad(&tk, eps, true, scale, fo)
				if e := approx.MaxRelErr(fo, fd); e < 100*approx.FiniteDiff {
					t.Errorf("first-order gradient is within %.2g of the exact one: the check cannot tell them apart", e)
				}
			}
		})
	}
}

// TestMetaGradientFirstOrder checks the first-order option against its own
// definition: the objective with the support gradients frozen at their
// values for the unperturbed parameters.
func TestMetaGradientFirstOrder(t *testing.T) {
	for name, c := range smallConfigs() {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(15, 16))
			m := randomModel(c, 17)
			const scale = 0.25
			w := newMetaWork(m)
			tk, eps := smoothTask(t, w, rng)
			grad := make([]float64, len(m.params))
			w.taskGrad(&tk, eps, true, scale, grad)
			K := c.InnerSteps
			frozen := make([][]float64, K)
			for k := range frozen {
				frozen[k] = append([]float64(nil), w.grads[k]...)
			}
			objective := func() float64 {
				kl := 0.0
				if c.Modulator {
					copy(w.st.eps, eps)
					kl = m.encodeZ(w.st, tk.Embedding)
					m.modulate(w.thetas[0], w.st.z)
				} else {
					copy(w.thetas[0], m.base)
				}
				th := w.thetas[0]
				for k := 0; k < K; k++ {
					m.stepTo(th, th, frozen[k])
				}
				w.qry.setInputs(tk.Embedding, tk.QueryX)
				return scale * (lossAt(w.qry, th, tk.QueryY) + c.KLScale*kl)
			}
			for i := range m.params {
				o := m.params[i]
				m.params[i] = o + fdStep
				fp := objective()
				m.params[i] = o - fdStep
				fm := objective()
				m.params[i] = o
				if !approx.Equal(t, "first-order dmeta/d"+m.paramName(i), grad[i], (fp-fm)/(2*fdStep), approx.FiniteDiff) {
					return
				}
			}
		})
	}
}
