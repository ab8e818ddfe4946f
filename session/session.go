package session

import (
	"errors"
	"fmt"
	"slices"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/plan"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space"
)

// Config is what a Session needs; every field but Pool and Yield is
// required.
type Config struct {
	Space space.Space
	Model *predictor.Model
	Atlas *atlas.Atlas
	// Build returns a freshly built network of a to time (the engine's,
	// wrapped as a measure.Item). The session builds Instances per
	// architecture.
	Build func(a space.Arch) measure.Item
	// Pool, optional, lists the architectures PredictAll predicts in a
	// space that is not space.Enumerable (HELP's 5,000 for FBNet). An
	// enumerable space ignores it.
	Pool []space.Arch
	// Instances, optional, is how many separately built copies of each
	// network are timed in turn (0: plan.Instances).
	Instances int
	// Yield, optional, is called between the steps of long computations
	// (each adaptation and fit of Adopt), just before their context is
	// checked, so that a host which delivers messages only while Go is
	// idle (a browser's single-threaded WASM) can deliver a cancel.
	Yield func()
}

// Session serves one search space with one predictor and atlas. It holds
// what does not depend on the device (the encoder, the fixed
// architectures, the plan of bulk prediction); Devices hold the rest. It
// is not safe for concurrent use.
type Session struct {
	cfg       Config
	enc       space.Encoder
	reference []space.Arch
	anchors   [2]space.Arch // fastest, slowest

	shared *shared // what sessions made by On share with this one
}

// shared is what a Session and the sessions On makes of it have in common.
type shared struct {
	all *bulk // the whole space, prepared on first use of PredictAll
}

// New checks that cfg's space, predictor and atlas fit together and
// returns a Session.
func New(cfg Config) (*Session, error) {
	if cfg.Space == nil || cfg.Model == nil || cfg.Atlas == nil || cfg.Build == nil {
		return nil, errors.New("session: Config needs Space, Model, Atlas and Build")
	}
	name := cfg.Space.Name()
	if s := cfg.Model.Config.Space; s != "" && s != name {
		return nil, fmt.Errorf("session: weights are for space %q, not %q", s, name)
	}
	if cfg.Atlas.Space != name {
		return nil, fmt.Errorf("session: atlas is for space %q, not %q", cfg.Atlas.Space, name)
	}
	if n, d := len(cfg.Atlas.Reference), cfg.Model.Config.EmbedDim; n != d {
		return nil, fmt.Errorf("session: atlas has %d reference architectures, weights expect %d", n, d)
	}
	enc, err := cfg.Space.Encoder(cfg.Model.Meta.Encoding)
	if err != nil {
		return nil, fmt.Errorf("session: weights' encoding: %w", err)
	}
	if enc.Len() != cfg.Model.Config.InputLen() {
		return nil, fmt.Errorf("session: encoding of length %d, weights take %d", enc.Len(), cfg.Model.Config.InputLen())
	}
	s := &Session{cfg: cfg, enc: enc, shared: &shared{}}
	if s.reference, err = space.ParseAll(cfg.Space, cfg.Atlas.Reference); err != nil {
		return nil, fmt.Errorf("session: atlas reference: %w", err)
	}
	for i, str := range []string{cfg.Atlas.Anchors.Fastest, cfg.Atlas.Anchors.Slowest} {
		if s.anchors[i], err = cfg.Space.Parse(str); err != nil {
			return nil, fmt.Errorf("session: atlas anchor: %w", err)
		}
	}
	return s, nil
}

// On returns a session that times networks built by build (another
// engine's, such as the GPU's) and shares everything else with s: the
// space, predictor, atlas and the plan of bulk prediction, prepared once
// for both. Profiles and devices stay apart: a Device belongs to the
// session that made or adopted it. Like s, the two are not safe for
// concurrent use, also not with each other.
//
// instances is how many copies of each network it times in turn (0: the
// plan.Instances).
func (s *Session) On(build func(a space.Arch) measure.Item, instances int) *Session {
	if build == nil {
		panic("session: On(nil)")
	}
	t := *s
	t.cfg.Build, t.cfg.Instances = build, instances
	return &t
}

// instances is the number of copies of each network timed in turn.
func (s *Session) instances() int {
	if s.cfg.Instances > 0 {
		return s.cfg.Instances
	}
	return plan.Instances
}

// Space is the session's search space.
func (s *Session) Space() space.Space { return s.cfg.Space }

// Atlas is the session's atlas of known devices.
func (s *Session) Atlas() *atlas.Atlas { return s.cfg.Atlas }

// Model is the session's predictor.
func (s *Session) Model() *predictor.Model { return s.cfg.Model }

// Parse reads an architecture of the session's space.
func (s *Session) Parse(str string) (space.Arch, error) { return s.cfg.Space.Parse(str) }

// CheckProfile checks that p can be used with this session: of its space,
// every architecture one of the space's, and the reference architectures
// the predictor's, in embedding order.
func (s *Session) CheckProfile(p *measure.Profile) error {
	if err := p.CheckSpace(s.cfg.Space); err != nil {
		return err
	}
	got := make([]string, len(p.Reference))
	for i, t := range p.Reference {
		got[i] = t.Arch
	}
	if !slices.Equal(got, s.cfg.Atlas.Reference) {
		return fmt.Errorf("%w: its reference architectures are not the predictor's: the profile was taken with other reference architectures", measure.ErrInvalid)
	}
	return nil
}

// encodeAll encodes archs into one backing buffer.
func (s *Session) encodeAll(archs []space.Arch) [][]float64 {
	n := s.enc.Len()
	buf := make([]float64, n*len(archs))
	xs := make([][]float64, len(archs))
	for i, a := range archs {
		xs[i] = s.enc.Encode(buf[i*n:(i+1)*n:(i+1)*n], a)
	}
	return xs
}

// featuresAll writes the space's structural features of archs into one
// backing buffer.
func (s *Session) featuresAll(archs []space.Arch) [][]float64 {
	n := len(s.cfg.Space.FeatureNames())
	buf := make([]float64, n*len(archs))
	xs := make([][]float64, len(archs))
	for i, a := range archs {
		xs[i] = s.cfg.Space.Features(buf[i*n:(i+1)*n:(i+1)*n], a)
	}
	return xs
}

// flopsAll returns the FLOPs of archs, in millions.
func (s *Session) flopsAll(archs []space.Arch) [][]float64 {
	buf := make([]float64, len(archs))
	xs := make([][]float64, len(archs))
	for i, a := range archs {
		buf[i] = float64(s.cfg.Space.FLOPs(a)) / 1e6
		xs[i] = buf[i : i+1 : i+1]
	}
	return xs
}
