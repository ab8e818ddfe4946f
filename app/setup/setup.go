// Package setup wires the page together: the application state, the root
// component, and the entry points the browser glue in wasm/ calls (worker
// events, keyboard shortcuts, tab visibility), each under vugu's render lock.
package setup

import (
	"github.com/vugu/vugu"

	"github.com/helpwasm/helpwasm/app/protocol"
	"github.com/helpwasm/helpwasm/app/state"
	"github.com/helpwasm/helpwasm/app/ui"
	"github.com/helpwasm/helpwasm/space"
)

// Page is the running page.
type Page struct {
	App  *state.App
	Root *ui.Root
	env  vugu.EventEnv
}

// New builds the page's state and root component for the search spaces
// it offers, the first the worker's first. env is the render loop's event
// environment.
func New(env vugu.EventEnv, p state.Platform, files ui.Files, spaces ...space.Slotted) *Page {
	app := state.New(p, spaces...)
	app.SpaceTitle = ui.SpaceTitle
	return &Page{App: app, Root: &ui.Root{App: app, Files: files}, env: env}
}

// locked runs f with the render lock held and asks for a render.
func (pg *Page) locked(f func()) {
	pg.env.Lock()
	defer pg.env.UnlockRender()
	f()
}

// Deliver applies an event from the worker.
func (pg *Page) Deliver(e protocol.Event) { pg.locked(func() { pg.App.Apply(e) }) }

// Key handles a keyboard shortcut and reports whether it was one.
func (pg *Page) Key(key string) (handled bool) {
	pg.locked(func() { handled = pg.App.Key(key) })
	return handled
}

// Visibility reports the tab being hidden or shown.
func (pg *Page) Visibility(hidden bool) { pg.locked(func() { pg.App.SetHidden(hidden) }) }

// Configure applies the options in the query part of the page's address
// (state.URLOptions); a bad one is shown as an error and the rest apply.
func (pg *Page) Configure(rawQuery string) {
	pg.locked(func() {
		o, err := state.ParseURLOptions(rawQuery, pg.App.SpaceNames()...)
		if err != nil {
			pg.App.Error = err.Error()
		}
		pg.App.ApplyURLOptions(o)
	})
}
