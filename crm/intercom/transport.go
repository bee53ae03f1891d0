package intercom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"coexsync/crm"
	"coexsync/internal/httpcore"
)

// maxBody bounds what we read from one response: a full search page is a
// few hundred KB, anything far beyond is not Intercom talking.
const maxBody = 8 << 20

// retryIf says which temporary failures a call may repeat.
type retryIf func(*crm.Error) bool

// anyTemporary suits reads and idempotent writes.
func anyTemporary(*crm.Error) bool { return true }

// notProcessed suits creates: only repeat when the server refused the call
// (429, 5xx). After a timeout or unreadable answer the contact may exist,
// and a blind retry would create it twice.
func notProcessed(e *crm.Error) bool {
	return e.Reason == crm.ReasonRateLimited || e.Reason == crm.ReasonServerError
}

// call sends one request with retries under the client's policy and
// decodes a 2xx body into out. A temporary failure that may not repeat
// comes back at once.
func (c *Client) call(ctx context.Context, endpoint, method, path string, in, out any, may retryIf) error {
	hc := httpcore.Call{
		Name:     endpoint,
		Method:   method,
		URL:      c.cfg.BaseURL + path,
		JSON:     in,
		Limiters: []httpcore.Limiter{c.limiter},
		Observe:  c.observe,
		Classify: func(r *httpcore.Response) error {
			err := c.classify(r, out)
			var ce *crm.Error
			if errors.As(err, &ce) && ce.Temporary() && !may(ce) {
				return httpcore.Permanent(ce)
			}
			return err
		},
	}
	if ref, ok := ctx.Value(createRefKey{}).(string); ok {
		// The engine records the send time right before each attempt.
		hc.BeforeSend = func(ctx context.Context) error {
			if err := crm.BeforeSend(ctx, []string{ref}); err != nil {
				return &crm.Error{Reason: crm.ReasonValidation, Message: "not sent", Err: err}
			}
			return nil
		}
	}
	err := c.core.Do(ctx, hc)
	var ce *crm.Error
	if err != nil && !errors.As(err, &ce) && ctx.Err() == nil {
		// Only an input that cannot be encoded fails outside the answer.
		return &crm.Error{Reason: crm.ReasonValidation, Err: err}
	}
	return err
}

// classify maps one attempt's outcome: a failed round trip, a cut-off or
// oversized body, a non-2xx status, or a 2xx to decode into out.
func (c *Client) classify(r *httpcore.Response, out any) error {
	switch {
	case errors.Is(r.Err, httpcore.ErrBodyTooLarge):
		return &crm.Error{Reason: crm.ReasonBadResponse, Status: r.Status, Message: "response body too large"}
	case r.Err != nil:
		return transportError(r.Status, r.Err)
	case r.Status < 200 || r.Status > 299:
		return c.statusError(&http.Response{StatusCode: r.Status, Header: r.Header}, r.Body)
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		return &crm.Error{Reason: crm.ReasonBadResponse, Status: r.Status, Message: "unreadable JSON", Err: err}
	}
	return nil
}

// transportError maps a failed round trip (the core already returned the
// caller's own cancellation).
func transportError(status int, err error) error {
	if httpcore.IsTimeout(err) {
		return &crm.Error{Reason: crm.ReasonTimeout, Status: status, Err: err}
	}
	if status != 0 {
		// The status line came but the body broke off.
		return &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "truncated response", Err: err}
	}
	return &crm.Error{Reason: crm.ReasonNetwork, Err: err}
}

// observe feeds the server's view of the budget to the limiter. The
// header counts the calls that reached Intercom; the others of ours still
// in flight will be counted on arrival, so they come off what remains
// (several calls in flight would overrun the budget otherwise). What
// remains holds until the window's reset, so the limiter keeps it booked
// that long.
func (c *Client) observe(r *httpcore.Response) {
	n, ok := headerInt(r.Header, "X-RateLimit-Remaining")
	if !ok {
		return
	}
	left := int(n) - r.InFlight
	reset, ok := headerInt(r.Header, "X-RateLimit-Reset")
	if !ok {
		c.limiter.Observe(left)
		return
	}
	until, limit := time.Unix(reset, 0), time.Now().Add(c.cfg.Window)
	if until.After(limit) {
		until = limit // one window at most
	}
	c.limiter.ObserveUntil(left, until)
}

// errorList is Intercom's error body.
type errorList struct {
	Type   string `json:"type"`
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"errors"`
}

// statusError turns a non-2xx answer into a crm.Error.
func (c *Client) statusError(resp *http.Response, raw []byte) *crm.Error {
	e := &crm.Error{Status: resp.StatusCode}
	var list errorList
	var code, field string
	if json.Unmarshal(raw, &list) == nil && len(list.Errors) > 0 {
		first := list.Errors[0]
		code, field = first.Code, first.Field
		e.Message = cleanMessage(first.Message, c.cfg.Token)
		if e.Message == "" {
			e.Message = cleanMessage(code, c.cfg.Token)
		}
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		e.Reason = crm.ReasonUnauthorized
	case s == http.StatusForbidden:
		e.Reason = crm.ReasonForbidden
	case s == http.StatusNotFound:
		e.Reason = crm.ReasonNotFound
	case s == http.StatusConflict:
		e.Reason = crm.ReasonConflict
	case s == http.StatusTooManyRequests:
		e.Reason = crm.ReasonRateLimited
		e.RetryAfter = c.resetWait(resp.Header)
	case s >= 500:
		e.Reason = crm.ReasonServerError
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		e.Reason = crm.ReasonValidation
		if isPhoneProblem(code, field) {
			e.Reason = crm.ReasonInvalidPhone
		}
	case s >= 400:
		e.Reason = crm.ReasonValidation
	default:
		e.Reason = crm.ReasonBadResponse
		if e.Message == "" {
			e.Message = fmt.Sprintf("unexpected status %d", s)
		}
	}
	return e
}

// resetWait is how long a 429 asks us to wait, from X-RateLimit-Reset
// (Unix seconds). It is capped at one window: the reset is only whole
// seconds, and a budget window never lasts longer than Window. The limiter
// pauses every caller, not only the one that was refused.
func (c *Client) resetWait(h http.Header) time.Duration {
	reset, ok := headerInt(h, "X-RateLimit-Reset")
	if !ok {
		return 0
	}
	now := time.Now()
	wait := min(time.Unix(reset, 0).Sub(now), c.cfg.Window)
	if wait <= 0 {
		return 0
	}
	c.limiter.PauseUntil(now.Add(wait))
	return wait
}
