package hubspot_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

const (
	testToken    = "pat-na1-secret-token-1234"
	specFile     = "hubspot-contacts-v3.openapi.json"
	testWindow   = time.Second // general window in tests (10 s for real)
	testSearchWn = 250 * time.Millisecond
	// faultTimeout is the client's timeout in fault tests, where the fake
	// hangs on purpose.
	faultTimeout = 300 * time.Millisecond
)

// fastRetry keeps retries at millisecond scale in tests.
var fastRetry = crm.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// setup starts a fake with shrunken windows (any 429 it must send fails
// the test) and a client that checks every exchange against the spec.
func setup(t *testing.T, opts hubspottest.Options) (*hubspottest.Server, *hubspot.Client) {
	t.Helper()
	return setupWith(t, opts, true)
}

// setupFaulty is setup for fault injection: no contract check (spoiled
// bodies break it on purpose) and 429s are expected.
func setupFaulty(t *testing.T, opts hubspottest.Options) (*hubspottest.Server, *hubspot.Client) {
	t.Helper()
	return setupWith(t, opts, false)
}

func setupWith(t *testing.T, opts hubspottest.Options, strict bool) (*hubspottest.Server, *hubspot.Client) {
	t.Helper()
	return setupOn(t, opts, strict, nil)
}

// setupBubble is setup for a test that runs in a synctest bubble: the
// fake is served in memory, in the calling goroutine, so the bubble's
// clock is the only clock either side reads. Call it outside the bubble
// (the fake's listener must not join it) and use the client inside.
func setupBubble(t *testing.T, opts hubspottest.Options) (*hubspottest.Server, *hubspot.Client) {
	t.Helper()
	var srv *hubspottest.Server
	srv, c := setupOn(t, opts, true, crmtest.MemTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.ServeHTTP(w, r) })))
	return srv, c
}

// setupFaultyBubble is setupFaulty served in memory, for a synctest
// bubble. Faults that hang need a socket: not with this one.
func setupFaultyBubble(t *testing.T, opts hubspottest.Options) (*hubspottest.Server, *hubspot.Client) {
	t.Helper()
	var srv *hubspottest.Server
	srv, c := setupOn(t, opts, false, crmtest.MemTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.ServeHTTP(w, r) })))
	return srv, c
}

// setupOn is setupWith sending through base (nil: the network).
func setupOn(t *testing.T, opts hubspottest.Options, strict bool, base http.RoundTripper) (*hubspottest.Server, *hubspot.Client) {
	t.Helper()
	opts.Token = testToken
	if opts.Window == 0 {
		opts.Window = testWindow
	}
	if opts.SearchWindow == 0 {
		opts.SearchWindow = testSearchWn
	}
	rt := base
	if rt == nil {
		rt = http.DefaultTransport
	}
	timeout := faultTimeout
	if strict {
		timeout = 5 * time.Second // a loaded machine is not a timeout
		rt = crmtest.ContractTransport(t, crmtest.SpecPath(t, specFile), base)
		if opts.OnThrottle == nil {
			opts.OnThrottle = func(policy string) { t.Errorf("the fake answered 429 (%s) in a normal run", policy) }
		}
	}
	srv := hubspottest.New(opts)
	t.Cleanup(srv.Close)
	c := hubspot.New(hubspot.Config{
		BaseURL:         srv.URL,
		Token:           testToken,
		HTTP:            &http.Client{Transport: rt, Timeout: timeout},
		Retry:           fastRetry,
		GeneralMax:      opts.GeneralPer10s,
		GeneralInterval: opts.Window,
		SearchInterval:  opts.SearchWindow,
		SearchLag:       opts.SearchLag,
	})
	return srv, c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// reasonOf returns the reason of a *crm.Error, or "" for nil.
func reasonOf(t *testing.T, err error) crm.Reason {
	t.Helper()
	if err == nil {
		return ""
	}
	ce, ok := err.(*crm.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not a *crm.Error", err, err)
	}
	return ce.Reason
}
