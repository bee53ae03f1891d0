package crm

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
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

// minReportedWait is the shortest wait worth telling an operator about;
// shorter ones are scheduling noise.
const minReportedWait = 10 * time.Millisecond

// WaitNotify waits on w and reports a wait of minReportedWait or more to
// the observer.
func WaitNotify(ctx context.Context, w *Window, endpoint string) error {
	waited, err := w.Wait(ctx)
	if waited >= minReportedWait {
		Notify(ctx, Notice{Kind: NoticeWait, Endpoint: endpoint, Wait: waited, Reason: ReasonRateLimited})
	}
	return err
}

// RetryPolicy bounds retries of temporary failures.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, first one included
	BaseDelay   time.Duration // first backoff; doubles each attempt
	MaxDelay    time.Duration // cap on one backoff
}

// DefaultRetry is the policy both clients use unless configured otherwise.
func DefaultRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 6, BaseDelay: 250 * time.Millisecond, MaxDelay: 20 * time.Second}
}

// Backoff is the jittered delay before attempt n (n ≥ 2): full jitter
// over an exponentially growing cap, so many clients do not retry in step.
func (p RetryPolicy) Backoff(n int) time.Duration {
	d := p.BaseDelay << (n - 2)
	if d <= 0 || d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// Do runs call until it succeeds, fails permanently, or the attempts run
// out; it then returns call's last error. A temporary *Error is retried
// after its RetryAfter when the vendor gave one, else after Backoff.
func (p RetryPolicy) Do(ctx context.Context, endpoint string, call func() error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		var ce *Error
		if err == nil || !errors.As(err, &ce) || !ce.Temporary() || attempt >= p.MaxAttempts {
			return err
		}
		wait := ce.RetryAfter
		if wait <= 0 {
			wait = p.Backoff(attempt + 1)
		}
		Notify(ctx, Notice{Kind: NoticeRetry, Endpoint: endpoint, Wait: wait, Reason: ce.Reason, Attempt: attempt + 1, Detail: ce.Message})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
