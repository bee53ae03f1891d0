package httpcore

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Limiter paces calls: Wait blocks until one may be made, books it, and
// returns how long it waited.
type Limiter interface {
	Wait(ctx context.Context) (time.Duration, error)
}

// Settler is a Limiter that can re-book, as made now, the call it booked
// at booked (see Call.Settle).
type Settler interface {
	Settle(booked time.Time)
}

// minReportedWait is the shortest wait worth telling an operator about;
// shorter ones are scheduling noise.
const minReportedWait = 10 * time.Millisecond

// WaitNotify waits on l and reports a wait of minReportedWait or more to
// the observer.
func WaitNotify(ctx context.Context, l Limiter, endpoint string) error {
	waited, err := l.Wait(ctx)
	if waited >= minReportedWait {
		Notify(ctx, Notice{Kind: NoticeWait, Endpoint: endpoint, Wait: waited, Reason: ReasonRateLimited})
	}
	return err
}

// maxRetryAfter bounds a believable Retry-After.
const maxRetryAfter = time.Hour

// RetryAfter reads a Retry-After header: seconds (fractions accepted) or
// an HTTP date, as a wait from now. Absurd values (none, negative, over an
// hour) give 0: they are ignored rather than obeyed.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs != secs || secs <= 0 || secs > maxRetryAfter.Seconds() { // NaN, ±Inf, out of range
			return 0
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 || d > maxRetryAfter {
		return 0
	}
	return d
}

// IsTimeout reports whether a transport failure was a timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
