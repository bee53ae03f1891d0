package sync

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"coexsync/store"
)

const (
	// flushEvery and flushAt batch outcome writes: one transaction per
	// interval or per this many outcomes, whichever comes first.
	flushEvery = 100 * time.Millisecond
	flushAt    = 500
)

// recorder stores outcomes in batches as they happen and, once stored,
// counts them and reports them as events.
type recorder struct {
	st     Store
	target string
	tally  *tally
	em     *emitter

	// flushing holds one flush at a time (a one-slot semaphore): a flush
	// that returns has every outcome added before it stored, even those
	// an earlier flush (the loop's) was still writing.
	flushing chan struct{}

	mu   gosync.Mutex
	buf  []store.Outcome
	kick chan struct{}
	err  error // last failed write; the outcomes stay buffered
}

func newRecorder(st Store, target string, t *tally, em *emitter) *recorder {
	return &recorder{st: st, target: target, tally: t, em: em, kick: make(chan struct{}, 1), flushing: make(chan struct{}, 1)}
}

// add queues outcomes for the next write.
func (r *recorder) add(outs ...store.Outcome) {
	now := time.Now()
	r.mu.Lock()
	for i := range outs {
		outs[i].UpdatedAt = now
	}
	r.buf = append(r.buf, outs...)
	full := len(r.buf) >= flushAt
	r.mu.Unlock()
	if full {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// loop writes on every tick or kick until stop is closed.
func (r *recorder) loop(stop <-chan struct{}) {
	tickUntil(stop, flushEvery, r.kick, func() { r.flush() })
}

// flush writes what is buffered and returns once it is stored, with
// whatever an earlier flush still in flight was writing. Writes are not
// cancelled with the run: what is known must be recorded even when the
// run stops.
func (r *recorder) flush() error {
	r.flushing <- struct{}{}
	defer func() { <-r.flushing }()
	r.mu.Lock()
	outs := r.buf
	r.buf = nil
	r.mu.Unlock()
	if len(outs) == 0 {
		return nil
	}
	if err := r.st.RecordOutcomes(context.Background(), r.target, outs); err != nil {
		r.mu.Lock()
		r.buf = append(outs, r.buf...)
		r.err = fmt.Errorf("store outcomes: %w", err)
		r.mu.Unlock()
		return r.err
	}
	r.tally.add(outs)
	for _, o := range outs {
		r.em.try(OutcomeEvent{Outcome: o})
	}
	return nil
}
