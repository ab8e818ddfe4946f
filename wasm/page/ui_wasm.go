//go:build js && wasm

package main

import (
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"

	"github.com/helpwasm/helpwasm/app/setup"
	"github.com/helpwasm/helpwasm/space"
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
	var spaces []space.Slotted
	for _, name := range spaceNames {
		_, sp, err := pageSpace(name)
		if err != nil {
			panic(err)
		}
		spaces = append(spaces, sp)
	}
	b := newBrowser()
	page := setup.New(renderer.EventEnv(), b, files{}, spaces...)
	b.connect(page)
	b.hook()
	page.Configure(b.query())
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(page.Root)); err != nil {
			panic(err)
		}
	}
}
