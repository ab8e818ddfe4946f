package predictor

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// jsonTensor is one tensor of the authors' checkpoint as exported to JSON.
type jsonTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type jsonCheckpoint struct {
	Episode          *int                  `json:"episode"`
	Model            map[string]jsonTensor `json:"model"`
	InferenceNetwork map[string]jsonTensor `json:"inference_network"`
	TaskLR           map[string]jsonTensor `json:"task_lr"`
}

const torchPrefix = "meta_learner."

// LoadHELPCheckpoint reads the authors' meta-trained HELP model exported to
// JSON (help_reference_checkpoint.json: {"episode", "model",
// "inference_network", "task_lr"}, each tensor {shape, data} in row-major
// order under its PyTorch name). The configuration is inferred from the
// tensors present: gc1..gc4 mean the GCN encoder, fc1/fc2 the MLP; fc_hw1
// the hardware branch; inference_network the modulator; task_lr Meta-SGD.
func LoadHELPCheckpoint(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	defer f.Close()
	m, err := ReadHELPCheckpoint(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.Meta.Source = "HELP checkpoint " + path
	return m, nil
}

// ReadHELPCheckpoint is LoadHELPCheckpoint from a reader.
func ReadHELPCheckpoint(r io.Reader) (*Model, error) {
	var ck jsonCheckpoint
	dec := json.NewDecoder(r)
	if err := dec.Decode(&ck); err != nil {
		return nil, fmt.Errorf("predictor: HELP checkpoint: %w", err)
	}
	return fromCheckpoint(&ck)
}

// fromCheckpoint builds a model from the authors' tensors (JSON or .pt).
func fromCheckpoint(ck *jsonCheckpoint) (*Model, error) {
	if len(ck.Model) == 0 {
		return nil, fmt.Errorf("predictor: HELP checkpoint: no \"model\" tensors")
	}
	get := func(name string) (jsonTensor, bool) {
		t, ok := ck.Model[torchPrefix+name]
		return t, ok
	}
	var cfg Config
	if gc1, ok := get("gc1.weight"); ok {
		if len(gc1.Shape) != 2 {
			return nil, fmt.Errorf("predictor: HELP checkpoint: meta_learner.gc1.weight has shape %s, want 2-D", short(gc1.Shape))
		}
		cfg = NASBench201Config()
		cfg.NodeFeatures, cfg.Hidden = gc1.Shape[0], gc1.Shape[1]
		// HELP's NAS-Bench-201 graphs: 8 cell nodes plus the global node.
		cfg.NumNodes = 9
	} else if fc1, ok := get("fc1.weight"); ok {
		if len(fc1.Shape) != 2 {
			return nil, fmt.Errorf("predictor: HELP checkpoint: meta_learner.fc1.weight has shape %s, want 2-D", short(fc1.Shape))
		}
		cfg = FBNetConfig()
		cfg.Hidden, cfg.InputDim = fc1.Shape[0], fc1.Shape[1]
		switch cfg.InputDim {
		case 132:
		case 145: // arch_encoding_ofa
			cfg.Space = "ofa"
		default:
			cfg.Space = ""
		}
	} else {
		return nil, fmt.Errorf("predictor: HELP checkpoint: neither meta_learner.gc1.weight nor meta_learner.fc1.weight present")
	}
	hw, ok := get("fc_hw1.weight")
	cfg.HWEmbed = ok
	if ok && len(hw.Shape) == 2 {
		cfg.EmbedDim = hw.Shape[1]
	}
	if z0, ok := ck.InferenceNetwork["z_encoder.0.weight"]; ok && !cfg.HWEmbed && len(z0.Shape) == 2 {
		cfg.EmbedDim = z0.Shape[1]
	}
	cfg.Modulator = len(ck.InferenceNetwork) > 0
	cfg.MetaSGD = len(ck.TaskLR) > 0
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("predictor: HELP checkpoint: %w", err)
	}
	// Shapes come from the file: refuse to allocate more than it holds.
	have := 0
	for _, group := range []map[string]jsonTensor{ck.Model, ck.TaskLR, ck.InferenceNetwork} {
		for _, t := range group {
			have += len(t.Data)
		}
	}
	if need := paramCount(cfg); need > have {
		return nil, fmt.Errorf("predictor: HELP checkpoint: shapes imply %d parameters, the file holds %d values", need, have)
	}
	m, err := newModel(cfg)
	if err != nil {
		return nil, fmt.Errorf("predictor: HELP checkpoint: %w", err)
	}
	fill := func(group string, src map[string]jsonTensor, prefix string, ts []tensor, dst []float64) error {
		seen := 0
		for _, t := range ts {
			jt, ok := src[prefix+t.Name]
			if !ok {
				return fmt.Errorf("predictor: HELP checkpoint: %s: missing tensor %s%s (shape %v)", group, prefix, t.Name, t.Shape)
			}
			if !slices.Equal(jt.Shape, t.Shape) {
				return fmt.Errorf("predictor: HELP checkpoint: %s: tensor %s%s has shape %s, want %v", group, prefix, t.Name, short(jt.Shape), t.Shape)
			}
			if len(jt.Data) != t.size() {
				return fmt.Errorf("predictor: HELP checkpoint: %s: tensor %s%s has %d values, shape %v needs %d", group, prefix, t.Name, len(jt.Data), t.Shape, t.size())
			}
			if err := checkFinite(prefix+t.Name, jt.Data); err != nil {
				return fmt.Errorf("predictor: HELP checkpoint: %s: %w", group, err)
			}
			copy(dst[t.Off:t.Off+t.size()], jt.Data)
			seen++
		}
		if seen != len(src) {
			var extra []string
			for name := range src {
				if !slices.ContainsFunc(ts, func(t tensor) bool { return prefix+t.Name == name }) {
					extra = append(extra, name)
				}
			}
			slices.Sort(extra)
			return fmt.Errorf("predictor: HELP checkpoint: %s: unexpected tensors %s", group, short(strings.Join(extra, ", ")))
		}
		return nil
	}
	if err := fill("model", ck.Model, torchPrefix, m.l.model, m.base); err != nil {
		return nil, err
	}
	if cfg.MetaSGD {
		if err := fill("task_lr", ck.TaskLR, torchPrefix, m.l.model, m.taskLR); err != nil {
			return nil, err
		}
	}
	if cfg.Modulator {
		if err := fill("inference_network", ck.InferenceNetwork, "", m.l.zenc, m.zenc); err != nil {
			return nil, err
		}
	}
	if ck.Episode != nil {
		m.Meta.Episode = *ck.Episode
	}
	return m, nil
}
