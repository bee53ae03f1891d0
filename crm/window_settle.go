package crm

import "time"

// Settle re-books, as made now, a call that Wait booked at or before
// booked. Call it when the answer arrives: the vendor counts a call when
// the request reaches it, which may be well after Wait booked it (a slow
// dial, a busy machine), and a window counted from bookings alone can
// then let the next call in too early.
//
// It moves the oldest booking rather than looking for the caller's own:
// every booking left is then no earlier than the one it stands for, so
// the window never counts fewer calls than the vendor does. When the
// caller's booking has already left the window the call is booked anyway,
// which can only make the limiter more careful.
func (w *Window) Settle(booked time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.trim(now)
	if len(w.sent) > 0 && !w.sent[0].After(booked) {
		w.sent = w.sent[1:]
	}
	w.sent = append(w.sent, now)
}
