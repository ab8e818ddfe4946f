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

// spaceNames are the search spaces the page serves, the first at start
// (their weights, atlases and pools are wasm/pagedata's; worker.js loads
// the first's, the worker the others' on first use).
var spaceNames = []string{"nasbench201", "fbnet", "ofa"}

// pageSpace is the registry's entry for the space called name, whose
// space the editor can edit.
func pageSpace(name string) (registry.Entry, space.Slotted, error) {
	e, err := registry.Lookup(name)
	if err != nil {
		return e, nil, err
	}
	sl, ok := e.Space.(space.Slotted)
	if !ok {
		return e, nil, fmt.Errorf("the %s space has no editor description (space.Slotted)", name)
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
