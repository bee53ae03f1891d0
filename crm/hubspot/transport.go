package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"coexsync/crm"
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

// final stops the retry loop: it hides the *crm.Error from RetryPolicy.Do
// on purpose and is unwrapped once the loop is over.
type final struct{ err error }

func (f final) Error() string { return f.err.Error() }

// post sends in as JSON under the limiters and the retry policy. A 2xx
// answer (207 included) is decoded into out. Other 4xx answers that the
// caller must judge item by item come back as an ErrorBody with a nil
// error; everything else is a *crm.Error (or the context's error).
func (c *Client) post(ctx context.Context, ep endpoint, in, out any) (int, *ErrorBody, error) {
	payload, err := json.Marshal(in)
	if err != nil {
		return 0, nil, fmt.Errorf("hubspot: encode %s: %w", ep.name, err)
	}
	var status int
	var apiErr *ErrorBody
	err = c.cfg.Retry.Do(ctx, ep.name, func() error {
		status, apiErr, err = c.attempt(ctx, ep, payload, out)
		return err
	})
	var f final
	if errors.As(err, &f) {
		err = f.err
	}
	return status, apiErr, err
}

func (c *Client) attempt(ctx context.Context, ep endpoint, payload []byte, out any) (int, *ErrorBody, error) {
	windows := []*crm.Window{c.general}
	if ep.search {
		windows = []*crm.Window{c.search}
	}
	booked := make([]time.Time, len(windows))
	for i, w := range windows {
		if err := crm.WaitNotify(ctx, w, ep.name); err != nil {
			return 0, nil, final{err}
		}
		booked[i] = time.Now()
	}
	method, reqBody := http.MethodPost, io.Reader(bytes.NewReader(payload))
	if ep.method == http.MethodGet {
		method, reqBody = http.MethodGet, nil
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+ep.path, reqBody)
	if err != nil {
		return 0, nil, final{fmt.Errorf("hubspot: build request: %w", err)}
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")

	if !ep.idempotent {
		// A create may land even if this process dies in flight: the
		// engine records the send time before it goes out.
		if err := crm.BeforeSend(ctx, nil); err != nil {
			return 0, nil, final{err}
		}
	}
	resp, err := c.cfg.HTTP.Do(req)
	for i, w := range windows { // HubSpot counted the call on arrival
		w.Settle(booked[i])
	}
	if err != nil {
		return 0, nil, c.unsent(ctx, ep, err)
	}
	defer resp.Body.Close()
	c.observe(resp.Header)
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody))

	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		return s, nil, c.rateLimited(resp.Header, body, ep)
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

// unsent classifies a transport failure.
func (c *Client) unsent(ctx context.Context, ep endpoint, err error) error {
	if ctx.Err() != nil {
		return final{ctx.Err()}
	}
	reason := crm.ReasonNetwork
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		reason = crm.ReasonTimeout
	}
	// The *url.Error names the URL only; the token is in a header.
	ce := &crm.Error{Reason: reason, Err: err}
	if !ep.idempotent {
		return final{ce}
	}
	return ce
}

func (c *Client) unreadable(ep endpoint, status int, err error) error {
	ce := &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "unreadable answer: " + c.clean(err.Error())}
	if !ep.idempotent && status >= 200 && status < 300 {
		return final{ce}
	}
	return ce
}

// observe feeds the server's view of the general budget to the limiter:
// the account's tier (unless overridden) and what is left of it (another
// integration may share the account).
func (c *Client) observe(h http.Header) {
	if v := h.Get(HeaderMax); v != "" && !c.tierFixed {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && n <= maxTier {
			c.general.SetMax(n)
		}
	}
	if v := h.Get(HeaderRemaining); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
			c.general.Observe(n)
		}
	}
}

func (c *Client) rateLimited(h http.Header, body []byte, ep endpoint) error {
	var eb ErrorBody
	_ = json.Unmarshal(body, &eb) // a garbled 429 is still a 429
	policy := c.clean(eb.PolicyName)
	if policy == PolicyDaily {
		return final{&crm.Error{Reason: crm.ReasonRateLimited, Status: http.StatusTooManyRequests,
			Message: "HubSpot's daily API call limit for this account is reached; run the sync again after it resets at midnight (account time zone)."}}
	}
	// Only the window the call was charged to is paused: a search 429
	// says nothing about the general budget, and the reverse.
	window, interval := c.general, c.cfg.GeneralInterval
	if ep.search || policy == PolicySecondly {
		window, interval = c.search, c.cfg.SearchInterval
	}
	wait := retryAfter(h.Get("Retry-After"), time.Now())
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

// retryAfter reads a Retry-After header: seconds (fractions accepted) or
// an HTTP date. Absurd values are ignored rather than obeyed.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 || d > time.Hour {
		return 0
	}
	return d
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
