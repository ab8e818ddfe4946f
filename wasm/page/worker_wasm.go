//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"runtime"
	"syscall/js"
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/worker"
	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/measure"
	"github.com/helpwasm/helpwasm/predictor"
	"github.com/helpwasm/helpwasm/space"
)

// runWorker connects app/worker.Service to postMessage. worker.js has
// downloaded the weights and the atlas beside this program.
func runWorker() {
	self := js.Global()
	post := func(e protocol.Event) { self.Call("postMessage", protocol.EncodeEvent(e)) }
	start := time.Now()
	svc, err := loadService(self, post)
	if err != nil {
		post(protocol.Event{Kind: protocol.KindError, Message: "The measuring worker could not load its data: " + err.Error()})
		select {}
	}
	self.Set("onmessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		req, err := protocol.DecodeRequest(args[0].Get("data").String())
		if err != nil {
			post(protocol.Event{Kind: protocol.KindError, Message: err.Error()})
			return nil
		}
		svc.Handle(req)
		return nil
	}))
	ready := svc.Ready(float64(time.Since(start)) / float64(time.Millisecond))
	post(protocol.Event{Kind: protocol.KindReady, Ready: &ready})
	select {}
}

func loadService(self js.Value, post func(protocol.Event)) (*worker.Service, error) {
	assets := self.Get("helpwasmAssets")
	if assets.IsUndefined() {
		return nil, fmt.Errorf("worker.js did not provide the weights and atlas")
	}
	model, err := predictor.Load(bytes.NewReader(jsBytes(assets.Get("weights"))))
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	at, err := atlas.Read(bytes.NewReader(jsBytes(assets.Get("atlas"))))
	if err != nil {
		return nil, fmt.Errorf("atlas: %w", err)
	}
	entry, _, err := pageSpace()
	if err != nil {
		return nil, err
	}
	isolated := self.Get("crossOriginIsolated").Truthy()
	nav := self.Get("navigator")
	return worker.New(worker.Config{
		Space: entry.Space,
		Build: func(a space.Arch) measure.Item { return measure.ItemFunc(entry.Build(a, networkSeed).Forward) },
		Model: model,
		Atlas: at,
		Emit:  post,
		// Sleeping hands control back to the browser's event loop, which
		// then delivers queued messages (cancel, tab hidden or shown).
		Yield: func() { time.Sleep(time.Millisecond) },
		Runtime: measure.Runtime{
			GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(),
			UserAgent:           nav.Get("userAgent").String(),
			CrossOriginIsolated: &isolated,
			CPUs:                nav.Get("hardwareConcurrency").Int(),
		},
	})
}

// networkSeed seeds the engine's pseudo-random weights; timings do not
// depend on weight values, so any fixed seed will do.
const networkSeed = 1

func jsBytes(v js.Value) []byte {
	b := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(b, v)
	return b
}
