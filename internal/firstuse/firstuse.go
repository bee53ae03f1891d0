// Package firstuse defers a load until something first needs what it
// loads: the sandbox's CRM fakes generate their records on their first
// request.
package firstuse

import (
	"sync"
	"sync/atomic"
)

// Load is a load to run once, before the first use; the zero value has
// none. Set and Run are safe to call from any goroutine.
type Load struct{ run atomic.Pointer[func()] }

// Set makes load the load to run; it runs at most once.
func (l *Load) Set(load func()) {
	once := sync.OnceFunc(load)
	l.run.Store(&once)
}

// Run runs the load, once, if one is set; a caller that comes while it
// runs waits for it to end.
func (l *Load) Run() {
	if run := l.run.Load(); run != nil {
		(*run)()
	}
}
