package httpcore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds retries of temporary failures.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, first one included
	BaseDelay   time.Duration // first backoff; doubles each attempt
	MaxDelay    time.Duration // cap on one backoff
}

// DefaultRetry is the policy the clients use unless configured otherwise.
func DefaultRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 6, BaseDelay: 250 * time.Millisecond, MaxDelay: 20 * time.Second}
}

// Backoff is the jittered delay before attempt n (n ≥ 2): full jitter in
// the upper half of an exponentially growing cap, so many clients do not
// retry in step.
func (p RetryPolicy) Backoff(n int) time.Duration {
	d := p.BaseDelay << max(n-2, 0)
	if d <= 0 || d > p.MaxDelay {
		d = p.MaxDelay
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// Hint is what an error tells the retry loop.
type Hint struct {
	Retry  bool          // the same call may succeed if made again
	Wait   time.Duration // what the server said to wait; 0: Backoff
	Reason string        // for the retry notice (ReasonRateLimited, …)
	Detail string        // e.g. the vendor's message or policy name
}

// Hinter is an error that knows whether a retry may help.
type Hinter interface {
	RetryHint() Hint
}

// Reasons a vendor's Hint may give for the failures every API shares.
const (
	ReasonRateLimited = "rate_limited"
	ReasonServerError = "server_error"
	ReasonTimeout     = "timeout"
	ReasonBadResponse = "bad_response"
	ReasonNetwork     = "network_error"
)

// Do runs call until it succeeds, fails for good, or the attempts run
// out, and returns call's last error (without a Permanent mark). An error
// is retried when it is a Hinter whose hint says so, after the hint's
// Wait when it gives one, else after Backoff; each retry is announced to
// the context's observer first.
func (p RetryPolicy) Do(ctx context.Context, endpoint string, call func() error) error {
	for attempt := 1; ; attempt++ {
		err := call()
		h := hintOf(err)
		if err == nil || !h.Retry || attempt >= p.MaxAttempts {
			return unmark(err)
		}
		wait := h.Wait
		if wait <= 0 {
			wait = p.Backoff(attempt + 1)
		}
		Notify(ctx, Notice{Kind: NoticeRetry, Endpoint: endpoint, Wait: wait, Reason: h.Reason, Attempt: attempt + 1, Detail: h.Detail})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return unmark(err)
		case <-t.C:
		}
	}
}

func hintOf(err error) Hint {
	var h Hinter
	if err == nil || IsPermanent(err) || !errors.As(err, &h) {
		return Hint{}
	}
	return h.RetryHint()
}

// permanent marks an error that must not be retried.
type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// Permanent marks err as final: the retry loop returns it (unmarked)
// whatever its RetryHint says. Use it for a failure that is temporary in
// general but must not be repeated here, such as a lost answer to a create.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanent{err}
}

// IsPermanent reports whether err carries the Permanent mark.
func IsPermanent(err error) bool {
	var p *permanent
	return errors.As(err, &p)
}

// unmark removes an outer Permanent mark, so callers get the vendor's
// error itself.
func unmark(err error) error {
	if p, ok := err.(*permanent); ok {
		return p.err
	}
	return err
}
