//go:build js && wasm

package main

import (
	"errors"
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
}

// newBrowser takes over the worker boot.js started.
func newBrowser() *browser {
	return &browser{
		worker: js.Global().Get("helpwasmWorker").Get("worker"),
		perf:   js.Global().Get("performance"),
		events: make(chan string, 256),
	}
}

// connect routes worker messages, key presses and visibility changes to page.
func (b *browser) connect(page *setup.Page) {
	// JS callbacks must not block, so worker messages queue up here and a
	// goroutine applies them under the render lock.
	b.worker.Set("onmessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		b.events <- args[0].Get("data").String()
		return nil
	}))
	// Messages that arrived before the UI started, in order (no new one
	// can be delivered before this function returns to the event loop).
	early := js.Global().Get("helpwasmWorker").Get("early")
	for i := range early.Length() {
		b.events <- early.Index(i).String()
	}
	b.worker.Set("onerror", js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := "The measuring worker crashed"
		if m := args[0].Get("message"); m.Type() == js.TypeString {
			msg += ": " + m.String()
		}
		b.events <- protocol.EncodeEvent(protocol.Event{Kind: protocol.KindError, Message: msg + ". Reload the page to start again."})
		return nil
	}))
	go func() {
		for s := range b.events {
			e, err := protocol.DecodeEvent(s)
			if err != nil {
				e = protocol.Event{Kind: protocol.KindError, Message: err.Error()}
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
