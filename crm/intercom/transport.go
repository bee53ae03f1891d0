package intercom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"coexsync/crm"
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

// final hides a temporary error from crm.RetryPolicy.Do so it is not
// retried; call unwraps it again.
type final struct{ err *crm.Error }

func (f final) Error() string { return f.err.Error() }

// call sends one request with retries under the client's policy and
// decodes a 2xx body into out.
func (c *Client) call(ctx context.Context, endpoint, method, path string, in, out any, may retryIf) error {
	err := c.cfg.Retry.Do(ctx, endpoint, func() error {
		err := c.send(ctx, endpoint, method, path, in, out)
		var ce *crm.Error
		if errors.As(err, &ce) && ce.Temporary() && !may(ce) {
			return final{ce}
		}
		return err
	})
	var f final
	if errors.As(err, &f) {
		return f.err
	}
	return err
}

// send makes one attempt: wait for the limiter, send, read, map the status.
func (c *Client) send(ctx context.Context, endpoint, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &crm.Error{Reason: crm.ReasonValidation, Err: err}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, body)
	if err != nil {
		return &crm.Error{Reason: crm.ReasonValidation, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	req.Header.Set("Intercom-Version", APIVersion)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := crm.WaitNotify(ctx, c.limiter, endpoint); err != nil {
		return err
	}
	if ref, ok := ctx.Value(createRefKey{}).(string); ok {
		if err := crm.BeforeSend(ctx, []string{ref}); err != nil {
			return &crm.Error{Reason: crm.ReasonValidation, Message: "not sent", Err: err}
		}
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return transportError(ctx, 0, err)
	}
	defer resp.Body.Close()
	c.observe(resp.Header)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return transportError(ctx, resp.StatusCode, err)
	}
	if len(raw) > maxBody {
		return &crm.Error{Reason: crm.ReasonBadResponse, Status: resp.StatusCode, Message: "response body too large"}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(resp, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &crm.Error{Reason: crm.ReasonBadResponse, Status: resp.StatusCode, Message: "unreadable JSON", Err: err}
	}
	return nil
}

// transportError maps a failed round trip. The caller's own cancellation
// is returned as is, so nothing retries past it.
func transportError(ctx context.Context, status int, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &crm.Error{Reason: crm.ReasonTimeout, Status: status, Err: err}
	}
	if status != 0 {
		// The status line came but the body broke off.
		return &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "truncated response", Err: err}
	}
	return &crm.Error{Reason: crm.ReasonNetwork, Err: err}
}

// observe feeds the server's view of the budget to the limiter.
func (c *Client) observe(h http.Header) {
	if n, ok := headerInt(h, "X-RateLimit-Remaining"); ok {
		c.limiter.Observe(int(n))
	}
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
