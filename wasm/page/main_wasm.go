//go:build js && wasm

// Command page is the page's one WebAssembly program. It runs twice: in
// the window as the vugu UI (ui_wasm.go) and in a Web Worker as the
// measuring worker (worker_wasm.go). One binary for both roles is about
// half the download of two (they share the Go runtime and most libraries)
// and the browser fetches it once.
package main

import "syscall/js"

func main() {
	if js.Global().Get("document").IsUndefined() {
		runWorker()
		return
	}
	runUI()
}
