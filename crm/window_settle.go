package crm

import "time"

// Settle re-books, as made now, the call that Wait booked just before
// booked (take booked with time.Now() as soon as Wait returns). Call it
// when the answer arrives: the vendor counts a call when the request
// reaches it, which may be well after Wait booked it (a slow dial, a busy
// machine), and a window counted from bookings alone can then let the
// next call in too early.
//
// The booking moved is the latest one no later than booked: the caller's
// own, or one made within the same instant, which counts the same. When
// it has already left the window the call is booked anyway, which can
// only make the limiter more careful.
func (w *Window) Settle(booked time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.trim(now)
	own := -1
	for i, t := range w.sent {
		if !t.After(booked) && (own < 0 || t.After(w.sent[own])) {
			own = i
		}
	}
	if own >= 0 {
		w.sent = append(w.sent[:own], w.sent[own+1:]...)
	}
	w.sent = append(w.sent, now)
}
