//go:build js && wasm

package main

import (
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"

	"github.com/helpwasm/helpwasm/app/setup"
)

// runUI is the render loop; wiring is in app/setup, browser APIs in
// browser_wasm.go.
func runUI() {
	renderer, err := domrender.New("#app")
	if err != nil {
		panic(err)
	}
	defer renderer.Release()
	buildEnv, err := vugu.NewBuildEnv(renderer.EventEnv())
	if err != nil {
		panic(err)
	}
	_, sp, err := pageSpace()
	if err != nil {
		panic(err)
	}
	b := newBrowser()
	page := setup.New(renderer.EventEnv(), b, files{}, sp)
	b.connect(page)
	page.Configure(b.query())
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(page.Root)); err != nil {
			panic(err)
		}
	}
}
