package predictor

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
)

// zHidden is the width of the inference network's hidden layer (HELP: 10).
const zHidden = 10

// Metadata records where a set of weights came from. It is stored in the
// weights file header and shown to users; it does not affect predictions.
type Metadata struct {
	// Encoding is the space's description of the input encoding the
	// weights were trained with (space.Encoder.Meta; for NAS-Bench-201 the
	// GCN's node-type order, e.g. "input,avg_pool_3x3,nor_conv_1x1,...").
	// "" means the space's default encoding. Files written before it had
	// this name store it as "type_order"; Load reads both.
	Encoding string `json:"encoding,omitempty"`
	// Command is the command line that produced the weights.
	Command string `json:"command,omitempty"`
	Seed    uint64 `json:"seed,omitempty"`
	// Episode is the meta-training episode the weights were kept at.
	Episode int `json:"episode,omitempty"`
	// ValidSpearman is the validation score the weights were kept for.
	ValidSpearman float64 `json:"valid_spearman,omitempty"`
	// Source describes the origin ("helpwasm train", "HELP checkpoint ...").
	Source string `json:"source,omitempty"`
	Notes  string `json:"notes,omitempty"`
}

// UnmarshalJSON reads Metadata, accepting the older name "type_order" for
// Encoding.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	type plain Metadata // without this method
	var v struct {
		plain
		TypeOrder string `json:"type_order,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = Metadata(v.plain)
	if m.Encoding == "" {
		m.Encoding = v.TypeOrder
	}
	return nil
}

// Model is a HELP meta-learner: base parameters, per-parameter inner rates
// (Meta-SGD) and the inference network. All three live in one flat vector
// so the optimiser and the weights file treat them alike.
type Model struct {
	Config Config
	Meta   Metadata

	l      *layout
	params []float64 // base | taskLR (MetaSGD) | zenc (Modulator)
	base   []float64
	taskLR []float64
	zenc   []float64
}

// newModel allocates a zeroed model with cfg's shapes.
func newModel(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	l := newLayout(cfg)
	m := &Model{Config: cfg, l: l}
	n := l.nModel
	if cfg.MetaSGD {
		n += l.nModel
	}
	if cfg.Modulator {
		n += l.nZenc
	}
	m.params = make([]float64, n)
	m.base = m.params[:l.nModel:l.nModel]
	off := l.nModel
	if cfg.MetaSGD {
		m.taskLR = m.params[off : off+l.nModel : off+l.nModel]
		off += l.nModel
	}
	if cfg.Modulator {
		m.zenc = m.params[off : off+l.nZenc : off+l.nZenc]
	}
	return m, nil
}

// New returns a freshly initialised model, as HELP initialises it: PyTorch's
// default uniform(+-1/sqrt(fan_in)) for Linear layers, uniform(+-1/sqrt(out))
// for GraphConvolution biases, uniform(+-0.05) for GraphConvolution weights,
// and inner rates InnerLR. It panics if cfg is invalid.
func New(cfg Config, seed uint64) *Model {
	m, err := newModel(cfg)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x48454c50))
	uni := func(dst []float64, bound float64) {
		for i := range dst {
			dst[i] = (2*rng.Float64() - 1) * bound
		}
	}
	initDense := func(th []float64, d dense) {
		if d.inOut {
			uni(d.weight(th), 0.05)
			uni(d.bias(th), 1/math.Sqrt(float64(d.out)))
			return
		}
		b := 1 / math.Sqrt(float64(d.in))
		uni(d.weight(th), b)
		uni(d.bias(th), b)
	}
	for _, d := range m.l.arch {
		initDense(m.base, d)
	}
	for _, d := range m.l.hw {
		initDense(m.base, d)
	}
	for _, d := range m.l.head {
		initDense(m.base, d)
	}
	if cfg.Modulator {
		for _, d := range m.l.zl {
			initDense(m.zenc, d)
		}
	}
	for i := range m.taskLR {
		m.taskLR[i] = cfg.InnerLR
	}
	return m
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c, err := newModel(m.Config)
	if err != nil {
		panic(err)
	}
	c.Meta = m.Meta
	copy(c.params, m.params)
	return c
}

// NumParams is the number of scalar parameters (base, rates and inference
// network together).
func (m *Model) NumParams() int { return len(m.params) }

// zState holds the inference network's activations for one embedding.
type zState struct {
	pre0, h0 []float64 // zHidden
	out      []float64 // 2*zDim: mu then pre-softplus sigma
	sigma    []float64 // zDim
	eps      []float64 // zDim noise used (zero when deterministic)
	z        []float64 // zDim
}

func newZState(c Config) *zState {
	zd := c.zDim()
	return &zState{
		pre0: make([]float64, zHidden), h0: make([]float64, zHidden),
		out: make([]float64, 2*zd), sigma: make([]float64, zd),
		eps: make([]float64, zd), z: make([]float64, zd),
	}
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// encodeZ computes the posterior of z for an embedding and z = mu +
// sigma*eps with the eps already in st.eps. It returns the KL divergence of
// the posterior from N(0, 1), summed over the dimensions.
func (m *Model) encodeZ(st *zState, embedding []float64) float64 {
	d0, d1 := m.l.zl[0], m.l.zl[1]
	d0.forward(st.pre0, embedding, 1, m.zenc, nil)
	relu(st.h0, st.pre0)
	d1.forward(st.out, st.h0, 1, m.zenc, nil)
	zd := len(st.z)
	kl := 0.0
	for i := 0; i < zd; i++ {
		mu := st.out[i]
		s := softplus(st.out[zd+i])
		st.sigma[i] = s
		st.z[i] = mu + s*st.eps[i]
		kl += -math.Log(s) + (s*s+mu*mu-1)/2
	}
	return kl
}

// encodeZBackward adds to gZenc the gradient of gzCoef.dL/dz + klCoef*KL
// with respect to the inference network's parameters, given dL/dz in gz.
func (m *Model) encodeZBackward(gZenc []float64, st *zState, embedding, gz []float64, klCoef float64, scratch []float64) {
	zd := len(st.z)
	dout := scratch[:2*zd]
	for i := 0; i < zd; i++ {
		mu, s := st.out[i], st.sigma[i]
		dmu := gz[i] + klCoef*mu
		ds := gz[i]*st.eps[i] + klCoef*(s-1/s)
		dout[i] = dmu
		dout[zd+i] = ds * sigmoid(st.out[zd+i])
	}
	d0, d1 := m.l.zl[0], m.l.zl[1]
	var dh0, dpre0 [zHidden]float64
	d1.backward(dh0[:], gZenc, dout, st.h0, 1, m.zenc, nil)
	reluMask(dpre0[:], dh0[:], st.pre0)
	d0.backward(nil, gZenc, dpre0[:], embedding, 1, m.zenc, nil)
}

// modulate sets dst to the base parameters with the head scaled by z:
// fc3/fc4/fc5 weights multiplied per input column by (1 + ZScale*z_w),
// their biases shifted by ZScale*z_b.
func (m *Model) modulate(dst, z []float64) {
	copy(dst, m.base)
	zs := m.Config.ZScale
	hd := m.Config.headDim()
	for k, d := range m.l.head {
		W := d.weight(dst)
		zw := z[k*hd : (k+1)*hd]
		for o := 0; o < d.out; o++ {
			row := W[o*d.in : (o+1)*d.in]
			for i := range row {
				row[i] *= 1 + zs*zw[i]
			}
		}
		shift := zs * z[3*hd+k]
		b := d.bias(dst)
		for o := range b {
			b[o] += shift
		}
	}
}

// modulateBackward maps dL/dtheta0 (v) to dL/dbase (added to gBase) and
// dL/dz (set in gz).
func (m *Model) modulateBackward(gBase, gz, v, z []float64) {
	for i, x := range v {
		gBase[i] += x
	}
	clear(gz)
	zs := m.Config.ZScale
	hd := m.Config.headDim()
	for k, d := range m.l.head {
		W := d.weight(m.base)
		vW := d.weight(v)
		gW := d.weight(gBase)
		zw := z[k*hd : (k+1)*hd]
		gzw := gz[k*hd : (k+1)*hd]
		for o := 0; o < d.out; o++ {
			row := W[o*d.in : (o+1)*d.in]
			vrow := vW[o*d.in : (o+1)*d.in]
			grow := gW[o*d.in : (o+1)*d.in]
			for i := range row {
				// gBase already holds v; scale it to v*(1+zs*zw).
				grow[i] += vrow[i] * zs * zw[i]
				gzw[i] += zs * vrow[i] * row[i]
			}
		}
		sum := 0.0
		for _, x := range d.bias(v) {
			sum += x
		}
		gz[3*hd+k] = zs * sum
	}
}

// innerRate returns the inner learning rate of parameter i.
func (m *Model) innerRate(i int) float64 {
	if m.taskLR != nil {
		return m.taskLR[i]
	}
	return m.Config.InnerLR
}

// stepTo sets dst = theta - lr .* g.
func (m *Model) stepTo(dst, theta, g []float64) {
	if m.taskLR != nil {
		for i := range dst {
			dst[i] = theta[i] - m.taskLR[i]*g[i]
		}
		return
	}
	lr := m.Config.InnerLR
	for i := range dst {
		dst[i] = theta[i] - lr*g[i]
	}
}

// checkFinite returns an error naming the first non-finite value.
func checkFinite(what string, xs []float64) error {
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("predictor: %s[%d] = %v is not finite", what, i, v)
		}
	}
	return nil
}
