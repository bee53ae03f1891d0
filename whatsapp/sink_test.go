package whatsapp_test

import (
	"context"
	"sync"

	"coexsync/bizapp"
)

// memSink is an in-memory Sink that keeps bodies once and applies events
// the way the store promises to.
type memSink struct {
	mu       sync.Mutex
	err      error // returned by every save while set
	bodies   map[string]string
	contacts map[string]bizapp.ContactEvent // number|key → last event applied
	removed  map[string]bool
	saves    int
	events   int // events in bodies stored (replays not counted)
}

func newMemSink() *memSink {
	return &memSink{bodies: map[string]string{}, contacts: map[string]bizapp.ContactEvent{}, removed: map[string]bool{}}
}

func (m *memSink) SaveContactEvents(_ context.Context, source string, body []byte, events []bizapp.ContactEvent) (bizapp.SaveResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return bizapp.SaveResult{}, m.err
	}
	if _, seen := m.bodies[string(body)]; seen {
		return bizapp.SaveResult{Duplicate: true}, nil
	}
	m.saves++
	m.events += len(events)
	m.bodies[string(body)] = source
	var res bizapp.SaveResult
	for _, ev := range events {
		k := ev.NumberID + "|" + ev.Key()
		prev, known := m.contacts[k]
		switch {
		case known && ev.Timestamp.Before(prev.Timestamp):
			res.Unchanged++
			continue
		case ev.Action == bizapp.ActionRemove:
			m.removed[k] = true
			res.Removed++
		case !known:
			res.Added++
		default:
			m.removed[k] = false
			res.Updated++
		}
		m.contacts[k] = ev
	}
	return res, nil
}

func (m *memSink) setErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// current returns the contacts not removed, by number|key.
func (m *memSink) current() map[string]bizapp.ContactEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bizapp.ContactEvent{}
	for k, ev := range m.contacts {
		if !m.removed[k] {
			out[k] = ev
		}
	}
	return out
}

func (m *memSink) bodyCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.bodies)
}
