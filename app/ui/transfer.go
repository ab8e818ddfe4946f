package ui

import (
	"github.com/vugu/vugu"

	"github.com/helpwasm/helpwasm/app/state"
)

// Transfer exports and imports device profiles.
type Transfer struct {
	App    *state.App
	Files  Files
	Pasted string
}

// ImportFile reads the chosen file and imports it.
func (c *Transfer) ImportFile(ev vugu.DOMEvent) {
	env := ev.EventEnv()
	app := c.App
	c.Files.ReadFile(ev, func(text string, err error) {
		env.Lock()
		defer env.UnlockRender()
		if err != nil {
			app.ImportFailed(err)
			return
		}
		app.Import(text)
	})
}
