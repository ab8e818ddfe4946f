//go:build js && wasm

package engine

import (
	"syscall/js"
	"time"
)

// threadCPUTime returns, under Node, the process's CPU time
// (process.cpuUsage, user plus system, in µs): the wasm program runs on
// one thread, and V8's compiler and GC threads add little once the code
// is warm. Like the Linux thread clock it does not advance while the
// process waits for a core, which on the shared 2-core machine is what
// makes WASM timings comparable at all. In a browser there is no such
// clock and it reports false.
func threadCPUTime() (time.Duration, bool) {
	p := js.Global().Get("process")
	if p.IsUndefined() || p.Get("cpuUsage").IsUndefined() {
		return 0, false
	}
	u := p.Call("cpuUsage")
	return time.Duration((u.Get("user").Float() + u.Get("system").Float()) * 1e3), true
}
