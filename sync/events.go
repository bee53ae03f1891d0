package sync

import (
	"context"
	gosync "sync"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

const (
	// eventBuffer is the events channel's capacity.
	eventBuffer = 256
	// reservedSlots stay free for the final Progress and Done, so the end
	// of a run is always delivered without blocking on the reader.
	reservedSlots = 2
	// progressEvery is how often Progress is sent.
	progressEvery = 200 * time.Millisecond
	// rateWindow is the span the rate and ETA are measured over: skips
	// and failures finish at once while creates wait on the CRM's limits,
	// so the rate since the start would promise far too early an end. The
	// vendors' limits are enforced over 10 seconds too.
	rateWindow = 10 * time.Second
)

// emitter sends events without ever blocking the run: everything but the
// final pair is dropped when the reader is behind (the store has it all).
type emitter struct {
	mu     gosync.Mutex
	ch     chan Event
	closed bool
}

func newEmitter() *emitter { return &emitter{ch: make(chan Event, eventBuffer)} }

// try sends ev if there is room, reporting whether it was sent.
func (m *emitter) try(ev Event) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || len(m.ch) >= cap(m.ch)-reservedSlots {
		return false
	}
	m.ch <- ev
	return true
}

// finish sends the last Progress and Done into the reserved slots and
// closes the channel.
func (m *emitter) finish(last Progress, done Done) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.ch <- last
	m.ch <- done
	close(m.ch)
	m.closed = true
}

// observe turns the CRM clients' notices into events.
func (m *emitter) observe(ctx context.Context) context.Context {
	return crm.WithObserver(ctx, func(n crm.Notice) {
		switch n.Kind {
		case crm.NoticeWait:
			m.try(RateLimited{Endpoint: n.Endpoint, Wait: n.Wait, Reason: n.Reason, Detail: cleanText(n.Detail, maxOutsideText)})
		case crm.NoticeRetry:
			m.try(Retrying{Endpoint: n.Endpoint, Attempt: n.Attempt, Wait: n.Wait, Reason: n.Reason, Detail: cleanText(n.Detail, maxOutsideText)})
		}
	})
}

// tally counts the final outcomes stored so far.
type tally struct {
	mu                       gosync.Mutex
	start                    time.Time
	total                    int
	created, skipped, failed int
	samples                  []rateSample // recent (time, done) pairs for the rate
}

// rateSample is how many contacts were done at one moment.
type rateSample struct {
	at   time.Time
	done int
}

func (t *tally) add(outs []store.Outcome) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range outs {
		switch o.Status {
		case store.OutcomeCreated:
			t.created++
		case store.OutcomeSkipped:
			t.skipped++
		case store.OutcomeFailed:
			t.failed++
		}
	}
}

// progress is the tally as an event, with the rate and ETA of the last
// rateWindow.
func (t *tally) progress() Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	done := t.created + t.skipped + t.failed
	now := time.Now()
	p := Progress{
		Done: done, Total: t.total, Created: t.created, Skipped: t.skipped, Failed: t.failed,
		Elapsed: now.Sub(t.start),
	}
	t.samples = append(t.samples, rateSample{at: now, done: done})
	for len(t.samples) > 2 && now.Sub(t.samples[1].at) >= rateWindow {
		t.samples = t.samples[1:]
	}
	first := t.samples[0]
	if secs := now.Sub(first.at).Seconds(); secs > 0 && done > first.done {
		p.Rate = float64(done-first.done) / secs
		if left := t.total - done; left > 0 {
			p.ETA = time.Duration(float64(left) / p.Rate * float64(time.Second))
		}
	}
	return p
}

// reportProgress sends Progress every progressEvery until stop is closed,
// changed or not: elapsed time, rate and ETA must keep moving while the
// run sits in a rate-limit wait. A Progress the reader had no room for is
// simply superseded by the next one.
func reportProgress(m *emitter, t *tally, stop <-chan struct{}) {
	tickUntil(stop, progressEvery, nil, func() { m.try(t.progress()) })
}

// tickUntil calls fn every interval, and whenever kick fires, until stop
// is closed.
func tickUntil(stop <-chan struct{}, every time.Duration, kick <-chan struct{}, fn func()) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		case <-kick:
		}
		fn()
	}
}
