// Package setup wires the page together: it creates the application state,
// connects it to the measurement worker and returns the root component.
package setup

import (
	"github.com/vugu/vugu"

	"github.com/helpwasm/helpwasm/app/ui"
)

// Root returns the page's root component; env is the render loop's event
// environment, which long-running work locks to publish results.
func Root(env vugu.EventEnv) vugu.Builder {
	return &ui.Root{Message: "ready"}
}
