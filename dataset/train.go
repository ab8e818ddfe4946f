package dataset

import (
	"fmt"

	"github.com/helpwasm/helpwasm/predictor"
)

// Methods are the meta-learning variants MethodConfig knows.
var Methods = []string{"help", "metasgd", "maml"}

// MethodConfig is base (a space's HELP configuration) turned into the
// configuration of a training method: help (hardware embedding, z and
// Meta-SGD), metasgd (no embedding, no z) or maml (no embedding, no z,
// fixed inner rate).
func MethodConfig(base predictor.Config, method string) (predictor.Config, error) {
	c := base
	switch method {
	case "help":
	case "metasgd":
		c.HWEmbed, c.Modulator = false, false
	case "maml":
		c.HWEmbed, c.Modulator, c.MetaSGD = false, false, false
	default:
		return c, fmt.Errorf("dataset: method %q: want help, metasgd or maml", method)
	}
	return c, nil
}

// MethodOf names the variant c is: help, metasgd, maml, or a description
// of a custom mix.
func MethodOf(c predictor.Config) string {
	switch {
	case c.HWEmbed && c.Modulator && c.MetaSGD:
		return "help"
	case !c.HWEmbed && !c.Modulator && c.MetaSGD:
		return "metasgd"
	case !c.HWEmbed && !c.Modulator && !c.MetaSGD:
		return "maml"
	}
	return fmt.Sprintf("a custom variant (hw_embed=%v modulator=%v meta_sgd=%v)", c.HWEmbed, c.Modulator, c.MetaSGD)
}

// TrainOptions size HELP's meta-training set-up.
type TrainOptions struct {
	// Support and Query are the samples per task of an episode.
	Support, Query int
	// ValidSamples are the support samples per validation device, drawn
	// once with Seed.
	ValidSamples int
	Seed         uint64
}

// TrainSetup is what predictor.Train needs.
type TrainSetup struct {
	Sampler *predictor.PoolSampler
	Valid   []predictor.Task
}

// NewTrainSetup builds HELP's episode sampler over the meta-train devices'
// trimmed training pools and fixed validation tasks on the meta-validation
// devices: o.ValidSamples support samples from each one's training pool
// (drawn once from o.Seed, so scores are comparable across episodes) and
// its whole trimmed query pool.
func NewTrainSetup(d *Data, o TrainOptions) (*TrainSetup, error) {
	s := &TrainSetup{Sampler: &predictor.PoolSampler{Support: o.Support, Query: o.Query}}
	for _, name := range d.Proto.Split.MetaTrain {
		dev, err := d.Device(name)
		if err != nil {
			return nil, err
		}
		s.Sampler.Pools = append(s.Sampler.Pools, predictor.DevicePool{
			Device: name, Embedding: dev.Embedding, X: d.Rows(dev.Train), Y: dev.Normalised(nil, dev.Train),
		})
	}
	for _, name := range d.Proto.Split.MetaValid {
		dev, err := d.Device(name)
		if err != nil {
			return nil, err
		}
		rows, err := SupportRows(dev, o.ValidSamples, o.Seed)
		if err != nil {
			return nil, err
		}
		s.Valid = append(s.Valid, predictor.Task{
			Device: name, Embedding: dev.Embedding,
			SupportX: d.Rows(rows), SupportY: dev.Normalised(nil, rows),
			QueryX: d.Rows(dev.Query), QueryY: dev.Normalised(nil, dev.Query),
		})
	}
	return s, nil
}
