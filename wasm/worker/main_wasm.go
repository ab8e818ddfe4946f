//go:build js && wasm

// Command worker is the page's measuring Web Worker: it times networks and
// runs the predictor, answering the UI's protocol messages.
package main

import (
	"syscall/js"

	"github.com/helpwasm/helpwasm/app/protocol"
)

func main() {
	self := js.Global()
	self.Set("onmessage", js.FuncOf(func(this js.Value, args []js.Value) any {
		return nil
	}))
	self.Call("postMessage", protocol.EncodeEvent(protocol.Event{Kind: protocol.KindReady, Ready: &protocol.Ready{Space: "nasbench201"}}))
	select {}
}
