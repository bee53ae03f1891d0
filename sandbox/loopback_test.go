package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
)

// roundTrip is a transport in a function: it answers /ok at once and
// holds /hang until the attempt's context ends, as a socket would.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// closeSeen is a request body that notes its Close.
type closeSeen struct {
	io.Reader
	closed bool
}

func (b *closeSeen) Close() error { b.closed = true; return nil }

func answerOrHang(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/hang" {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("ok")), Request: r}, nil
}

// A sized sandbox's CRM fake spends most of a minute generating its
// records on first use. That wait must not count against the bound on one
// request (the first plan of a 1M sandbox timed out on it), while a
// request that hangs afterwards still ends at the bound.
func TestLoopbackBoundStartsOnceTheFakeIsLoaded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const bound = 5 * time.Second
		loadedAt := make(chan struct{})
		go func() {
			time.Sleep(time.Minute)
			close(loadedAt)
		}()
		loaded := func(ctx context.Context) error {
			select {
			case <-loadedAt:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c := &http.Client{Transport: afterLoad{loaded: loaded, timeout: bound, next: roundTrip(answerOrHang)}}
		if got := crm.AttemptTimeout(c); got != bound {
			t.Fatalf("the CRM clients read a bound of %v, want %v", got, bound)
		}

		// A caller that gives up during the load gets its own error, and
		// its request body is closed as a transport must.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		sent := &closeSeen{Reader: strings.NewReader("{}")}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://fake/ok", sent)
		if _, err := c.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a caller's own deadline during the load: %v", err)
		}
		cancel()
		if !sent.closed {
			t.Fatal("the request body of a request given up during the load was left open")
		}

		start := time.Now()
		resp, err := c.Get("http://fake/ok")
		if err != nil {
			t.Fatalf("a request made during the load failed: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "ok" {
			t.Fatalf("body %q, %v", body, err)
		}
		if waited := time.Since(start); waited != time.Minute-time.Second {
			t.Fatalf("answered after %v, want the rest of the load", waited)
		}

		start = time.Now()
		if _, err := c.Get("http://fake/hang"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a hung request: %v, want the bound's deadline", err)
		}
		if waited := time.Since(start); waited != bound {
			t.Fatalf("a hung request ended after %v, want %v", waited, bound)
		}
	})
}
