package httpcore

import (
	"net/http"
	"time"
)

// DefaultTimeout is the clients' bound on one HTTP attempt.
const DefaultTimeout = 30 * time.Second

// ObserveHTTP returns a copy of hc (nil: a client with DefaultTimeout)
// whose every answer is shown to fn before the caller reads it.
// Read-only diagnostics use it to see headers the clients do not keep
// (Date, daily rate-limit counters); fn must not read or close the body.
func ObserveHTTP(hc *http.Client, fn func(*http.Response)) *http.Client {
	var out http.Client
	if hc != nil {
		out = *hc
	} else {
		out.Timeout = DefaultTimeout
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = observer{next: next, fn: fn}
	return &out
}

type observer struct {
	next http.RoundTripper
	fn   func(*http.Response)
}

func (o observer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(r)
	if err == nil && o.fn != nil {
		o.fn(resp)
	}
	return resp, err
}
