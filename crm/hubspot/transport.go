package hubspot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"coexsync/crm"
	"coexsync/internal/httpcore"
)

// maxBody caps what is read of one response; a search page of 200
// contacts is far below it.
const maxBody = 8 << 20

// maxMessage caps a vendor message kept in an error.
const maxMessage = 300

// endpoint describes one API operation for the limiter and the retries.
type endpoint struct {
	name   string // for notices: "search", "batch/create", …
	path   string // may carry a query string
	method string // "" is POST; a GET sends no body
	// search calls spend the search budget only: the spec exempts them
	// from the ten-secondly one (x-hubspot-rate-limit-exemptions).
	search bool
	// idempotent calls are retried after timeouts and unreadable answers;
	// a create is not, because HubSpot may already have made the contacts.
	idempotent bool
}

var (
	epSearch = endpoint{name: "search", path: PathSearch, search: true, idempotent: true}
	epCreate = endpoint{name: "batch/create", path: PathBatchCreate}
	epUpdate = endpoint{name: "batch/update", path: PathBatchUpdate, idempotent: true}
)

// post sends in as JSON under the limiters and the retry policy. A 2xx
// answer (207 included) is decoded into out. Other 4xx answers that the
// caller must judge item by item come back as an ErrorBody with a nil
// error; everything else is a *crm.Error (or the context's error).
func (c *Client) post(ctx context.Context, ep endpoint, in, out any) (int, *ErrorBody, error) {
	call := httpcore.Call{
		Name:   ep.name,
		Method: http.MethodPost,
		URL:    c.base + ep.path,
		JSON:   in,
		// HubSpot counts a call when it arrives: bookings are settled then.
		Limiters: []httpcore.Limiter{c.general},
		Settle:   true,
		Observe:  func(r *httpcore.Response) { c.observe(r.Header, r.InFlight) },
	}
	if ep.method == http.MethodGet {
		call.Method, call.JSON = http.MethodGet, nil
	}
	if ep.search {
		call.Limiters = []httpcore.Limiter{c.search}
	}
	if !ep.idempotent {
		// A create may land even if this process dies in flight: the
		// engine records the send time right before each attempt goes out.
		call.BeforeSend = func(ctx context.Context) error { return crm.BeforeSend(ctx, nil) }
	}
	var status int
	var apiErr *ErrorBody
	call.Classify = func(r *httpcore.Response) error {
		var err error
		status, apiErr, err = c.classify(ep, r, out)
		return err
	}
	if call.JSON == nil && call.Method == http.MethodPost {
		call.JSON = json.RawMessage("null") // what encoding a nil input always sent
	}
	err := c.core.Do(ctx, call)
	if err != nil {
		return status, nil, err
	}
	return status, apiErr, nil
}

// classify reads one attempt's outcome. Failures that must not be
// repeated (a create whose answer was lost, the daily cap) are marked
// permanent.
func (c *Client) classify(ep endpoint, r *httpcore.Response, out any) (int, *ErrorBody, error) {
	s, body, readErr := r.Status, r.Body, r.Err
	if s == 0 {
		return 0, nil, c.unsent(ep, readErr)
	}
	switch {
	case s == http.StatusTooManyRequests:
		return s, nil, c.rateLimited(r.Header, body, ep)
	case s >= 500:
		return s, nil, &crm.Error{Reason: crm.ReasonServerError, Status: s, Message: c.message(body)}
	case s == http.StatusUnauthorized:
		return s, nil, &crm.Error{Reason: crm.ReasonUnauthorized, Status: s, Message: c.message(body)}
	case s == http.StatusForbidden:
		return s, nil, &crm.Error{Reason: crm.ReasonForbidden, Status: s, Message: c.message(body)}
	case readErr != nil:
		return s, nil, c.unreadable(ep, s, readErr)
	case s >= 200 && s < 300:
		if err := json.Unmarshal(body, out); err != nil {
			return s, nil, c.unreadable(ep, s, err)
		}
		return s, nil, nil
	default:
		var eb ErrorBody
		if err := json.Unmarshal(body, &eb); err != nil {
			return s, nil, c.unreadable(ep, s, err)
		}
		eb.Message = c.clean(eb.Message)
		return s, &eb, nil
	}
}

// unsent classifies a transport failure (the core already returned the
// caller's own cancellation).
func (c *Client) unsent(ep endpoint, err error) error {
	reason := crm.ReasonNetwork
	if httpcore.IsTimeout(err) {
		reason = crm.ReasonTimeout
	}
	// The core's error names the URL without its query; the token is in a
	// header.
	ce := &crm.Error{Reason: reason, Err: err}
	if !ep.idempotent {
		return httpcore.Permanent(ce)
	}
	return ce
}

func (c *Client) unreadable(ep endpoint, status int, err error) error {
	ce := &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "unreadable answer: " + c.clean(err.Error())}
	if !ep.idempotent && status >= 200 && status < 300 {
		return httpcore.Permanent(ce)
	}
	return ce
}

// observe feeds the server's view of the general budget to the limiter:
// the account's tier (unless overridden) and what is left of it (another
// integration may share the account). HubSpot counts a call on arrival,
// so our inFlight calls, already booked here, come off what it says is
// left before the two are compared.
func (c *Client) observe(h http.Header, inFlight int) {
	if v := h.Get(HeaderMax); v != "" && !c.tierFixed {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n <= maxTier {
			c.general.SetMax(n)
		}
	}
	if v := h.Get(HeaderRemaining); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			c.general.Observe(max(n-inFlight, 0))
		}
	}
}

func (c *Client) rateLimited(h http.Header, body []byte, ep endpoint) error {
	var eb ErrorBody
	_ = json.Unmarshal(body, &eb) // a garbled 429 is still a 429
	policy := c.clean(eb.PolicyName)
	if policy == PolicyDaily {
		return httpcore.Permanent(&crm.Error{Reason: crm.ReasonRateLimited, Status: http.StatusTooManyRequests,
			Message: "HubSpot's daily API call limit for this account is reached; run the sync again after it resets at midnight (account time zone)."})
	}
	// Only the window the call was charged to is paused: a search 429
	// says nothing about the general budget, and the reverse.
	window, interval := c.general, c.cfg.GeneralInterval
	if ep.search || policy == PolicySecondly {
		window, interval = c.search, c.cfg.SearchInterval
	}
	wait := httpcore.RetryAfter(h.Get("Retry-After"), time.Now())
	if wait <= 0 {
		// HubSpot sends no Retry-After. Another app may be spending the
		// same budget, so a short backoff would only meet the next 429:
		// wait the whole window out, as HubSpot's own clients do (10 s on
		// TEN_SECONDLY_ROLLING, 1 s on the secondly limit).
		wait = interval
	}
	window.PauseUntil(time.Now().Add(wait))
	msg := policy
	if msg == "" {
		msg = c.clean(eb.Message)
	}
	if msg == "" {
		msg = "rate limit"
	}
	return &crm.Error{Reason: crm.ReasonRateLimited, Status: http.StatusTooManyRequests, Message: msg, RetryAfter: wait}
}

// message extracts the vendor message of an error body, cleaned.
func (c *Client) message(body []byte) string {
	var eb ErrorBody
	if json.Unmarshal(body, &eb) != nil {
		return ""
	}
	return c.clean(eb.Message)
}

// clean makes outside text safe to show and store; the token is never
// kept even if echoed back.
func (c *Client) clean(s string) string { return crm.VendorText(s, maxMessage, c.cfg.Token) }
