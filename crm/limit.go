package crm

import (
	"context"
	"slices"
	"sync"
	"time"

	"coexsync/internal/httpcore"
)

// Window is a rolling-window rate limiter: at most max calls in any
// interval. Clients call Wait before each request so a normal run never
// sees a 429, and feed it the vendor's rate-limit headers with Observe.
type Window struct {
	mu       sync.Mutex
	max      int
	interval time.Duration
	sent     []time.Time // start times of the calls in the current window
	pause    time.Time   // no call before this (after a 429)
}

// NewWindow allows max calls per interval.
func NewWindow(max int, interval time.Duration) *Window {
	return &Window{max: max, interval: interval}
}

// Wait blocks until a call may be made, records it, and returns how long
// it waited.
func (w *Window) Wait(ctx context.Context) (time.Duration, error) {
	var waited time.Duration
	for {
		d := w.reserve(time.Now())
		if d <= 0 {
			return waited, nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return waited, ctx.Err()
		case <-t.C:
			waited += d
		}
	}
}

// reserve records a call at now and returns 0, or returns how long to wait.
func (w *Window) reserve(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Before(w.pause) {
		return w.pause.Sub(now)
	}
	w.trim(now)
	if len(w.sent) < w.max {
		w.sent = append(w.sent, now)
		return 0
	}
	// The oldest call leaves the window at sent[0]+interval; a millisecond
	// of margin keeps us clear of the server's own clock rounding.
	return w.sent[0].Add(w.interval + time.Millisecond).Sub(now)
}

func (w *Window) trim(now time.Time) {
	cut := 0
	for cut < len(w.sent) && now.Sub(w.sent[cut]) >= w.interval {
		cut++
	}
	w.sent = w.sent[cut:]
}

// Observe takes the server's view of the budget: when it says fewer calls
// remain than we think (another integration shares the account), the
// difference is booked as calls made now.
func (w *Window) Observe(remaining int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.trim(now)
	for w.max-len(w.sent) > remaining && len(w.sent) < w.max {
		w.sent = append(w.sent, now)
	}
}

// ObserveUntil is Observe for a server that counts calls in fixed windows
// and says when its current one ends: until then at most remaining calls
// may go out, so only bookings still in our window at until count against
// the difference (older ones would free their slots too early), and the
// bookings made for the difference free theirs at until, not a whole
// window of ours later (a spent server window would otherwise stall the
// client up to one window past the reset).
func (w *Window) ObserveUntil(remaining int, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.trim(now)
	remaining = max(remaining, 0)
	gone := until.Add(-w.interval) // bookings at or before it leave by until
	held := 0
	for _, t := range w.sent {
		if t.After(gone) {
			held++
		}
	}
	// Booked as if made at gone (plus reserve's margin): they leave our
	// window at until. Never later than now: a server window is never
	// longer than ours.
	at := gone.Add(time.Millisecond)
	if at.After(now) {
		at = now
	}
	if k := w.max - held - remaining; k > 0 {
		// All at once: one at a time moved the window's tail k times,
		// thousands of bookings on Intercom's budget.
		i, _ := slices.BinarySearchFunc(w.sent, at, func(a, b time.Time) int { return a.Compare(b) })
		w.sent = slices.Insert(w.sent, i, slices.Repeat([]time.Time{at}, k)...)
	}
}

// SetMax changes the number of calls allowed per interval, for a vendor
// that tells the account's tier in its answers. Calls already booked stay.
func (w *Window) SetMax(max int) {
	if max <= 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.max = max
}

// Max is the number of calls allowed per interval.
func (w *Window) Max() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.max
}

// PauseUntil stops all calls until t (after a 429 that said how long).
func (w *Window) PauseUntil(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.After(w.pause) {
		w.pause = t
	}
}

// WaitNotify waits on w and reports a wait worth telling (10 ms or more)
// to the observer.
func WaitNotify(ctx context.Context, w *Window, endpoint string) error {
	return httpcore.WaitNotify(ctx, w, endpoint)
}

// RetryPolicy bounds retries of temporary failures; it is httpcore's, so
// every vendor client retries the same way. Its Do retries a temporary
// *Error after its RetryAfter when the vendor gave one, else after
// Backoff.
type RetryPolicy = httpcore.RetryPolicy

// DefaultRetry is the policy the clients use unless configured otherwise.
func DefaultRetry() RetryPolicy { return httpcore.DefaultRetry() }

// RetryHint tells httpcore's retry loop what e says about a retry.
func (e *Error) RetryHint() httpcore.Hint {
	return httpcore.Hint{Retry: e.Temporary(), Wait: e.RetryAfter, Reason: string(e.Reason), Detail: e.Message}
}

var (
	_ httpcore.Limiter = (*Window)(nil)
	_ httpcore.Settler = (*Window)(nil)
	_ httpcore.Hinter  = (*Error)(nil)
)
