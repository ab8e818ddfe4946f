//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/vugu/vugu"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/setup"
)

// browser implements state.Platform and the DOM listeners of the UI.
type browser struct {
	worker js.Value
	perf   js.Value
	events chan string

	// The automation hook's outstanding requests (window.helpwasm), by
	// their negative ids (the page's own are positive).
	mu      sync.Mutex
	hookID  int
	pending map[int][2]js.Value // resolve, reject
	// memWaiters resolve testWorkerMemory's promises (?test-hooks).
	memWaiters []js.Value
}

// newBrowser takes over the worker boot.js started.
func newBrowser() *browser {
	return &browser{
		worker:  js.Global().Get("helpwasmWorker").Get("worker"),
		perf:    js.Global().Get("performance"),
		events:  make(chan string, 256),
		pending: map[int][2]js.Value{},
	}
}

// connect routes worker messages, key presses and visibility changes to page.
func (b *browser) connect(page *setup.Page) {
	b.listen(b.worker)
	// Messages that arrived before the UI started, in order (no new one
	// can be delivered before this function returns to the event loop).
	early := js.Global().Get("helpwasmWorker").Get("early")
	for i := range early.Length() {
		b.events <- early.Index(i).String()
	}
	go func() {
		for s := range b.events {
			e, err := protocol.DecodeEvent(s)
			if err != nil {
				e = protocol.Event{Kind: protocol.KindError, Message: err.Error()}
			}
			if e.ID < 0 {
				b.settle(e) // the automation hook's, not the page's
				continue
			}
			if e.Kind == protocol.KindDied {
				b.rejectAll(e.Message) // the hook's requests get no answer
			}
			page.Deliver(e)
		}
	}()

	doc := js.Global().Get("document")
	doc.Call("addEventListener", "keydown", js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := args[0]
		if ev.Get("ctrlKey").Bool() || ev.Get("metaKey").Bool() || ev.Get("altKey").Bool() {
			return nil
		}
		switch ev.Get("target").Get("tagName").String() {
		case "INPUT", "SELECT", "TEXTAREA":
			return nil // typing, not a shortcut
		}
		key := ev.Get("key").String()
		go func() { page.Key(key) }()
		return nil
	}))
	doc.Call("addEventListener", "visibilitychange", js.FuncOf(func(this js.Value, args []js.Value) any {
		hidden := doc.Get("hidden").Bool()
		go page.Visibility(hidden)
		return nil
	}))
}

// hook installs window.helpwasm, the automation hook README.md documents:
// profile() resolves with the current profile as the exported JSON's
// object, predict(archs) with the editor's predictions of a list of
// architecture strings ({arch, ms, half_width_ms, level, method, help_ms,
// mflops, params_m, took_ms} each). Both ask the worker directly, so
// they reject while it is busy (wait for data-state "done").
func (b *browser) hook() {
	api := js.Global().Get("Object").New()
	api.Set("profile", js.FuncOf(func(this js.Value, args []js.Value) any {
		return b.ask(protocol.Request{Kind: protocol.KindExport})
	}))
	api.Set("predict", js.FuncOf(func(this js.Value, args []js.Value) any {
		var archs []string
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			for i := range args[0].Length() {
				archs = append(archs, args[0].Index(i).String())
			}
		}
		if len(archs) == 0 {
			return js.Global().Get("Promise").Call("reject", js.Global().Get("Error").New("helpwasm.predict wants a non-empty array of architecture strings"))
		}
		return b.ask(protocol.Request{Kind: protocol.KindPredict, Arch: archs[0], Archs: archs[1:]})
	}))
	if strings.Contains(b.query(), "test-hooks") {
		// Browser tests only (README.md): the worker's Go program panics.
		api.Set("testKillWorker", js.FuncOf(func(this js.Value, args []js.Value) any {
			b.worker.Call("postMessage", testKillWorker)
			return nil
		}))
		// The worker's memory report (worker_wasm.go's memoryReport).
		api.Set("testWorkerMemory", js.FuncOf(func(this js.Value, args []js.Value) any {
			var exec js.Func
			exec = js.FuncOf(func(this js.Value, args []js.Value) any {
				b.mu.Lock()
				b.memWaiters = append(b.memWaiters, args[0])
				b.mu.Unlock()
				b.worker.Call("postMessage", testMemory)
				exec.Release()
				return nil
			})
			return js.Global().Get("Promise").New(exec)
		}))
	}
	js.Global().Set("helpwasm", api)
}

// ask posts r under a new negative id and returns a promise that settle
// resolves or rejects.
func (b *browser) ask(r protocol.Request) js.Value {
	var exec js.Func
	exec = js.FuncOf(func(this js.Value, args []js.Value) any {
		b.mu.Lock()
		b.hookID--
		r.ID = b.hookID
		b.pending[r.ID] = [2]js.Value{args[0], args[1]}
		b.mu.Unlock()
		b.Post(r)
		exec.Release()
		return nil
	})
	return js.Global().Get("Promise").New(exec)
}

// settle answers the hook's request e replies to.
func (b *browser) settle(e protocol.Event) {
	switch e.Kind {
	case protocol.KindProgress, protocol.KindWarning:
		return // not an answer
	}
	b.mu.Lock()
	p, ok := b.pending[e.ID]
	delete(b.pending, e.ID)
	b.mu.Unlock()
	if !ok {
		return
	}
	parse := func(v any) js.Value {
		s, err := json.Marshal(v)
		if err != nil {
			return js.Null()
		}
		return js.Global().Get("JSON").Call("parse", string(s))
	}
	switch {
	case e.Kind == protocol.KindExported:
		p[0].Invoke(js.Global().Get("JSON").Call("parse", e.ProfileJSON))
	case e.Kind == protocol.KindPrediction && e.Prediction != nil:
		p[0].Invoke(parse(append([]protocol.Prediction{*e.Prediction}, e.Predictions...)))
	case e.Kind == protocol.KindError:
		p[1].Invoke(js.Global().Get("Error").New(e.Message))
	default:
		p[1].Invoke(js.Global().Get("Error").New("unexpected answer " + string(e.Kind)))
	}
}

// listen routes w's messages to b.events. JS callbacks must not block,
// so messages queue up there and a goroutine applies them under the
// render lock. An uncaught exception in w (its 'error' event) means the
// Go program in it is gone or broken: it becomes a KindDied event (state
// reports it as a load error if the worker never became ready).
func (b *browser) listen(w js.Value) {
	w.Set("onmessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := args[0].Get("data").String()
		if rest, ok := strings.CutPrefix(msg, testMemory+":"); ok {
			b.mu.Lock()
			waiters := b.memWaiters
			b.memWaiters = nil
			b.mu.Unlock()
			for _, resolve := range waiters {
				resolve.Invoke(js.Global().Get("JSON").Call("parse", rest))
			}
			return nil
		}
		b.events <- msg
		return nil
	}))
	w.Set("onerror", js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := "The measuring worker crashed"
		if m := args[0].Get("message"); m.Type() == js.TypeString {
			if strings.Contains(m.String(), "Go program has already exited") {
				// A message or timer reached the exited program:
				// worker.js reports the exit itself, with its reason.
				return nil
			}
			msg += ": " + m.String()
		}
		b.events <- protocol.EncodeEvent(protocol.Event{Kind: protocol.KindDied, Message: msg})
		return nil
	}))
}

// Restart implements state.Platform: it ends the worker and starts a new
// one from the same script (worker.js, with ?test-hooks if the page had
// it). Events the old worker queued before it ended are still applied.
func (b *browser) Restart() {
	b.worker.Set("onmessage", js.Null())
	b.worker.Set("onerror", js.Null())
	b.worker.Call("terminate")
	b.worker = js.Global().Get("Worker").New(js.Global().Get("helpwasmWorker").Get("url"))
	b.listen(b.worker)
}

// rejectAll rejects the hook's outstanding requests.
func (b *browser) rejectAll(msg string) {
	b.mu.Lock()
	pending := b.pending
	b.pending = map[int][2]js.Value{}
	b.mu.Unlock()
	for _, p := range pending {
		p[1].Invoke(js.Global().Get("Error").New(msg))
	}
}

func (b *browser) query() string { return js.Global().Get("location").Get("search").String() }

// Post implements state.Platform.
func (b *browser) Post(r protocol.Request) { b.worker.Call("postMessage", protocol.EncodeRequest(r)) }

// Now implements state.Platform with performance.now().
func (b *browser) Now() time.Duration {
	return time.Duration(b.perf.Call("now").Float() * float64(time.Millisecond))
}

// Download implements state.Platform: a temporary object URL and a click.
func (b *browser) Download(filename, mime, text string) {
	doc := js.Global().Get("document")
	blob := js.Global().Get("Blob").New([]any{text}, map[string]any{"type": mime})
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := doc.Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", filename)
	a.Set("className", "hidden")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// Revoke later: the download starts asynchronously.
	js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	}), 60000)
}

// Reveal implements state.Platform: the element is scrolled into view on
// the first animation frame it exists in (it may appear only with the
// render that follows the handler calling Reveal), for up to 120 frames.
func (b *browser) Reveal(id string) {
	doc := js.Global().Get("document")
	frames := 0
	var step js.Func
	step = js.FuncOf(func(js.Value, []js.Value) any {
		if el := doc.Call("getElementById", id); !el.IsNull() {
			// A short element (a message) is centred; a tall one (the
			// editor) starts at the top of the window.
			block := "center"
			if el.Call("getBoundingClientRect").Get("height").Float() > js.Global().Get("innerHeight").Float()/2 {
				block = "start"
			}
			el.Call("scrollIntoView", map[string]any{"block": block})
			step.Release()
			return nil
		}
		if frames++; frames > 120 {
			step.Release()
			return nil
		}
		js.Global().Call("requestAnimationFrame", step)
		return nil
	})
	js.Global().Call("requestAnimationFrame", step)
}

// files implements ui.Files with File.text().
type files struct{}

func (files) ReadFile(ev vugu.DOMEvent, done func(text string, err error)) {
	target := js.Value(ev.JSEventTarget())
	list := target.Get("files")
	if list.IsUndefined() || list.Length() == 0 {
		go done("", errors.New("no file chosen"))
		return
	}
	var then, fail js.Func
	then = js.FuncOf(func(this js.Value, args []js.Value) any {
		text := args[0].String()
		go done(text, nil)
		then.Release()
		fail.Release()
		return nil
	})
	fail = js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := args[0].Call("toString").String()
		go done("", errors.New(msg))
		then.Release()
		fail.Release()
		return nil
	})
	list.Index(0).Call("text").Call("then", then, fail)
	target.Set("value", "") // choosing the same file again fires change again
}
