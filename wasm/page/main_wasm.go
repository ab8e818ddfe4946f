//go:build js && wasm

// Command page is the page's one WebAssembly program. It runs twice: in
// the window as the vugu UI (ui_wasm.go) and in a Web Worker as the
// measuring worker (worker_wasm.go). One binary for both roles is about
// half the download of two (they share the Go runtime and most libraries)
// and the browser fetches it once.
package main

import (
	"fmt"
	"syscall/js"

	"github.com/helpwasm/helpwasm/space"
	"github.com/helpwasm/helpwasm/space/registry"
)

// spaceName is the search space the page serves (its weights and atlas are
// wasm/pagedata's).
const spaceName = "nasbench201"

// pageSpace is the registry's entry for spaceName, whose space the editor
// can edit.
func pageSpace() (registry.Entry, space.Slotted, error) {
	e, err := registry.Lookup(spaceName)
	if err != nil {
		return e, nil, err
	}
	sl, ok := e.Space.(space.Slotted)
	if !ok {
		return e, nil, fmt.Errorf("the %s space has no editor description (space.Slotted)", spaceName)
	}
	return e, sl, nil
}

func main() {
	if js.Global().Get("document").IsUndefined() {
		runWorker()
		return
	}
	runUI()
}
