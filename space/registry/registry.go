// Package registry maps a search space's name to everything the entry
// points (the CLI and the page) need to serve it: the space.Space value,
// HELP's predictor configuration for it, and the engine that builds its
// networks for timing. Only entry points import this package; everything
// below them takes the Entry's values as arguments, so that adding a space
// touches its own package and one line here.
package registry

import (
	"fmt"
	"strings"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/fbnet"
	"github.com/helpwasm/helpwasm/space/nasbench201"
	"github.com/helpwasm/helpwasm/space/ofa"
)

// Network is an engine network built for timing (engine.Net: Forward
// runs one batch-1 inference, MACs is the engine's own count of it).
type Network = engine.Net

// Entry is one registered space.
type Entry struct {
	Space space.Space
	// Config is HELP's predictor configuration for the space (paper
	// settings), the starting point for meta-training.
	Config func() predictor.Config
	// Build returns the engine network of a with weights drawn from seed.
	// The networks of one Entry (one Lookup) may share memory (OFA's share
	// identical layers and their buffers: engine.OFABuilder), so build
	// and run them from one goroutine, one Forward at a time.
	Build func(a space.Arch, seed uint64) Network
}

// Item builds a's network (Build) as a measure.Item: Run is one Forward,
// and Close, which a session calls once the network is timed, releases
// what the network holds where it has something to release (an OFA
// network's copy slot in its builder).
func (e Entry) Item(a space.Arch, seed uint64) measure.Item {
	n := e.Build(a, seed)
	if c, ok := n.(interface{ Close() }); ok {
		return closingItem{n, c}
	}
	return measure.ItemFunc(n.Forward)
}

// closingItem is a network with a Close method, as a measure.Item.
type closingItem struct {
	n Network
	c interface{ Close() }
}

func (it closingItem) Run()   { it.n.Forward() }
func (it closingItem) Close() { it.c.Close() }

// entries lists the registered spaces, in the order Names gives them.
func entries() []Entry {
	ofaBuilder := engine.NewOFABuilder()
	return []Entry{
		{
			Space:  nasbench201.Space{},
			Config: predictor.NASBench201Config,
			Build: func(a space.Arch, seed uint64) Network {
				return engine.New(a.(nasbench201.Arch), seed)
			},
		},
		{
			Space:  fbnet.Space{},
			Config: predictor.FBNetConfig,
			Build: func(a space.Arch, seed uint64) Network {
				return engine.NewFBNet(a.(fbnet.Arch), seed)
			},
		},
		{
			Space:  ofa.Space{},
			Config: predictor.OFAConfig,
			// One builder per Entry: a profile holds 22-32 OFA networks
			// at once, 0.8-1.2 GB built apart (see engine.OFABuilder).
			Build: func(a space.Arch, seed uint64) Network {
				return ofaBuilder.New(a.(ofa.Arch), seed)
			},
		},
	}
}

// Encoder checks that m's weights fit the space and returns the encoding
// they were trained with (m.Meta.Encoding): the one check every entry point
// runs on weights as they load, before any architecture reaches them. The
// shapes must be the space's (predictor.Config.CheckShape: space, encoder,
// node count and features or input length, embedding length) and the
// encoding as long as the weights' input.
func (e Entry) Encoder(m *predictor.Model) (space.Encoder, error) {
	want := e.Config()
	if err := m.Config.CheckShape(want); err != nil {
		return nil, err
	}
	enc, err := e.Space.Encoder(m.Meta.Encoding)
	if err != nil {
		return nil, fmt.Errorf("weights' encoding: %w", err)
	}
	if enc.Len() != m.Config.InputLen() {
		return nil, fmt.Errorf("weights take inputs of %d values, their %s encoding %q has %d", m.Config.InputLen(), want.Space, enc.Meta(), enc.Len())
	}
	return enc, nil
}

// Names returns the registered spaces' names.
func Names() []string {
	var out []string
	for _, e := range entries() {
		out = append(out, e.Space.Name())
	}
	return out
}

// Lookup returns the entry of the space called name.
func Lookup(name string) (Entry, error) {
	for _, e := range entries() {
		if e.Space.Name() == name {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("unknown search space %q (known: %s)", name, strings.Join(Names(), ", "))
}
