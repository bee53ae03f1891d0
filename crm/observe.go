package crm

import (
	"net/http"

	"coexsync/internal/httpcore"
)

// ObserveHTTP returns a copy of hc (nil: a client with the default request
// timeout) whose every answer is shown to fn before the caller reads it.
// Read-only diagnostics use it to see headers the clients do not keep
// (Date, daily rate-limit counters); fn must not read or close the body.
func ObserveHTTP(hc *http.Client, fn func(*http.Response)) *http.Client {
	return httpcore.ObserveHTTP(hc, fn)
}
