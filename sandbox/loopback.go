package sandbox

import (
	"context"
	"io"
	"net/http"
	"time"
)

// loopbackHTTP bounds one request to an in-process fake: they answer in
// milliseconds, and the bound is also how long a resume must wait for a
// create killed in flight to land, so the vendors' 30 s would only slow
// the sandbox down. The bound starts once the fake holds its records
// (loaded): a sized dataset generates them on the CRM's first use, most of
// a minute at 1M contacts per number, and that wait is no hung request.
func loopbackHTTP(timeout time.Duration, loaded func(context.Context) error) *http.Client {
	return &http.Client{Transport: afterLoad{loaded: loaded, timeout: timeout, next: http.DefaultTransport}}
}

// afterLoad is loopbackHTTP's transport: it waits for the fake's records,
// then bounds the attempt, reading the body included, by timeout.
type afterLoad struct {
	loaded  func(context.Context) error
	timeout time.Duration
	next    http.RoundTripper
}

// AttemptTimeout tells the CRM clients the bound (crm.AttemptTimeout).
func (t afterLoad) AttemptTimeout() time.Duration { return t.timeout }

func (t afterLoad) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.loaded(req.Context()); err != nil {
		if req.Body != nil { // a transport closes the body, sent or not
			req.Body.Close()
		}
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends an attempt's bound when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
