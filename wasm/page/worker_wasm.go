//go:build js && wasm

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
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
// downloaded the first space's weights and atlas beside this program;
// the other spaces' files are fetched on first use.
func runWorker() {
	// WebAssembly memory only grows, so the garbage collector's headroom
	// (GOGC=100: up to the live heap again) becomes the tab's for good.
	// An OFA profile's networks are about 190 MB live (engine.OFABuilder);
	// natively this limit took the quick profile's peak from 310 to 258
	// MB and the thorough one's from 391 to 268 MB (docs/RESULTS.md
	// "ofamem branch"). It is soft: above it the collector runs more
	// often, which costs building time, not timed samples (Forward
	// allocates nothing, so no collection starts inside a sample).
	debug.SetMemoryLimit(workerMemoryLimit)
	self := js.Global()
	post := func(e protocol.Event) { self.Call("postMessage", protocol.EncodeEvent(e)) }
	start := time.Now()
	svc, err := loadService(self, post)
	if err != nil {
		post(protocol.Event{Kind: protocol.KindError, Message: "The measuring worker could not load its data: " + err.Error()})
		select {}
	}
	testHooks := strings.Contains(self.Get("location").Get("search").String(), "test-hooks")
	self.Set("onmessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := args[0].Get("data").String()
		if testHooks && msg == testKillWorker {
			// A panic no recover sees, as a bug would be: the program exits.
			go func() { panic("test-kill-worker: killed on request (?test-hooks)") }()
			return nil
		}
		if testHooks && msg == testMemory {
			self.Call("postMessage", testMemory+":"+memoryReport(self))
			return nil
		}
		req, err := protocol.DecodeRequest(msg)
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

// workerMemoryLimit is the worker's soft memory limit (runWorker).
const workerMemoryLimit = 256 << 20

// testKillWorker is the message that makes a worker started with
// ?test-hooks (worker.js?test-hooks, from a page loaded with ?test-hooks)
// panic, for the browser test of the page's restart; any other worker
// decodes it as a malformed request.
const testKillWorker = "test-kill-worker"

// testMemory is the message that makes a worker started with ?test-hooks
// answer "test-memory:" and memoryReport's JSON, for the browser test of
// the OFA profile's memory.
const testMemory = "test-memory"

// memoryReport is the worker's memory in MB: its WebAssembly linear
// memory (wasm; it never shrinks, so this is its peak), and of the Go
// heap inside it the objects (live and not yet collected), the live heap
// as the last collection found it, and all the runtime holds.
func memoryReport(self js.Value) string {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	mb := func(v uint64) float64 { return float64(v) / 1e6 }
	r := map[string]float64{"objects": mb(s[0].Value.Uint64()), "live": mb(s[1].Value.Uint64()), "held": mb(s[2].Value.Uint64())}
	if m := self.Get("helpwasmWasmMemory"); m.Truthy() {
		r["wasm"] = float64(m.Get("buffer").Get("byteLength").Int()) / 1e6
	}
	b, _ := json.Marshal(r)
	return string(b)
}

func loadService(self js.Value, post func(protocol.Event)) (*worker.Service, error) {
	assets := self.Get("helpwasmAssets")
	if assets.IsUndefined() {
		return nil, fmt.Errorf("worker.js did not provide the weights and atlas")
	}
	first, err := spaceData(spaceNames[0], jsBytes(assets.Get("weights")), jsBytes(assets.Get("atlas")), nil)
	if err != nil {
		return nil, err
	}
	isolated := self.Get("crossOriginIsolated").Truthy()
	nav := self.Get("navigator")
	gpu, noGPU := openGPU()
	return worker.New(worker.Config{
		GPU:   gpu,
		NoGPU: noGPU,
		Space: first.Space,
		Build: first.Build,
		Model: first.Model,
		Atlas: first.Atlas,
		Pool:  first.Pool,
		Load:  loadSpace,
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

// loadSpace fetches another space's files (wasm/pagedata's names) and
// builds its data; worker.Config.Load.
func loadSpace(name string) (worker.Data, error) {
	known := false
	for _, n := range spaceNames[1:] {
		known = known || n == name
	}
	if !known {
		return worker.Data{}, fmt.Errorf("this page does not serve it (it serves %s)", strings.Join(spaceNames, ", "))
	}
	w, err := fetchBytes(name + ".helpw")
	if err != nil {
		return worker.Data{}, err
	}
	a, err := fetchBytes(name + ".atlas.json")
	if err != nil {
		return worker.Data{}, err
	}
	var pool []byte
	e, _, err := pageSpace(name)
	if err != nil {
		return worker.Data{}, err
	}
	if _, ok := e.Space.(space.Enumerable); !ok {
		if pool, err = fetchBytes(name + ".pool.txt"); err != nil {
			return worker.Data{}, err
		}
	}
	return spaceData(name, w, a, pool)
}

// spaceData decodes a space's weights, atlas and pool (one architecture
// a line; nil for an enumerable space).
func spaceData(name string, weights, atl, pool []byte) (worker.Data, error) {
	entry, _, err := pageSpace(name)
	if err != nil {
		return worker.Data{}, err
	}
	model, err := predictor.Load(bytes.NewReader(weights))
	if err != nil {
		return worker.Data{}, fmt.Errorf("%s weights: %w", name, err)
	}
	// The same check of weights against their space as every CLI command.
	if _, err := entry.Encoder(model); err != nil {
		return worker.Data{}, fmt.Errorf("%s weights: %w", name, err)
	}
	at, err := atlas.Read(bytes.NewReader(atl))
	if err != nil {
		return worker.Data{}, fmt.Errorf("%s atlas: %w", name, err)
	}
	d := worker.Data{
		Space: entry.Space,
		Build: func(a space.Arch) measure.Item { return entry.Item(a, networkSeed) },
		Model: model,
		Atlas: at,
	}
	sc := bufio.NewScanner(bytes.NewReader(pool))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		a, err := entry.Space.Parse(s)
		if err != nil {
			return worker.Data{}, fmt.Errorf("%s.pool.txt line %d: %w", name, line, err)
		}
		d.Pool = append(d.Pool, a)
	}
	return d, nil
}

// fetchBytes downloads a file beside the worker. It blocks the calling
// goroutine (not the event loop) until the fetch settles.
func fetchBytes(name string) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	var onBody, onResp, onFail js.Func
	release := func() { onBody.Release(); onResp.Release(); onFail.Release() }
	onFail = js.FuncOf(func(this js.Value, args []js.Value) any {
		done <- result{err: fmt.Errorf("%s: %s", name, args[0].Call("toString").String())}
		return nil
	})
	onBody = js.FuncOf(func(this js.Value, args []js.Value) any {
		arr := js.Global().Get("Uint8Array").New(args[0])
		done <- result{b: jsBytes(arr)}
		return nil
	})
	onResp = js.FuncOf(func(this js.Value, args []js.Value) any {
		r := args[0]
		if !r.Get("ok").Bool() {
			done <- result{err: fmt.Errorf("%s: HTTP %d", name, r.Get("status").Int())}
			return nil
		}
		r.Call("arrayBuffer").Call("then", onBody, onFail)
		return nil
	})
	js.Global().Call("fetch", name).Call("then", onResp, onFail)
	r := <-done
	release()
	if r.err == nil && len(r.b) == 0 {
		r.err = errors.New(name + ": empty file")
	}
	return r.b, r.err
}

// networkSeed seeds the engine's pseudo-random weights; timings do not
// depend on weight values, so any fixed seed will do.
const networkSeed = 1

func jsBytes(v js.Value) []byte {
	b := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(b, v)
	return b
}
