package intercom_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// stubClient points a client at a hand-written handler, for answers the
// fake never gives.
func stubClient(t *testing.T, h http.HandlerFunc) *intercom.Client {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return intercom.New(intercom.Config{BaseURL: ts.URL, Token: testToken, Retry: fastRetry, HTTP: &http.Client{Timeout: time.Second}})
}

// conflictClient answers 409 with message to every create, and a search
// holding one contact under the asked phone and one under another.
func conflictClient(t *testing.T, message string) *intercom.Client {
	return stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/contacts/search" {
			w.Write([]byte(`{"type":"list","data":[{"type":"contact","id":"other","phone":"+19995550000"},` +
				`{"type":"contact","id":"found-by-search","phone":"` + phone(1) + `"}],"total_count":2,"pages":{"type":"pages"}}`))
			return
		}
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"type":"error.list","request_id":"x","errors":[{"code":"conflict","message":"` + message + `"}]}`))
	})
}

func TestRefusedTokenStopsTheCall(t *testing.T) {
	srv, _ := setup(t, intercomtest.Options{})
	c := intercom.New(intercom.Config{BaseURL: srv.URL(), Token: "wrong", Retry: fastRetry, Concurrency: 2})
	_, err := c.FindByPhones(context.Background(), []string{phone(1)})
	ce := wantReason(t, err, crm.ReasonUnauthorized)
	if ce.Status != 401 || ce.Message != "Access Token Invalid" {
		t.Errorf("error = %+v", ce)
	}
	res, err := c.Create(context.Background(), newContacts(20))
	wantReason(t, err, crm.ReasonUnauthorized)
	if res != nil {
		t.Errorf("whole-call failure returned results %v", res)
	}
	if n := srv.Calls()["create"]; n > 2 {
		t.Errorf("%d creates sent with a refused token; the pipeline must stop at the first refusal", n)
	}
	if n := srv.Calls()["search"]; n != 1 {
		t.Errorf("%d searches: a 401 is not retried", n)
	}
}

func TestForbiddenWrites(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	srv.SetFaults(intercomtest.Faults{DenyWrites: true})
	_, err := c.Create(context.Background(), newContacts(3))
	wantReason(t, err, crm.ReasonForbidden)
	_, err = c.SetNames(context.Background(), []crm.NameUpdate{{Ref: "x", ID: "1", Name: "A"}})
	wantReason(t, err, crm.ReasonForbidden)
	if _, err := c.FindByPhones(context.Background(), []string{phone(1)}); err != nil {
		t.Fatalf("reads still allowed: %v", err)
	}
}

func TestInjected429sAreWaitedOut(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, intercomtest.Options{Seed: 1})
	srv.SetFaults(intercomtest.Faults{RateLimited: 0.1})
	var log notices
	mustCreate(t, log.ctx(), c, newContacts(30))
	if log.count(crm.NoticeRetry, crm.ReasonRateLimited) == 0 || srv.Calls()["create"] <= 30 {
		t.Fatalf("no 429 retried (calls %v)", srv.Calls())
	}
	for _, n := range log.all {
		if n.Kind == crm.NoticeRetry && (n.Wait <= 0 || n.Wait > srv.Window()) {
			t.Errorf("retry after a 429 waits %v; the reset is at most one window (%v) away", n.Wait, srv.Window())
		}
	}
	if len(srv.Records()) != 30 {
		t.Fatalf("%d records, want 30: a 429 must not create", len(srv.Records()))
	}
}

func TestServerRemainingPacesAnOptimisticClient(t *testing.T) {
	t.Parallel()
	// The client believes in a budget twenty times the server's (another
	// integration, a plan change): X-RateLimit-Remaining must pace it.
	// A synctest bubble with the fake in memory keeps the machine's load
	// out of the arithmetic. One call at a time: the header describes the
	// calls that arrived, and a call already past the limiter when it is
	// read would overrun it (see the client's pipeline).
	srv, c := setupBubble(t, intercomtest.Options{PerMinute: 300, Window: time.Second}, func(cfg *intercom.Config) {
		cfg.PerMinute, cfg.Concurrency = 6000, 1
	})
	synctest.Test(t, func(t *testing.T) {
		var log notices
		for i := 0; i < 2; i++ {
			mustCreate(t, log.ctx(), c, newContacts(intercom.CreateBatch))
		}
		noRateLimits(t, srv)
		if log.count(crm.NoticeWait, crm.ReasonRateLimited) == 0 {
			t.Fatal("100 calls against a budget of 50 per window went through without waiting")
		}
	})
}

func TestServerErrorsThenSuccess(t *testing.T) {
	// Eight attempts against a 20 % fault rate: an item failing them all
	// is a one-in-a-million event.
	srv, c := setup(t, intercomtest.Options{Seed: 3}, func(cfg *intercom.Config) { cfg.Retry.MaxAttempts = 8 })
	srv.Seed(intercomtest.Contact{Phone: phone(1)})
	srv.SetFaults(intercomtest.Faults{ServerError: 0.2})
	var log notices
	for i := 0; i < 5; i++ {
		if got, err := c.FindByPhones(log.ctx(), []string{phone(1)}); err != nil || len(got) != 1 {
			t.Fatalf("search %d: %v %v", i, got, err)
		}
	}
	mustCreate(t, log.ctx(), c, newContacts(10))
	if log.count(crm.NoticeRetry, crm.ReasonServerError) == 0 {
		t.Fatal("no server error was retried")
	}
}

// TestPersistentFailures: each failure gives up with its reason; reads
// retry up to MaxAttempts, creates only where nothing can have been done.
func TestPersistentFailures(t *testing.T) {
	tests := []struct {
		name          string
		faults        intercomtest.Faults
		reason        crm.Reason
		createCalls   int // per contact
		createdAnyway bool
	}{
		{"5xx", intercomtest.Faults{ServerError: 1}, crm.ReasonServerError, fastRetry.MaxAttempts, false},
		{"timeout", intercomtest.Faults{Timeout: 1}, crm.ReasonTimeout, 1, false},
		{"garbage", intercomtest.Faults{Garbage: 1}, crm.ReasonBadResponse, 1, true},
		{"truncated", intercomtest.Faults{Truncated: 1}, crm.ReasonBadResponse, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setup(t, intercomtest.Options{}, func(cfg *intercom.Config) {
				if tc.faults.Timeout > 0 {
					cfg.HTTP = &http.Client{Timeout: 40 * time.Millisecond}
				}
			})
			srv.SetFaults(tc.faults)
			_, err := c.FindByPhones(context.Background(), []string{phone(1)})
			wantReason(t, err, tc.reason)
			if n := srv.Calls()["search"]; n != fastRetry.MaxAttempts {
				t.Errorf("%d search attempts, want %d", n, fastRetry.MaxAttempts)
			}
			res, err := c.Create(context.Background(), newContacts(2))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Err == nil || r.Err.Reason != tc.reason || !r.Err.Temporary() {
					t.Errorf("%s: %+v, want temporary %s", r.Ref, r.Err, tc.reason)
				}
			}
			if n := srv.Calls()["create"]; n != 2*tc.createCalls {
				t.Errorf("%d create calls, want %d", n, 2*tc.createCalls)
			}
			if got := len(srv.Records()) == 2; got != tc.createdAnyway {
				t.Errorf("records %d; created despite the failure = %v, want %v", len(srv.Records()), got, tc.createdAnyway)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Create(ctx, newContacts(3)); !errors.Is(err, context.Canceled) {
		t.Fatalf("create: %v", err)
	}
	if _, err := c.FindByPhones(ctx, []string{phone(1)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("search: %v", err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Fatalf("calls after cancel: %v", srv.Calls())
	}
}

func TestHeadersAndNoTokenInErrors(t *testing.T) {
	var got http.Header
	c := stubClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusUnprocessableEntity)
		// A server that echoes the credential back must not get it logged.
		w.Write([]byte(`{"type":"error.list","errors":[{"code":"bad","message":"token ` + r.Header.Get("Authorization") + ` \u0007refused"}]}`))
	})
	_, err := c.FindByPhones(context.Background(), []string{phone(1)})
	ce := wantReason(t, err, crm.ReasonValidation)
	if strings.Contains(err.Error(), testToken) || strings.ContainsRune(ce.Message, '\a') {
		t.Fatalf("error leaks the token or control characters: %q", err)
	}
	for k, v := range map[string]string{
		"Authorization": "Bearer " + testToken, "Intercom-Version": intercom.APIVersion,
		"Accept": "application/json", "Content-Type": "application/json",
	} {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
	if strings.Contains(c.Target(), testToken) || !strings.HasPrefix(c.Target(), "intercom http://127.0.0.1:") {
		t.Errorf("Target = %q", c.Target())
	}
}

func TestUnreadableSuccessAnswers(t *testing.T) {
	for _, body := range []string{`{"type":"list","data":[{"type":"contact"}]}`, `{"type":"contact"}`, `[]`} {
		c := stubClient(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
		_, err := c.FindByPhones(context.Background(), []string{phone(1)})
		wantReason(t, err, crm.ReasonBadResponse)
		res, err := c.Create(context.Background(), newContacts(1))
		if err != nil || res[0].Err == nil || res[0].Err.Reason != crm.ReasonBadResponse {
			t.Errorf("create with answer %s: %+v %v", body, res, err)
		}
	}
}
