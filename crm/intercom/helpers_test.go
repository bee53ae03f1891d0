package intercom_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

const testToken = "tok-do-not-leak-42"

const time24h = 24 * time.Hour

// fastRetry keeps every retry test in milliseconds.
var fastRetry = crm.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

// setup starts a fake with a small, fast window (100 calls per 200 ms
// unless opts say otherwise) and a client configured to match it.
func setup(t testing.TB, opts intercomtest.Options, tweak ...func(*intercom.Config)) (*intercomtest.Server, *intercom.Client) {
	t.Helper()
	opts = withDefaults(opts)
	srv := intercomtest.New(opts)
	t.Cleanup(srv.Close)
	return srv, newClient(srv, opts, tweak...)
}

// setupBubble is setup for a test that runs in a synctest bubble: the
// fake is served in memory, in the calling goroutine, so the bubble's
// clock is the only clock either side reads. Call it outside the bubble
// (the fake's listener must not join it) and use the client inside.
func setupBubble(t testing.TB, opts intercomtest.Options, tweak ...func(*intercom.Config)) (*intercomtest.Server, *intercom.Client) {
	t.Helper()
	opts = withDefaults(opts)
	srv := intercomtest.New(opts)
	t.Cleanup(srv.Close)
	mem := func(cfg *intercom.Config) {
		cfg.HTTP = &http.Client{Transport: crmtest.MemTransport(srv.Handler()), Timeout: 3 * time.Second}
	}
	return srv, newClient(srv, opts, append([]func(*intercom.Config){mem}, tweak...)...)
}

// withDefaults gives the fake a small, fast window (100 calls per 200 ms)
// unless opts say otherwise.
func withDefaults(opts intercomtest.Options) intercomtest.Options {
	opts.Token = testToken
	if opts.PerMinute == 0 {
		opts.PerMinute = 600
	}
	if opts.Window == 0 {
		opts.Window = 200 * time.Millisecond
	}
	return opts
}

func newClient(srv *intercomtest.Server, opts intercomtest.Options, tweak ...func(*intercom.Config)) *intercom.Client {
	cfg := intercom.Config{
		BaseURL:   srv.URL(),
		Token:     testToken,
		HTTP:      &http.Client{Timeout: 3 * time.Second},
		PerMinute: opts.PerMinute,
		Window:    opts.Window,
		Retry:     fastRetry,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	return intercom.New(cfg)
}

// noRateLimits fails the test when the fake's own budget refused a call:
// the client's limiter must keep that at zero.
func noRateLimits(t *testing.T, srv *intercomtest.Server) {
	t.Helper()
	if n := srv.RateLimited(); n != 0 {
		t.Errorf("the fake answered %d calls with 429: the client outran its limiter", n)
	}
}

// notices collects what the client reports to an observer.
type notices struct {
	mu  sync.Mutex
	all []crm.Notice
}

func (n *notices) ctx() context.Context {
	return crm.WithObserver(context.Background(), func(x crm.Notice) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.all = append(n.all, x)
	})
}

func (n *notices) count(kind crm.NoticeKind, reason crm.Reason) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, x := range n.all {
		if x.Kind == kind && x.Reason == reason {
			c++
		}
	}
	return c
}

// phone is the i-th test number (all in one US area code).
func phone(i int) string { return fmt.Sprintf("+1415555%04d", i) }

func newContacts(n int) []crm.NewContact {
	out := make([]crm.NewContact, n)
	for i := range out {
		out[i] = crm.NewContact{Ref: phone(i), Phone: phone(i), Name: fmt.Sprintf("Person %d", i)}
	}
	return out
}

// wantReason checks err is a *crm.Error with the reason.
// mustCreate creates in and fails the test on an error of the call or of
// any item.
func mustCreate(t testing.TB, ctx context.Context, c *intercom.Client, in []crm.NewContact) {
	t.Helper()
	res, err := c.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Ref, r.Err)
		}
	}
}

func wantReason(t *testing.T, err error, want crm.Reason) *crm.Error {
	t.Helper()
	ce, ok := err.(*crm.Error)
	if !ok || ce.Reason != want {
		t.Fatalf("error = %#v, want a *crm.Error with reason %s", err, want)
	}
	return ce
}
