package httpcore

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

const (
	token  = "tok-3xAmple-Secret-0042"
	secret = "app-secret-value-77"
)

// vendorError is what a Classify func might return.
type vendorError struct {
	status int
	retry  bool
	err    error
}

func (e *vendorError) Error() string {
	if e.err != nil {
		return "vendor: " + e.err.Error()
	}
	return "vendor: status " + http.StatusText(e.status)
}
func (e *vendorError) Unwrap() error   { return e.err }
func (e *vendorError) RetryHint() Hint { return Hint{Retry: e.retry, Reason: ReasonServerError} }

// classifyInto decodes a 2xx into out and turns anything else into a
// vendorError, retryable on 5xx and failed round trips.
func classifyInto(out *map[string]any) func(*Response) error {
	return func(r *Response) error {
		switch {
		case r.Err != nil:
			return &vendorError{status: r.Status, retry: r.Status == 0, err: r.Err}
		case r.Status >= 300:
			return &vendorError{status: r.Status, retry: r.Status >= 500}
		}
		return jsonInto(r.Body, out)
	}
}

func jsonInto(b []byte, out *map[string]any) error {
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

func fast(attempts int) RetryPolicy {
	return RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
}

func TestRequestBuilding(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		body, _ = io.ReadAll(r.Body)
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	c := &Client{Token: token, Header: http.Header{"X-Api-Version": {"2.14"}, "Accept": {"text/plain"}}}

	var out map[string]any
	err := c.Do(context.Background(), Call{Name: "create", Method: http.MethodPost, URL: srv.URL + "/contacts?x=1",
		JSON: map[string]string{"phone": "+1"}, Header: http.Header{"accept": {"application/json"}}, Classify: classifyInto(&out)})
	if err != nil || out["ok"] != true {
		t.Fatalf("err=%v out=%v", err, out)
	}
	for k, want := range map[string]string{"Authorization": "Bearer " + token, "X-Api-Version": "2.14",
		"Accept": "application/json", "Content-Type": "application/json"} {
		if v := got.Header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	if got.Method != http.MethodPost || got.URL.RequestURI() != "/contacts?x=1" || string(body) != `{"phone":"+1"}` {
		t.Errorf("sent %s %s %s", got.Method, got.URL, body)
	}

	if err := c.Do(context.Background(), Call{Name: "read", URL: srv.URL, Classify: classifyInto(nil)}); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodGet || len(body) != 0 || got.Header.Get("Content-Type") != "" {
		t.Errorf("a call without JSON sent %s with body %q and Content-Type %q", got.Method, body, got.Header.Get("Content-Type"))
	}
	if got.Header.Get("Accept") != "text/plain" {
		t.Errorf("the client's own header lost: Accept %q", got.Header.Get("Accept"))
	}

	c.Token = ""
	if err := c.Do(context.Background(), Call{Name: "read", URL: srv.URL, Classify: classifyInto(nil)}); err != nil || got.Header.Get("Authorization") != "" {
		t.Errorf("no token, yet Authorization %q (%v)", got.Header.Get("Authorization"), err)
	}
	if err := c.Do(context.Background(), Call{Name: "bad", URL: srv.URL, JSON: func() {}, Classify: classifyInto(nil)}); err == nil || !strings.Contains(err.Error(), "encode") {
		t.Errorf("an unencodable body: %v", err)
	}
}

func TestBodyCap(t *testing.T) {
	const max = 64
	for _, tc := range []struct {
		n       int
		wantErr bool
	}{{max - 1, false}, {max, false}, {max + 1, true}, {10 * max, true}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(strings.Repeat("x", tc.n)))
		}))
		var got *Response
		c := &Client{MaxBody: max, Retry: fast(3)}
		calls := 0
		err := c.Do(context.Background(), Call{Name: "x", URL: srv.URL, Classify: func(r *Response) error { calls++; got = r; return nil }})
		srv.Close()
		if err != nil || calls != 1 {
			t.Fatalf("%d bytes: err=%v calls=%d", tc.n, err, calls)
		}
		if errors.Is(got.Err, ErrBodyTooLarge) != tc.wantErr || len(got.Body) != min(tc.n, max) {
			t.Errorf("%d bytes: Err=%v, %d bytes kept", tc.n, got.Err, len(got.Body))
		}
	}
	if (&Client{}).MaxBody != 0 {
		t.Fatal("zero MaxBody should take DefaultMaxBody")
	}
}

// TestSecretsNeverInErrors puts the token and a secret where a careless
// caller might (the URL's userinfo, query, path; a header) and checks no
// error the core makes shows them.
func TestSecretsNeverInErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hang.Close()
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte(`{"partial":`))
	}))
	defer cut.Close()

	withSecrets := func(base string) string {
		return strings.Replace(base, "http://", "http://user:"+secret+"@", 1) + "/v1/" + token + "?access_token=" + token + "&proof=" + secret
	}
	cases := map[string]struct {
		url     string
		timeout time.Duration
	}{
		"unreachable":   {withSecrets(closed.URL), 0},
		"timeout":       {withSecrets(hang.URL), 50 * time.Millisecond},
		"body cut off":  {withSecrets(cut.URL), 0},
		"unparsable":    {"http://h/%zz?access_token=" + token, 0},
		"bad host text": {"http://" + token + " x/", 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &Client{Token: token, Secrets: []string{secret}, Retry: fast(2),
				HTTP: &http.Client{Timeout: tc.timeout}}
			var seen []error
			err := c.Do(context.Background(), Call{Name: "x", URL: tc.url,
				Header: http.Header{"X-Debug": {token}},
				Classify: func(r *Response) error {
					seen = append(seen, r.Err)
					return classifyInto(nil)(r)
				}})
			if err == nil {
				t.Fatal("no error")
			}
			texts := []string{err.Error()}
			for _, e := range seen {
				if e != nil {
					texts = append(texts, e.Error())
				}
			}
			for _, s := range texts {
				if strings.Contains(s, token) || strings.Contains(s, secret) {
					t.Errorf("error text %q shows a secret", s)
				}
			}
			if name == "timeout" && (len(seen) == 0 || !IsTimeout(seen[0])) {
				t.Errorf("a timeout is no longer recognisable: %v", seen)
			}
		})
	}
}

func TestCancelledDuringTheCall(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	ctx, cancel := context.WithCancel(context.Background())
	classified := false
	c := &Client{Retry: fast(5)}
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	err := c.Do(ctx, Call{Name: "x", URL: hang.URL, Classify: func(*Response) error { classified = true; return nil }})
	if !errors.Is(err, context.Canceled) || IsPermanent(err) || classified {
		t.Errorf("err=%v classified=%v: the caller's cancellation comes back as is", err, classified)
	}
}

// memLimiter books every Wait and records Settle calls.
type memLimiter struct {
	mu      sync.Mutex
	waits   int
	settled []time.Time
	err     error
}

func (l *memLimiter) Wait(ctx context.Context) (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waits++
	return 0, l.err
}

func (l *memLimiter) Settle(booked time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.settled = append(l.settled, booked)
}

// roundTrip serves requests from a func, in memory (no sockets, so a
// synctest bubble sees every wait).
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
}

func TestLimitersBeforeSendAndSettle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var order []string
		sent := 0
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			sent++
			order = append(order, "send")
			time.Sleep(30 * time.Millisecond) // the answer takes a while
			if sent == 1 {
				return answer(503, ""), nil
			}
			return answer(200, `{}`), nil
		})}
		a, b := &memLimiter{}, &memLimiter{}
		c := &Client{HTTP: hc, Retry: fast(3)}
		start := time.Now()
		err := c.Do(context.Background(), Call{Name: "create", Method: http.MethodPost, URL: "http://h/x", JSON: 1,
			Limiters: []Limiter{a, b}, Settle: true,
			BeforeSend: func(context.Context) error { order = append(order, "before"); return nil },
			Classify:   classifyInto(nil)})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(order, ",") != "before,send,before,send" {
			t.Errorf("order %v: BeforeSend must run right before every attempt", order)
		}
		if a.waits != 2 || b.waits != 2 || len(a.settled) != 2 || len(b.settled) != 2 {
			t.Errorf("limiters waited %d/%d, settled %d/%d; want 2 of each", a.waits, b.waits, len(a.settled), len(b.settled))
		}
		if !a.settled[0].Equal(start) {
			t.Errorf("settled booking %v, want the time the call was booked (%v)", a.settled[0], start)
		}

		// Without Settle the bookings stay; a refusing BeforeSend sends nothing.
		a2 := &memLimiter{}
		refused := errors.New("the engine said no")
		before := sent
		err = c.Do(context.Background(), Call{Name: "create", URL: "http://h/x", Limiters: []Limiter{a2},
			BeforeSend: func(context.Context) error { return refused }, Classify: classifyInto(nil)})
		if err != refused || sent != before || len(a2.settled) != 0 {
			t.Errorf("err=%v, %d sent, settled %d: want the refusal, nothing sent", err, sent-before, len(a2.settled))
		}

		// A limiter that fails (the context ended) stops the call unsent.
		a3 := &memLimiter{err: context.DeadlineExceeded}
		err = c.Do(context.Background(), Call{Name: "x", URL: "http://h/x", Limiters: []Limiter{a3}, Classify: classifyInto(nil)})
		if err != context.DeadlineExceeded || sent != before || a3.waits != 1 {
			t.Errorf("err=%v, %d sent, %d waits", err, sent-before, a3.waits)
		}
	})
}

// TestInFlightCount: an answer tells how many other calls of the client
// had gone out and were not answered yet.
func TestInFlightCount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			d, _ := time.ParseDuration(r.URL.Query().Get("d"))
			time.Sleep(d)
			return answer(200, `{}`), nil
		})}
		c := &Client{HTTP: hc, Retry: fast(1)}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for _, d := range []string{"10ms", "20ms", "30ms"} {
			wg.Go(func() {
				err := c.Do(context.Background(), Call{Name: d, URL: "http://h/?d=" + d, Classify: classifyInto(nil),
					Observe: func(r *Response) { mu.Lock(); seen[d] = r.InFlight; mu.Unlock() }})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if seen["10ms"] != 2 || seen["20ms"] != 1 || seen["30ms"] != 0 {
			t.Errorf("in flight at each answer: %v, want 2, 1, 0", seen)
		}
	})
}

func TestObserveHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Date-Ish", "now") }))
	defer srv.Close()
	var got string
	hc := ObserveHTTP(nil, func(r *http.Response) { got = r.Header.Get("Date-Ish") })
	if hc.Timeout != DefaultTimeout {
		t.Errorf("timeout %v", hc.Timeout)
	}
	if err := (&Client{HTTP: hc}).Do(context.Background(), Call{Name: "x", URL: srv.URL, Classify: classifyInto(nil)}); err != nil || got != "now" {
		t.Errorf("observer saw %q (%v)", got, err)
	}
}
