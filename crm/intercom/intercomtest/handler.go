package intercomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// supportedVersions are the Intercom-Version values the spec lists. A
// missing header means the app's default version, as on Intercom.
var supportedVersions = []string{
	"1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1", "2.2", "2.3", "2.4",
	"2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14",
}

// answer is a handler's status and JSON body.
type answer struct {
	status int
	body   any
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.firstUse.Run()
	endpoint, id := route(r)
	s.mu.Lock()
	s.calls[endpoint]++
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+s.opts.Token || s.opts.Token == "" {
		// Intercom sends no rate-limit headers without valid credentials.
		writeJSON(w, errorAnswer(http.StatusUnauthorized, "unauthorized", "Access Token Invalid", ""))
		return
	}
	f, ok := s.admit(w)
	if !ok {
		return
	}
	switch f {
	case faultServerError:
		s.mu.Lock()
		status := serverErrors[s.rng.IntN(len(serverErrors))]
		s.mu.Unlock()
		writeJSON(w, errorAnswer(status, "server_error", "Server Error", ""))
		return
	case faultTimeout:
		s.hang(r)
		return
	}
	a := s.handle(r, endpoint, id)
	switch f {
	case faultGarbage:
		writeGarbage(w)
	case faultTruncated:
		raw, _ := json.Marshal(a.body)
		writeTruncated(w, a.status, raw)
	default:
		writeJSON(w, a)
	}
}

func (s *Server) handle(r *http.Request, endpoint, id string) answer {
	if v := r.Header.Get("Intercom-Version"); v != "" && !slices.Contains(supportedVersions, v) {
		return errorAnswer(http.StatusBadRequest, "intercom_version_invalid", "The requested version could not be found", "")
	}
	if a, ok := s.handleListing(r, endpoint, id); ok {
		return a
	}
	if endpoint == EndpointMe { // a read: DenyWrites leaves it alone
		return s.me()
	}
	if endpoint != "search" && endpoint != "other" && s.denyWrites() {
		return errorAnswer(http.StatusForbidden, "token_unauthorized", "Token does not have the permission to write contacts", "")
	}
	switch endpoint {
	case "search":
		return s.search(r)
	case "create":
		return s.create(r)
	case "update":
		return s.update(r, id)
	}
	return errorAnswer(http.StatusNotFound, "not_found", "Resource Not Found", "")
}

func (s *Server) denyWrites() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.DenyWrites
}

// route names the endpoint of r and the contact id in its path.
func route(r *http.Request) (endpoint, id string) {
	p := strings.TrimSuffix(r.URL.Path, "/")
	if endpoint, id, ok := listRoute(r.Method, p); ok {
		return endpoint, id
	}
	switch {
	case r.Method == http.MethodGet && p == "/me":
		return EndpointMe, ""
	case r.Method == http.MethodPost && p == "/contacts/search":
		return "search", ""
	case r.Method == http.MethodPost && p == "/contacts":
		return "create", ""
	case r.Method == http.MethodPut && strings.HasPrefix(p, "/contacts/") && !strings.Contains(p[len("/contacts/"):], "/"):
		return "update", p[len("/contacts/"):]
	}
	return "other", ""
}

// admit books the call in the current fixed window, sets the rate-limit
// headers, and answers 429 when the budget is spent (or a 429 is
// injected). It also draws the request's fault.
func (s *Server) admit(w http.ResponseWriter) (fault, bool) {
	budget := s.Budget()
	s.mu.Lock()
	idx := int64(time.Since(s.started) / s.opts.Window)
	if idx != s.window {
		s.window, s.used = idx, 0
	}
	over := s.used >= budget
	f := faultNone
	if over {
		s.limited++
	} else {
		s.used++
		f = s.pickFault()
	}
	remaining := budget - s.used
	reset := s.started.Add(time.Duration(idx+1) * s.opts.Window)
	s.mu.Unlock()
	if f == faultRateLimited {
		remaining = 0 // another app spent the budget
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(budget))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(ceilUnix(reset), 10))
	if over || f == faultRateLimited {
		msg := fmt.Sprintf("Exceeded rate limit of %d in %s", budget, windowName(s.opts.Window))
		writeJSON(w, errorAnswer(http.StatusTooManyRequests, "rate_limit_exceeded", msg, ""))
		return f, false
	}
	return f, true
}

// ceilUnix rounds up: a reset in whole seconds must not come early.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// windowName spells the window as Intercom does ("10_seconds").
func windowName(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%d_seconds", d/time.Second)
	}
	return fmt.Sprintf("%d_milliseconds", d/time.Millisecond)
}

var requestSeq atomic.Uint64

// errorAnswer is Intercom's error.list body.
func errorAnswer(status int, code, message, field string) answer {
	e := map[string]any{"code": code, "message": message}
	if field != "" {
		e["field"] = field
	}
	return answer{status: status, body: map[string]any{
		"type":       "error.list",
		"request_id": fmt.Sprintf("00000000-0000-4000-8000-%012x", requestSeq.Add(1)),
		"errors":     []any{e},
	}}
}

func writeJSON(w http.ResponseWriter, a answer) {
	raw, err := json.Marshal(a.body)
	if err != nil {
		http.Error(w, "fake: cannot encode answer", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	w.Write(raw)
}
