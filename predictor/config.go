package predictor

import (
	"encoding/json"
	"errors"
	"fmt"
)

// EncoderKind selects the architecture encoder, i.e. how a flat encoded
// architecture is read.
type EncoderKind int

const (
	// EncoderGCN is HELP's graph convolution network for NAS-Bench-201:
	// node features then aggregation matrix, read out at the last node.
	EncoderGCN EncoderKind = iota
	// EncoderMLP is HELP's two-layer perceptron for FBNet (a flat vector).
	EncoderMLP
)

func (k EncoderKind) String() string {
	switch k {
	case EncoderGCN:
		return "gcn"
	case EncoderMLP:
		return "mlp"
	}
	return fmt.Sprintf("EncoderKind(%d)", int(k))
}

// MarshalJSON writes the encoder by name ("gcn", "mlp").
func (k EncoderKind) MarshalJSON() ([]byte, error) {
	if k != EncoderGCN && k != EncoderMLP {
		return nil, fmt.Errorf("predictor: unknown encoder %d", int(k))
	}
	return json.Marshal(k.String())
}

// UnmarshalJSON reads an encoder name (or the number older files hold).
func (k *EncoderKind) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("predictor: encoder %s: want \"gcn\" or \"mlp\"", b)
		}
		*k = EncoderKind(n)
		return nil
	}
	switch s {
	case "gcn":
		*k = EncoderGCN
	case "mlp":
		*k = EncoderMLP
	default:
		return fmt.Errorf("predictor: unknown encoder %q (want gcn or mlp)", s)
	}
	return nil
}

// Config fixes the model's shapes and the meta-learning variant. The zero
// value is not usable; start from NASBench201Config, FBNetConfig or
// OFAConfig.
type Config struct {
	// Space names the search space the weights belong to ("nasbench201").
	Space string `json:"space"`
	// Encoder selects the architecture encoder.
	Encoder EncoderKind `json:"encoder"`
	// NumNodes and NodeFeatures shape the GCN input (9 x 8); unused by MLP.
	NumNodes     int `json:"num_nodes,omitempty"`
	NodeFeatures int `json:"node_features,omitempty"`
	// InputDim is the MLP input length (132 for FBNet, 145 for OFA);
	// unused by GCN.
	InputDim int `json:"input_dim,omitempty"`
	// Hidden is HELP's layer_size (100).
	Hidden int `json:"hidden"`
	// EmbedDim is the hardware embedding length (10 reference archs).
	EmbedDim int `json:"embed_dim"`
	// HWEmbed turns the hardware branch on (HELP); off makes the head
	// Hidden wide instead of 2*Hidden (the Meta-SGD baseline).
	HWEmbed bool `json:"hw_embed"`
	// Modulator turns the inference network z on.
	Modulator bool `json:"modulator"`
	// MetaSGD learns a per-parameter inner rate (initialised to InnerLR);
	// off is MAML with the fixed rate InnerLR.
	MetaSGD bool `json:"meta_sgd"`
	// InnerLR is MAML's fixed inner rate and Meta-SGD's initial rate.
	InnerLR float64 `json:"inner_lr"`
	// InnerSteps is the number of inner gradient steps (2).
	InnerSteps int `json:"inner_steps"`
	// ZScale multiplies z before it modulates the head (0.01).
	ZScale float64 `json:"z_scale"`
	// KLScale weights the KL term of the meta-objective (0.1).
	KLScale float64 `json:"kl_scale"`
}

// NASBench201Config is HELP's configuration for NAS-Bench-201.
func NASBench201Config() Config {
	return Config{
		Space: "nasbench201", Encoder: EncoderGCN, NumNodes: 9, NodeFeatures: 8,
		Hidden: 100, EmbedDim: 10, HWEmbed: true, Modulator: true, MetaSGD: true,
		InnerLR: 1e-3, InnerSteps: 2, ZScale: 0.01, KLScale: 0.1,
	}
}

// FBNetConfig is HELP's configuration for the FBNet space.
func FBNetConfig() Config {
	c := NASBench201Config()
	c.Space, c.Encoder, c.NumNodes, c.NodeFeatures, c.InputDim = "fbnet", EncoderMLP, 0, 0, 132
	return c
}

// OFAConfig is HELP's configuration for the OFA MobileNetV3 space: the
// FBNet MLP encoder on arch_encoding_ofa's 145 values
// (script/run_meta_training_ofa.sh keeps main.py's other defaults).
func OFAConfig() Config {
	c := FBNetConfig()
	c.Space, c.InputDim = "ofa", 145
	return c
}

// InputLen is the length of one encoded architecture.
func (c Config) InputLen() int {
	if c.Encoder == EncoderGCN {
		return c.NumNodes*c.NodeFeatures + c.NumNodes*c.NumNodes
	}
	return c.InputDim
}

// headDim is the width of fc3/fc4 (the concatenation of arch and hw).
func (c Config) headDim() int {
	if c.HWEmbed {
		return 2 * c.Hidden
	}
	return c.Hidden
}

// zDim is the length of z: one scale per input column of fc3, fc4, fc5 and
// one bias shift for each.
func (c Config) zDim() int { return 3*c.headDim() + 3 }

// Validate reports the first inconsistent field.
func (c Config) Validate() error {
	switch {
	case c.Encoder != EncoderGCN && c.Encoder != EncoderMLP:
		return fmt.Errorf("predictor: config: unknown encoder %v", c.Encoder)
	case c.Encoder == EncoderGCN && (c.NumNodes < 1 || c.NodeFeatures < 1 || c.NumNodes > 64 || c.NodeFeatures > 4096):
		return fmt.Errorf("predictor: config: GCN needs 1..64 nodes and 1..4096 node features, got %d x %d", c.NumNodes, c.NodeFeatures)
	case c.Encoder == EncoderMLP && (c.InputDim < 1 || c.InputDim > 1<<16):
		return fmt.Errorf("predictor: config: MLP input_dim %d out of range", c.InputDim)
	case c.Hidden < 1 || c.Hidden > 4096:
		return fmt.Errorf("predictor: config: hidden %d out of range", c.Hidden)
	case c.EmbedDim < 1 || c.EmbedDim > 4096:
		return fmt.Errorf("predictor: config: embed_dim %d out of range", c.EmbedDim)
	case c.InnerSteps < 0 || c.InnerSteps > 100:
		return fmt.Errorf("predictor: config: inner_steps %d out of range", c.InnerSteps)
	case !(c.InnerLR >= 0) || !(c.ZScale >= 0) || !(c.KLScale >= 0):
		return errors.New("predictor: config: inner_lr, z_scale and kl_scale must be >= 0")
	}
	return nil
}

// CheckShape reports the first input shape in which c, a model's
// configuration, differs from want, its space's (registry) configuration:
// the space (an empty c.Space, as some checkpoints have, is not checked),
// the encoder, the GCN's node count and node features or the MLP's input
// length, and the hardware embedding length. These are fixed by the space's
// encoding and its reference architectures; a model that differs would
// panic or predict from misread inputs. The learning settings (hidden
// width, variant, rates) may differ.
func (c Config) CheckShape(want Config) error {
	switch {
	case c.Space != "" && c.Space != want.Space:
		return fmt.Errorf("predictor: weights are for space %q, not %q", c.Space, want.Space)
	case c.Encoder != want.Encoder:
		return fmt.Errorf("predictor: weights have a %v encoder, the %s predictor a %v", c.Encoder, want.Space, want.Encoder)
	case c.Encoder == EncoderGCN && c.NumNodes != want.NumNodes:
		return fmt.Errorf("predictor: weights' GCN has %d nodes, %s graphs have %d", c.NumNodes, want.Space, want.NumNodes)
	case c.Encoder == EncoderGCN && c.NodeFeatures != want.NodeFeatures:
		return fmt.Errorf("predictor: weights' GCN has %d node features, %s nodes have %d", c.NodeFeatures, want.Space, want.NodeFeatures)
	case c.Encoder == EncoderMLP && c.InputDim != want.InputDim:
		return fmt.Errorf("predictor: weights' MLP takes %d inputs, %s encodings have %d", c.InputDim, want.Space, want.InputDim)
	case c.EmbedDim != want.EmbedDim:
		return fmt.Errorf("predictor: weights' hardware embedding has %d values, %s has %d reference architectures", c.EmbedDim, want.Space, want.EmbedDim)
	}
	return nil
}

// tensor is one named parameter tensor inside a flat parameter vector.
type tensor struct {
	Name  string
	Shape []int
	Off   int
}

func (t tensor) size() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// dense is a fully connected layer inside the flat model parameters:
// y = x op(W) + b with W stored [out,in] (PyTorch Linear) or, when inOut,
// [in,out] (HELP's GraphConvolution).
type dense struct {
	w, b    int
	in, out int
	inOut   bool
}

// layout maps the flat parameter vectors to tensors and layers.
type layout struct {
	model  []tensor // PyTorch names without the "meta_learner." prefix
	zenc   []tensor
	nModel int
	nZenc  int
	arch   []dense // GCN: gc1..gc4; MLP: fc1, fc2
	hw     []dense // fc_hw1, fc_hw2 (empty without HWEmbed)
	head   [3]dense
	zl     [2]dense // z_encoder.0, z_encoder.2
}

func newLayout(c Config) *layout {
	l := &layout{}
	addLinear := func(list *[]tensor, n *int, name string, in, out int, inOut bool) dense {
		d := dense{in: in, out: out, inOut: inOut}
		shape := []int{out, in}
		if inOut {
			shape = []int{in, out}
		}
		d.w = *n
		*list = append(*list, tensor{Name: name + ".weight", Shape: shape, Off: *n})
		*n += in * out
		d.b = *n
		*list = append(*list, tensor{Name: name + ".bias", Shape: []int{out}, Off: *n})
		*n += out
		return d
	}
	h := c.Hidden
	if c.Encoder == EncoderGCN {
		in := c.NodeFeatures
		for i := 1; i <= 4; i++ {
			l.arch = append(l.arch, addLinear(&l.model, &l.nModel, fmt.Sprintf("gc%d", i), in, h, true))
			in = h
		}
	} else {
		l.arch = append(l.arch, addLinear(&l.model, &l.nModel, "fc1", c.InputDim, h, false))
		l.arch = append(l.arch, addLinear(&l.model, &l.nModel, "fc2", h, h, false))
	}
	if c.HWEmbed {
		l.hw = append(l.hw, addLinear(&l.model, &l.nModel, "fc_hw1", c.EmbedDim, h, false))
		l.hw = append(l.hw, addLinear(&l.model, &l.nModel, "fc_hw2", h, h, false))
	}
	hd := c.headDim()
	l.head[0] = addLinear(&l.model, &l.nModel, "fc3", hd, hd, false)
	l.head[1] = addLinear(&l.model, &l.nModel, "fc4", hd, hd, false)
	l.head[2] = addLinear(&l.model, &l.nModel, "fc5", hd, 1, false)
	if c.Modulator {
		l.zl[0] = addLinear(&l.zenc, &l.nZenc, "z_encoder.0", c.EmbedDim, 10, false)
		l.zl[1] = addLinear(&l.zenc, &l.nZenc, "z_encoder.2", 10, 2*c.zDim(), false)
	}
	return l
}
