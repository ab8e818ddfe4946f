//go:build js && wasm

package main

import (
	"fmt"
	"strings"

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
	}, ""
}

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
