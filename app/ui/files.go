package ui

import "github.com/vugu/vugu"

// Files reads the file a visitor picked in a file input. The browser
// implementation lives in wasm/; done is called later, without vugu's
// render lock held.
type Files interface {
	ReadFile(ev vugu.DOMEvent, done func(text string, err error))
}
