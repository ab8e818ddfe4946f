package ui

import (
	"fmt"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
)

// Engines is the device choice: the CPU (our engine in WebAssembly) or,
// where the browser offers a WebGPU adapter, the GPU; otherwise one line
// saying why the GPU is not offered.
type Engines struct {
	App *state.App
}

// EngineOption is one choice of the device select.
type EngineOption struct{ Name, Label string }

// Options are the engines offered.
func (c *Engines) Options() []EngineOption {
	return []EngineOption{
		{protocol.EngineCPU, state.EngineLabel(protocol.EngineCPU)},
		{protocol.EngineGPU, state.EngineLabel(protocol.EngineGPU)},
	}
}

// Adapter names the GPU beside the choice.
func (c *Engines) Adapter() string {
	g := c.App.Ready.GPU
	s := "GPU: " + g.Adapter
	if c.App.Held(protocol.EngineCPU) != nil && c.App.Held(protocol.EngineGPU) == nil {
		s += ". Profile it too to compare the two devices on the same networks."
	}
	return s
}

// Follows says that the next profile times the other engine's profile's
// networks ("" if it draws new ones).
func (c *Engines) Follows() string {
	r := c.App.Following()
	if r == nil || c.App.Held(c.App.Engine()) != nil && c.App.Held(c.App.Engine()).Seed == r.Seed {
		return ""
	}
	val := 0
	if len(r.Validation) > 0 {
		val = len(r.Validation[0].Points)
	}
	return fmt.Sprintf("The next profile times the %s profile's networks (seed %d: %d support, %d validation), so the two can be compared network by network.",
		state.EngineLabel(r.Engine), r.Seed, len(r.Support), val)
}
