package intercomtest

import (
	"net/http"
	"strconv"
)

// Faults are injected failures, each a probability per authenticated
// request (drawn from the seeded generator, so runs repeat exactly).
type Faults struct {
	RateLimited float64 // a 429 as if another app used the budget
	ServerError float64 // a 5xx before anything is done
	Timeout     float64 // hang until the client gives up, before anything is done
	Garbage     float64 // the work is done, but the body is not JSON
	Truncated   float64 // the work is done, but the body breaks off
	// DenyWrites answers 403 to creates and updates, like a token
	// without the write permission.
	DenyWrites bool
}

// fault is the one failure chosen for a request.
type fault int

const (
	faultNone fault = iota
	faultRateLimited
	faultServerError
	faultTimeout
	faultGarbage
	faultTruncated
)

// pickFault draws at most one fault. Callers hold s.mu.
func (s *Server) pickFault() fault {
	f := s.faults
	if f.RateLimited+f.ServerError+f.Timeout+f.Garbage+f.Truncated <= 0 {
		return faultNone
	}
	r := s.rng.Float64()
	for _, c := range []struct {
		p float64
		f fault
	}{
		{f.RateLimited, faultRateLimited},
		{f.ServerError, faultServerError},
		{f.Timeout, faultTimeout},
		{f.Garbage, faultGarbage},
		{f.Truncated, faultTruncated},
	} {
		if r < c.p {
			return c.f
		}
		r -= c.p
	}
	return faultNone
}

// serverErrors rotate through the 5xx answers seen in the wild.
var serverErrors = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// hang holds the request until the client gives up or the server closes.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
}

// writeGarbage answers 200 with an HTML page instead of JSON, as a
// misconfigured proxy does.
func writeGarbage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("<html><body><h1>Service temporarily unavailable</h1>"))
}

// writeTruncated promises the whole body and sends half of it: the
// connection closes mid-body.
func writeTruncated(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body[:len(body)/2])
}
