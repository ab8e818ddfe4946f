//go:build js && wasm

package main

import (
	"fmt"
	"strings"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/worker"
	"github.com/helpwasm/helpwasm/engine/webgpu"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// openGPU opens the visitor's GPU as the worker's second engine, or says
// in words why there is none (for the page's one line).
func openGPU() (*worker.GPU, string) {
	dev, err := webgpu.Open()
	if err != nil {
		return nil, strings.TrimPrefix(err.Error(), "webgpu: ")
	}
	info := dev.Info()
	return &worker.GPU{
		Adapter: measure.Adapter{Vendor: info.Vendor, Architecture: info.Architecture, Device: info.Device, Description: info.Description},
		Spaces:  []string{"nasbench201"},
		Build: func(name string, a space.Arch) measure.Item {
			arch, ok := a.(nasbench201.Arch)
			if !ok {
				panic(fmt.Sprintf("the GPU engine runs NAS-Bench-201 networks, not %s ones", name))
			}
			net, err := dev.NewNASBench201(arch, networkSeed)
			if err != nil {
				panic(fmt.Sprintf("the GPU could not build %s: %v", a, err))
			}
			return gpuItem{net}
		},
		Options:        gpuOptions,
		Instances:      gpuInstances,
		LabelledRounds: gpuLabelledRounds,
	}, ""
}

// gpuOptions adapts mode's preset to a GPU, the plan the worker times
// GPU profiles by: the CPU's protocol (clock, calibration of inner
// repetitions, interleaved rounds, lower quartile, outlier filter, drift
// checks), but on SwiftShader, the software GPU CI has, a NAS-Bench-201
// forward pass takes 20-500 ms (4-5x the WebAssembly engine's), and the
// CPU's quick plan (10 labelled rounds, 6 validation rounds, re-measuring
// what is noisy: about 440 forwards) would take over a minute, so the
// GPU's quick profile takes 3 rounds (also in the labelled phase:
// gpuLabelledRounds) and re-measures nothing, reporting noisy timings as
// unstable instead (docs/RESULTS.md, gpu-page branch).
// One warm-up forward per network before calibration: pipelines are
// compiled when a network is built and cached on the device, and the
// first dispatch's extra cost stays out of the samples.
func gpuOptions(mode string, o measure.Options) measure.Options {
	o.Warmup = max(o.Warmup, 1)
	if mode == protocol.ModeQuick {
		o.Rounds, o.MinSamples, o.MaxRetries = gpuQuickRounds, gpuQuickRounds, 0
	}
	return o
}

// The GPU plan's sizes: quick rounds (and the labelled phase's, which
// the CPU's plan raises to session.LabelledRounds), and one instance of
// each network, not session.Instances: building a GPU network uploads
// its weights and binds its buffers, and each instance would need its own
// warm-up forward.
const (
	gpuQuickRounds    = 3
	gpuLabelledRounds = gpuQuickRounds
	gpuInstances      = 1
)

// gpuItem is a GPU network as a measure item: a Run is one forward, a
// submit and a wait for the queue. A forward that failed (the device was
// lost) stops the measurement rather than record how fast failing is.
type gpuItem struct{ net *webgpu.Net }

func (g gpuItem) Run() {
	g.net.Forward()
	if err := g.net.Err(); err != nil {
		panic(fmt.Sprintf("the GPU failed: %v", err))
	}
}

// Close frees the network's GPU buffers (session closes timed networks).
func (g gpuItem) Close() { g.net.Close() }
