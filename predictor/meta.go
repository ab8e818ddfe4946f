package predictor

// metaWork holds one worker's buffers for meta-gradients of single tasks.
type metaWork struct {
	m        *Model
	sup, qry *pass
	st       *zState
	thetas   [][]float64 // theta_0 .. theta_K
	grads    [][]float64 // support gradients at theta_0 .. theta_{K-1}
	v, u, hv []float64
	scratchG []float64
	gz       []float64
	zScratch []float64
}

func newMetaWork(m *Model) *metaWork {
	n := m.l.nModel
	w := &metaWork{m: m}
	k := m.Config.InnerSteps
	for range k + 1 {
		w.thetas = append(w.thetas, make([]float64, n))
	}
	for range k {
		w.grads = append(w.grads, make([]float64, n))
	}
	w.v, w.u, w.hv, w.scratchG = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	if m.Config.Modulator {
		w.st = newZState(m.Config)
		w.gz = make([]float64, m.Config.zDim())
		w.zScratch = make([]float64, 2*m.Config.zDim())
	}
	return w
}

// ensure grows the support and query passes to the batch sizes needed.
func (w *metaWork) ensure(support, query int) {
	if w.sup == nil || w.sup.cap < support {
		w.sup = newPass(&w.m.Config, w.m.l, support, true, true)
	}
	if w.qry == nil || w.qry.cap < query {
		w.qry = newPass(&w.m.Config, w.m.l, query, true, false)
		w.qry.planned = w.m.Config.Encoder == EncoderGCN
	}
}

// taskGrad ADDS to grad (laid out like Model.params) the gradient of
//
//	scale * (MSE_query(theta_K) + KLScale * KL)
//
// where theta_K is the result of K inner Meta-SGD steps on the support set
// from the z-modulated parameters, z = mu + sigma*eps. With firstOrder the
// support gradients are treated as constants (PyTorch's create_graph=False):
// dtheta_K/dtheta_0 = I and dtheta_K/dlr = -sum_k g_k. Otherwise the
// gradient is exact: back through each step theta_{k+1} = theta_k - lr.*g_k
// via v_k = v_{k+1} - H_k (lr .* v_{k+1}), H_k the support Hessian at theta_k
// (a Hessian-vector product by the R-operator). It returns the query MSE
// and the KL divergence.
func (w *metaWork) taskGrad(tk *Task, eps []float64, firstOrder bool, scale float64, grad []float64) (mse, kl float64) {
	m := w.m
	c := m.Config
	nm := m.l.nModel
	K := c.InnerSteps
	kl = w.adapt(tk, eps)
	w.qry.setInputs(tk.Embedding, tk.QueryX)
	w.qry.forward(w.thetas[K], nil)
	clear(w.v)
	mse = w.qry.backward(w.thetas[K], nil, tk.QueryY, w.v, nil)
	for i := range w.v {
		w.v[i] *= scale
	}
	var gLR []float64
	if c.MetaSGD {
		gLR = grad[nm : 2*nm]
	}
	for k := K - 1; k >= 0; k-- {
		if gLR != nil {
			for i, g := range w.grads[k] {
				gLR[i] -= g * w.v[i]
			}
		}
		if firstOrder {
			continue
		}
		for i, x := range w.v {
			w.u[i] = m.innerRate(i) * x
		}
		clear(w.hv)
		clear(w.scratchG)
		w.sup.forward(w.thetas[k], w.u)
		w.sup.backward(w.thetas[k], w.u, tk.SupportY, w.scratchG, w.hv)
		for i, h := range w.hv {
			w.v[i] -= h
		}
	}
	gBase := grad[:nm]
	if !c.Modulator {
		for i, x := range w.v {
			gBase[i] += x
		}
		return mse, kl
	}
	m.modulateBackward(gBase, w.gz, w.v, w.st.z)
	off := nm
	if c.MetaSGD {
		off += nm
	}
	m.encodeZBackward(grad[off:off+m.l.nZenc], w.st, tk.Embedding, w.gz, scale*c.KLScale, w.zScratch)
	return mse, kl
}

// adapt runs a task's inner loop: the (modulated) initial parameters in
// thetas[0], then K Meta-SGD steps on the support set, keeping every
// theta_k and support gradient for the backward pass. It returns the KL
// divergence of the z posterior (0 without the modulator).
func (w *metaWork) adapt(tk *Task, eps []float64) (kl float64) {
	m := w.m
	c := m.Config
	K := c.InnerSteps
	w.ensure(len(tk.SupportX), len(tk.QueryX))
	if c.Modulator {
		copy(w.st.eps, eps)
		kl = m.encodeZ(w.st, tk.Embedding)
		m.modulate(w.thetas[0], w.st.z)
	} else {
		copy(w.thetas[0], m.base)
	}
	if K > 0 {
		w.sup.setInputs(tk.Embedding, tk.SupportX)
	}
	for k := 0; k < K; k++ {
		clear(w.grads[k])
		w.sup.forward(w.thetas[k], nil)
		w.sup.backward(w.thetas[k], nil, tk.SupportY, w.grads[k], nil)
		m.stepTo(w.thetas[k+1], w.thetas[k], w.grads[k])
	}
	return kl
}

// taskLoss evaluates what taskGrad differentiates (for tests and logs).
func (w *metaWork) taskLoss(tk *Task, eps []float64) (mse, kl float64) {
	K := w.m.Config.InnerSteps
	kl = w.adapt(tk, eps)
	w.qry.setInputs(tk.Embedding, tk.QueryX)
	w.qry.forward(w.thetas[K], nil)
	y := w.qry.output()
	for i, v := range y {
		e := v - tk.QueryY[i]
		mse += e * e
	}
	return mse / float64(len(y)), kl
}
