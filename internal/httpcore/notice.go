package httpcore

import (
	"context"
	"time"
)

// Notice tells an observer that a call is waiting: for a rate limiter
// (Kind NoticeWait) or before a retry (Kind NoticeRetry).
type Notice struct {
	Kind     NoticeKind
	Endpoint string        // e.g. "search", "batch/create"
	Wait     time.Duration // how long the call sleeps
	Reason   string        // why (rate_limited, server_error, timeout, …)
	Attempt  int           // for retries: the attempt about to be made (2, 3, …)
	Detail   string        // e.g. the vendor's policy name
}

// NoticeKind says what a Notice is about.
type NoticeKind int

const (
	// NoticeWait is a proactive pause to stay under a rate limit.
	NoticeWait NoticeKind = iota
	// NoticeRetry is a pause before retrying a failed call.
	NoticeRetry
)

type observerKey struct{}

// WithObserver returns a context whose calls report their waits to fn.
// fn must not block.
func WithObserver(ctx context.Context, fn func(Notice)) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

// Notify reports n to the observer in ctx, if any.
func Notify(ctx context.Context, n Notice) {
	if fn, ok := ctx.Value(observerKey{}).(func(Notice)); ok && fn != nil {
		fn(n)
	}
}
