package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

var oneNumber = []string{"+14155552671"}

// TestSearchFaults drives each fault through a search: temporary faults
// are retried a bounded number of times and end in the right reason.
func TestSearchFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		faults    hubspottest.Faults
		want      crm.Reason
		wantCalls int
	}{
		{"5xx forever", hubspottest.Faults{Rate5xx: 1}, crm.ReasonServerError, fastRetry.MaxAttempts},
		{"timeouts", hubspottest.Faults{RateTimeout: 1}, crm.ReasonTimeout, fastRetry.MaxAttempts},
		{"garbage bodies", hubspottest.Faults{RateGarbage: 1}, crm.ReasonBadResponse, fastRetry.MaxAttempts},
		{"truncated bodies", hubspottest.Faults{RateTruncated: 1}, crm.ReasonBadResponse, fastRetry.MaxAttempts},
		{"429 forever", hubspottest.Faults{Rate429: 1}, crm.ReasonRateLimited, fastRetry.MaxAttempts},
		{"daily cap", hubspottest.Faults{Rate429: 1, Policy429: hubspot.PolicyDaily}, crm.ReasonRateLimited, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case waits out its retries on a server of its own
			srv, c := setupFaulty(t, hubspottest.Options{})
			srv.Seed(hubspottest.SeedContact{Phone: oneNumber[0]})
			srv.SetFaults(tc.faults)
			_, err := c.FindByPhones(ctxT(t), oneNumber)
			if got := reasonOf(t, err); got != tc.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tc.want)
			}
			if calls := srv.Calls()[hubspottest.EndpointSearch]; calls != tc.wantCalls {
				t.Errorf("%d calls, want %d", calls, tc.wantCalls)
			}
			if tc.faults.Policy429 == hubspot.PolicyDaily && !strings.Contains(err.Error(), "daily") {
				t.Errorf("daily cap error %q must say the daily limit is reached", err)
			}
		})
	}
}

// TestRecoversAfterFault: one failure, then the fault is switched off
// from the retry notice; the call succeeds and the notice is right. In a
// synctest bubble the wait before the retry is measured exactly.
func TestRecoversAfterFault(t *testing.T) {
	cases := []struct {
		name      string
		faults    hubspottest.Faults
		reason    crm.Reason
		minWait   time.Duration
		exactWait bool
	}{
		{"429 with Retry-After", hubspottest.Faults{Rate429: 1, RetryAfter: time.Second}, crm.ReasonRateLimited, time.Second, true},
		{"429 without Retry-After", hubspottest.Faults{Rate429: 1}, crm.ReasonRateLimited, 0, false},
		{"5xx then success", hubspottest.Faults{Rate5xx: 1}, crm.ReasonServerError, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setupFaultyBubble(t, hubspottest.Options{})
			synctest.Test(t, func(t *testing.T) {
				srv.Seed(hubspottest.SeedContact{Phone: oneNumber[0]})
				srv.SetFaults(tc.faults)
				var mu sync.Mutex
				var notices []crm.Notice
				ctx := crm.WithObserver(ctxT(t), func(n crm.Notice) {
					if n.Kind != crm.NoticeRetry {
						return // limiter waits: the fake's 429 said the budget is spent
					}
					mu.Lock()
					defer mu.Unlock()
					notices = append(notices, n)
					srv.SetFaults(hubspottest.Faults{})
				})
				start := time.Now()
				recs, err := c.FindByPhones(ctx, oneNumber)
				if err != nil || len(recs) != 1 {
					t.Fatalf("recs=%v err=%v, want the record after one retry", recs, err)
				}
				elapsed := time.Since(start)
				if elapsed < tc.minWait || (tc.exactWait && elapsed != tc.minWait) {
					t.Errorf("retried after %v, want %v", elapsed, tc.minWait)
				}
				if len(notices) != 1 {
					t.Fatalf("notices %+v, want one retry notice", notices)
				}
				n := notices[0]
				if n.Kind != crm.NoticeRetry || n.Reason != tc.reason || n.Attempt != 2 || n.Endpoint != "search" {
					t.Errorf("notice %+v", n)
				}
				if tc.exactWait && n.Wait != tc.minWait {
					t.Errorf("notice wait %v, want the Retry-After %v", n.Wait, tc.minWait)
				}
				if calls := srv.Calls()[hubspottest.EndpointSearch]; calls != 2 {
					t.Errorf("%d calls, want 2", calls)
				}
			})
		})
	}
}

// A create whose answer is lost may have created the contacts: it must
// not be sent again, and nothing may be created twice.
func TestCreateNotRetriedWhenAnswerLost(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults hubspottest.Faults
		want   crm.Reason
	}{
		{"garbage", hubspottest.Faults{RateGarbage: 1}, crm.ReasonBadResponse},
		{"truncated", hubspottest.Faults{RateTruncated: 1}, crm.ReasonBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setupFaulty(t, hubspottest.Options{})
			srv.SetFaults(tc.faults)
			res, err := c.Create(ctxT(t), newContacts(3, 0))
			if got := reasonOf(t, err); got != tc.want || res != nil {
				t.Fatalf("res=%v err=%v, want a whole-call %s", res, err, tc.want)
			}
			if calls := srv.Calls()[hubspottest.EndpointCreate]; calls != 1 {
				t.Errorf("%d create calls, want 1: a lost answer is never resent", calls)
			}
			if n := len(srv.Records()); n != 3 {
				t.Errorf("%d records; the contacts were created exactly once", n)
			}
		})
	}
}

func TestCreateTimeoutNotRetried(t *testing.T) {
	srv, c := setupFaulty(t, hubspottest.Options{})
	srv.SetFaults(hubspottest.Faults{RateTimeout: 1})
	_, err := c.Create(ctxT(t), newContacts(2, 0))
	if got := reasonOf(t, err); got != crm.ReasonTimeout {
		t.Fatalf("err=%v, want timeout", err)
	}
	if calls := srv.Calls()[hubspottest.EndpointCreate]; calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
}

func TestCreateRetriedAfter5xx(t *testing.T) {
	srv, c := setupFaulty(t, hubspottest.Options{})
	srv.SetFaults(hubspottest.Faults{Rate5xx: 1})
	ctx := crm.WithObserver(ctxT(t), func(crm.Notice) { srv.SetFaults(hubspottest.Faults{}) })
	res, err := c.Create(ctx, newContacts(2, 0))
	if err != nil || res[0].ID == "" || res[1].ID == "" {
		t.Fatalf("res=%+v err=%v", res, err)
	}
	if n := len(srv.Records()); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
}

func TestUnauthorizedNeverShowsToken(t *testing.T) {
	srv := hubspottest.New(hubspottest.Options{Token: "the-right-one"})
	defer srv.Close()
	c := hubspot.New(hubspot.Config{BaseURL: srv.URL, Token: testToken, Retry: fastRetry})
	_, err := c.FindByPhones(ctxT(t), oneNumber)
	if got := reasonOf(t, err); got != crm.ReasonUnauthorized {
		t.Fatalf("err=%v, want unauthorized", err)
	}
	if srv.Calls()[hubspottest.EndpointSearch] != 1 {
		t.Errorf("an unauthorized call was retried: %v", srv.Calls())
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(c.Target(), testToken) {
		t.Errorf("token leaked: %q / %q", err, c.Target())
	}
}

// TestVendorErrorBodies covers answers the fake does not produce: a 403
// for missing scopes, and a message that echoes the token with control
// characters in it.
func TestVendorErrorBodies(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   crm.Reason
	}{
		{"forbidden", 403, `{"status":"error","message":"This app hasn't been granted all required scopes","correlationId":"c","category":"MISSING_SCOPES"}`, crm.ReasonForbidden},
		{"echoed token", 400, `{"status":"error","message":"bad token ` + testToken + `\u001b[31m red\u202e","correlationId":"c","category":"VALIDATION_ERROR"}`, crm.ReasonValidation},
		{"garbage 400", 400, `<html>`, crm.ReasonBadResponse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := hubspot.New(hubspot.Config{BaseURL: srv.URL, Token: testToken, Retry: fastRetry})
			_, err := c.FindByPhones(ctxT(t), oneNumber)
			if got := reasonOf(t, err); got != tc.want {
				t.Fatalf("err=%v, want %s", err, tc.want)
			}
			msg := err.Error()
			if strings.Contains(msg, testToken) || strings.ContainsAny(msg, "\x1b\u202e") {
				t.Errorf("unsafe error text %q", msg)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	srv, c := setupFaulty(t, hubspottest.Options{})
	srv.SetFaults(hubspottest.Faults{RateTimeout: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.FindByPhones(ctx, oneNumber)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err=%v, want the context's error", err)
	}
}
