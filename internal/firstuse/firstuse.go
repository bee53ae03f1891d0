// Package firstuse defers a load until something first needs what it
// loads: the sandbox's CRM fakes generate their records on their first
// request.
package firstuse

import (
	"context"
	"sync"
	"sync/atomic"
)

// Load is a load to run once, before the first use; the zero value has
// none. Set, Run and Wait are safe to call from any goroutine.
type Load struct{ cur atomic.Pointer[load] }

type load struct {
	once sync.Once
	fn   func()
	done chan struct{} // closed once fn has returned
}

func (l *load) run() {
	l.once.Do(func() {
		defer close(l.done)
		l.fn()
	})
}

// Set makes fn the load to run; it runs at most once.
func (l *Load) Set(fn func()) {
	l.cur.Store(&load{fn: fn, done: make(chan struct{})})
}

// Run runs the load, once, if one is set; a caller that comes while it
// runs waits for it to end.
func (l *Load) Run() {
	if cur := l.cur.Load(); cur != nil {
		cur.run()
	}
}

// Start begins the load in the background, if one is set and nothing
// started it yet: a use known to be coming need not wait for all of it.
func (l *Load) Start() {
	if cur := l.cur.Load(); cur != nil && !cur.ended() {
		go cur.run()
	}
}

// Done reports whether no load is left to run: none is set, or it ended.
func (l *Load) Done() bool {
	cur := l.cur.Load()
	return cur == nil || cur.ended()
}

func (l *load) ended() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// Wait is Run for a caller that must be able to stop waiting: the load
// starts (if nothing started it yet) and goes on when ctx ends first.
func (l *Load) Wait(ctx context.Context) error {
	cur := l.cur.Load()
	if cur == nil || cur.ended() {
		return nil
	}
	go cur.run()
	select {
	case <-cur.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
