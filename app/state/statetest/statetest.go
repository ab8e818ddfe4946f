// Package statetest is a state.Platform for tests: it records what the
// page's state posts to the worker and offers to the visitor, on a clock
// the test sets. The state's own tests, the worker's and the CLI's (which
// check that they time what the page asks for) share it.
package statetest

import (
	"time"

	"github.com/helpwasm/helpwasm/app/protocol"
)

// Platform records every call; the zero value is ready to use.
type Platform struct {
	Posted    []protocol.Request
	Downloads []string // "filename:text"
	Revealed  []string // element ids
	Restarts  int
	Clock     time.Duration // what Now returns
}

func (p *Platform) Post(r protocol.Request) { p.Posted = append(p.Posted, r) }

func (p *Platform) Download(filename, mime, text string) {
	p.Downloads = append(p.Downloads, filename+":"+text)
}

func (p *Platform) Now() time.Duration { return p.Clock }
func (p *Platform) Reveal(id string)   { p.Revealed = append(p.Revealed, id) }
func (p *Platform) Restart()           { p.Restarts++ }

// Last is the last request posted; it panics if there is none.
func (p *Platform) Last() protocol.Request { return p.Posted[len(p.Posted)-1] }
