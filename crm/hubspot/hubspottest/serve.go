package hubspottest

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"coexsync/crm/hubspot"
)

// Faults are injected failures, each a probability per request, drawn in
// this order from the seeded source. They can be changed at run time.
type Faults struct {
	Rate429       float64       // answer 429 (Policy429) without serving
	Rate5xx       float64       // answer 502 without serving
	RateTimeout   float64       // hang until the client gives up
	RateTruncated float64       // serve, then cut the body short
	RateGarbage   float64       // serve, then send a body that is not JSON
	Policy429     string        // policyName of injected 429s (default TEN_SECONDLY_ROLLING)
	RetryAfter    time.Duration // Retry-After of injected 429s (0: no header)
}

type fault int

const (
	faultNone fault = iota
	fault429
	fault5xx
	faultTimeout
	faultTruncated
	faultGarbage
)

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// roll draws this request's fault. The caller holds mu.
func (s *Server) roll() fault {
	x := s.rng.Float64()
	for i, rate := range []float64{s.faults.Rate429, s.faults.Rate5xx, s.faults.RateTimeout, s.faults.RateTruncated, s.faults.RateGarbage} {
		if x < rate {
			return fault(i + 1)
		}
		x -= rate
	}
	return faultNone
}

// serve runs one request through auth, faults and limits, then the
// handler, and sends its answer with the rate-limit headers.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, endpoint string, handle func(http.ResponseWriter, *http.Request, []byte)) {
	s.mu.Lock()
	s.calls[endpoint]++
	f, faults := s.roll(), s.faults
	s.mu.Unlock()

	if !s.authorized(r) {
		s.writeError(w, http.StatusUnauthorized, hubspot.CategoryAuth,
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
		return
	}
	switch f {
	case fault429:
		policy := faults.Policy429
		if policy == "" {
			policy = hubspot.PolicyTenSecondly
		}
		if faults.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(faults.RetryAfter.Seconds()))))
		}
		s.writeThrottled(w, policy)
		return
	case fault5xx:
		s.writeError(w, http.StatusBadGateway, "INTERNAL_ERROR", "Bad gateway", nil)
		return
	case faultTimeout:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	policy, remaining := s.admit(endpoint, time.Now())
	if policy != "" {
		s.mu.Lock()
		s.throttled++
		s.mu.Unlock()
		if s.opts.OnThrottle != nil {
			s.opts.OnThrottle(policy)
		}
		s.writeThrottled(w, policy)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "Could not read the request body", nil)
		return
	}
	rec := httptest.NewRecorder()
	handle(rec, r, body)
	if endpoint != EndpointSearch {
		s.budgetHeaders(w.Header(), remaining)
	} else { // search answers carry the daily pair only
		s.dailyHeaders(w.Header())
	}
	send(w, rec, f)
}

// send copies the handler's answer, spoiling it when a fault says so.
func send(w http.ResponseWriter, rec *httptest.ResponseRecorder, f fault) {
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	switch f {
	case faultGarbage:
		body = []byte("<html><body>upstream sent garbage")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	case faultTruncated:
		// Content-Length still promises the whole body: the client sees
		// the connection end early.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		body = body[:len(body)/2]
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func (s *Server) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return false
	}
	return s.opts.Token == "" || token == s.opts.Token
}

// admit books a request against the daily and then either the search or
// the general budget, and returns the policy it breaks ("" when
// admitted) and the general budget left. Search is exempt from the
// ten-secondly budget (x-hubspot-rate-limit-exemptions in the spec), so
// it is charged to its own per-second window only.
func (s *Server) admit(endpoint string, now time.Time) (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.general = trimWindow(s.general, now, s.opts.Window)
	s.search = trimWindow(s.search, now, s.opts.SearchWindow)
	search := endpoint == EndpointSearch
	switch {
	case s.opts.DailyLimit > 0 && s.daily >= s.opts.DailyLimit:
		return hubspot.PolicyDaily, 0
	case search && len(s.search) >= s.opts.SearchPerSecond:
		return hubspot.PolicySecondly, 0
	case !search && len(s.general) >= s.opts.GeneralPer10s:
		return hubspot.PolicyTenSecondly, 0
	}
	s.daily++
	if search {
		s.search = append(s.search, now)
	} else {
		s.general = append(s.general, now)
	}
	return "", s.opts.GeneralPer10s - len(s.general)
}

func trimWindow(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	cut := 0
	for cut < len(ts) && now.Sub(ts[cut]) >= window {
		cut++
	}
	return ts[cut:]
}

func (s *Server) budgetHeaders(h http.Header, remaining int) {
	h.Set(hubspot.HeaderMax, strconv.Itoa(s.opts.GeneralPer10s))
	h.Set(hubspot.HeaderRemaining, strconv.Itoa(remaining))
	h.Set(hubspot.HeaderInterval, strconv.FormatInt(s.opts.Window.Milliseconds(), 10))
	s.dailyHeaders(h)
}

func (s *Server) dailyHeaders(h http.Header) {
	if s.opts.DailyLimit > 0 {
		s.mu.Lock()
		used := s.daily
		s.mu.Unlock()
		h.Set(hubspot.HeaderDaily, strconv.Itoa(s.opts.DailyLimit))
		h.Set(hubspot.HeaderDailyRemaining, strconv.Itoa(max(0, s.opts.DailyLimit-used)))
	}
}

// writeThrottled sends HubSpot's 429 for policy. The search limit's 429
// is the one recorded from the real API: category RATE_LIMITS, no
// policyName, no Retry-After, daily headers only. The others follow the
// rate-limit guide's example (policyName, errorType, the budget headers).
func (s *Server) writeThrottled(w http.ResponseWriter, policy string) {
	if policy == hubspot.PolicySecondly {
		eb := s.newErrorBody(hubspot.CategoryRateLimits, "You have reached your secondly limit.", nil)
		s.dailyHeaders(w.Header())
		writeJSON(w, http.StatusTooManyRequests, eb)
		return
	}
	eb := s.newErrorBody(hubspot.CategoryRateLimits, "You have reached your "+strings.ToLower(policy)+" limit.", nil)
	eb.PolicyName = policy
	eb.ErrorType = "RATE_LIMIT"
	s.budgetHeaders(w.Header(), 0)
	writeJSON(w, http.StatusTooManyRequests, eb)
}
