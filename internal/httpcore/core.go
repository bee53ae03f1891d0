// Package httpcore is the HTTP plumbing the vendor clients share: an
// authenticated JSON request, pacing through rate limiters, a bounded
// answer, and retries with jittered backoff that honour a server-told
// wait. What an answer means stays with each vendor: the Classify func it
// passes turns status, headers and body into a result or a typed error,
// and that error says (RetryHint) whether a retry may help and when.
// Errors the core makes itself never carry the token, the secrets it was
// given, or the query of the request URL.
package httpcore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"coexsync/internal/vendortext"
)

// DefaultMaxBody caps the answer bodies a Client reads unless told otherwise.
const DefaultMaxBody = 8 << 20

// maxErrorText bounds the text of an error the core makes.
const maxErrorText = 500

// ErrBodyTooLarge is Response.Err for an answer longer than MaxBody; Body
// then holds its first MaxBody bytes.
var ErrBodyTooLarge = errors.New("response body too large")

// Client sends Calls for one vendor account. Set it up once and share it:
// it counts the calls it has in flight.
type Client struct {
	HTTP *http.Client // nil: http.DefaultClient
	// Token goes out as "Authorization: Bearer <Token>" and nowhere else.
	Token string
	// Secrets are further values (an app secret, a proof derived from it)
	// kept out of the errors the core makes; the token always is.
	Secrets []string
	Header  http.Header // sent on every request
	MaxBody int64       // 0: DefaultMaxBody
	Retry   RetryPolicy // zero MaxAttempts: DefaultRetry()

	inflight atomic.Int64
}

// Call is one API operation, sent until it succeeds, fails for good, or
// the attempts run out.
type Call struct {
	Name   string // endpoint, for notices: "search", "graph phone_numbers"
	Method string // "" is GET
	URL    string
	// JSON is encoded once and sent as the body of every attempt; nil sends
	// no body. (A []byte would be encoded as base64: pass a
	// json.RawMessage for bytes that already are JSON.)
	JSON   any
	Header http.Header // this call's own headers, over Client.Header

	// Limiters are waited on, in order, before each attempt.
	Limiters []Limiter
	// Settle re-books each Settler limiter's call when the answer arrives,
	// for vendors that count a call when it reaches them.
	Settle bool
	// BeforeSend runs right before each attempt goes on the wire; an error
	// stops the call unsent and is returned as is.
	BeforeSend func(ctx context.Context) error
	// Observe sees every answer's status and headers before its body is
	// read (rate-limit feedback).
	Observe func(*Response)
	// Classify reads one attempt's outcome: nil for success (it decodes the
	// body itself), else the vendor's error. The error is retried when its
	// RetryHint says so and it is not marked Permanent.
	Classify func(*Response) error
}

// Response is one attempt's outcome as Classify sees it.
type Response struct {
	Status int // 0 when no answer came (see Err)
	Header http.Header
	Body   []byte
	// Err is a round trip that failed (Status 0) or a body that broke off
	// or passed MaxBody (ErrBodyTooLarge). Its text holds neither the
	// token nor the secrets nor the URL's query; errors.As still finds the
	// cause (net.Error for timeouts).
	Err error
	// InFlight is how many other calls of this Client were past their
	// limiters and not answered when this answer came: a vendor's
	// "remaining" header has not counted those that have not reached it.
	InFlight int
}

// Do sends call under the retry policy and returns nil or the last
// attempt's error, with any Permanent mark removed. The caller's own
// cancellation comes back as the context's error.
func (c *Client) Do(ctx context.Context, call Call) error {
	var body []byte
	if call.JSON != nil {
		b, err := json.Marshal(call.JSON)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", call.Name, err)
		}
		body = b
	}
	p := c.Retry
	if p.MaxAttempts <= 0 {
		p = DefaultRetry()
	}
	return p.Do(ctx, call.Name, func() error { return c.attempt(ctx, &call, body) })
}

func (c *Client) attempt(ctx context.Context, call *Call, body []byte) error {
	booked := make([]time.Time, len(call.Limiters))
	for i, l := range call.Limiters {
		if err := WaitNotify(ctx, l, call.Name); err != nil {
			return Permanent(err)
		}
		booked[i] = time.Now()
	}
	// In flight from the moment the limiters let the call through: it is
	// booked there, and the vendor has not counted it yet.
	c.inflight.Add(1)
	req, err := c.request(ctx, call, body)
	if err == nil && call.BeforeSend != nil {
		err = call.BeforeSend(ctx)
	}
	if err != nil {
		c.inflight.Add(-1)
		return Permanent(err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	others := int(c.inflight.Add(-1))
	if call.Settle {
		for i, l := range call.Limiters {
			if s, ok := l.(Settler); ok {
				s.Settle(booked[i])
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return Permanent(ctx.Err())
		}
		return call.Classify(&Response{Err: c.scrub(err), InFlight: others})
	}
	defer resp.Body.Close()
	r := &Response{Status: resp.StatusCode, Header: resp.Header, InFlight: others}
	if call.Observe != nil {
		call.Observe(r)
	}
	r.Body, r.Err = c.read(resp.Body)
	if r.Err != nil && !errors.Is(r.Err, ErrBodyTooLarge) && ctx.Err() != nil {
		return Permanent(ctx.Err())
	}
	return call.Classify(r)
}

func (c *Client) request(ctx context.Context, call *Call, body []byte) (*http.Request, error) {
	method := call.Method
	if method == "" {
		method = http.MethodGet
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, call.URL, rd)
	if err != nil {
		// The parse error quotes the URL: only its scrubbed form is shown.
		return nil, &safeError{msg: c.clean(fmt.Sprintf("%s: build request for %s: invalid method or URL", call.Name, scrubURL(call.URL))), err: err}
	}
	req.Header.Set("Accept", "application/json")
	for _, h := range []http.Header{c.Header, call.Header} {
		for k, vs := range h {
			req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// read takes at most MaxBody bytes of an answer.
func (c *Client) read(r io.Reader) ([]byte, error) {
	max := c.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return b, c.scrub(err)
	}
	if int64(len(b)) > max {
		return b[:max], ErrBodyTooLarge
	}
	return b, nil
}

// scrub gives a transport error a text without the URL's query or any
// secret, keeping the cause for errors.As (a *url.Error keeps its Op and
// cause; its URL is scrubbed too).
func (c *Client) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: scrubURL(ue.URL), Err: ue.Err}
	}
	return &safeError{msg: c.clean(err.Error()), err: err}
}

func (c *Client) clean(s string) string {
	return vendortext.Safe(s, maxErrorText, append([]string{c.Token}, c.Secrets...)...)
}

// scrubURL drops a URL's userinfo, query and fragment, where credentials
// travel when they travel in a URL.
func scrubURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// safeError is an error whose text was made safe to show; the cause stays
// reachable for errors.Is and errors.As.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }
