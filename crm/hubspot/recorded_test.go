package hubspot_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// recorded is one entry of testdata/recorded.json.
type recorded struct {
	Name    string            `json:"name"`
	Source  string            `json:"source"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

func loadRecorded(t *testing.T, name string) recorded {
	t.Helper()
	raw, err := os.ReadFile("testdata/recorded.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Responses []recorded }
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, r := range file.Responses {
		if r.Name == name {
			if r.Source == "" {
				t.Fatalf("recorded %s cites no source", name)
			}
			return r
		}
	}
	t.Fatalf("no recorded response %q", name)
	return recorded{}
}

// write replays r verbatim.
func (r recorded) write(w http.ResponseWriter) {
	for k, v := range r.Headers {
		if k != "Content-Length" {
			w.Header().Set(k, v)
		}
	}
	w.WriteHeader(r.Status)
	_, _ = w.Write(r.Body)
}

// arrivals records when each request reached a handler (the bubble's
// clock inside synctest) and what it carried.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
	paths []string
	after []string
}

func (a *arrivals) note(r *http.Request) int {
	body, _ := io.ReadAll(r.Body)
	var sr hubspot.SearchRequest
	_ = json.Unmarshal(body, &sr)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.times = append(a.times, time.Now())
	a.paths = append(a.paths, r.URL.Path)
	a.after = append(a.after, sr.After)
	return len(a.times)
}

func replayClient(t *testing.T, h http.HandlerFunc, cfg hubspot.Config) *hubspot.Client {
	t.Helper()
	cfg.BaseURL = "http://hubspot.test"
	cfg.Token = testToken
	cfg.HTTP = &http.Client{Transport: crmtest.MemTransport(h), Timeout: time.Minute}
	if cfg.Retry.MaxAttempts == 0 {
		cfg.Retry = fastRetry
	}
	return hubspot.New(cfg)
}

const onePhone = "+14155550100"

func TestRecordedSearchPage(t *testing.T) {
	page := loadRecorded(t, "search-200")
	var got arrivals
	c := replayClient(t, func(w http.ResponseWriter, r *http.Request) {
		if got.note(r) == 1 {
			page.write(w)
			return
		}
		_, _ = io.WriteString(w, `{"total":123,"results":[]}`)
	}, hubspot.Config{})
	recs, err := c.FindByPhones(ctxT(t), []string{onePhone})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ID != "512" {
		t.Errorf("records %+v, want the one with id 512", recs)
	}
	// The opaque cursor is sent back as it came.
	if len(got.after) != 2 || got.after[1] != "NTI1Cg%3D%3D" {
		t.Errorf("cursors sent %q", got.after)
	}
}

func TestRecordedBatchErrorsDecode(t *testing.T) {
	ans := loadRecorded(t, "batch-207")
	c := replayClient(t, func(w http.ResponseWriter, r *http.Request) { ans.write(w) }, hubspot.Config{})
	res, err := c.Create(ctxT(t), []crm.NewContact{{Ref: "a", Phone: onePhone}})
	if err != nil {
		t.Fatal(err)
	}
	// The answer names no input of ours: the item fails, nothing is
	// taken for created.
	if res[0].ID != "" || res[0].Err == nil {
		t.Errorf("item = %+v", res[0])
	}
}

func TestRecordedConflict(t *testing.T) {
	ans := loadRecorded(t, "create-409")
	c := replayClient(t, func(w http.ResponseWriter, r *http.Request) { ans.write(w) }, hubspot.Config{})
	res, err := c.Create(ctxT(t), []crm.NewContact{{Ref: "a", Phone: onePhone}})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Err == nil || r.Err.Reason != crm.ReasonConflict || r.ExistingID != "37765128953" {
		t.Errorf("item = %+v, want a conflict with 37765128953", r)
	}
}

// TestRecordedRefusedValue: a refused e-mail is a validation error; the
// same message shape carrying INVALID_PHONE_NUMBER is an invalid phone.
func TestRecordedRefusedValue(t *testing.T) {
	ans := loadRecorded(t, "create-400-invalid-email")
	phone := ans
	phone.Body = json.RawMessage(strings.NewReplacer(`INVALID_EMAIL`, hubspot.CodeInvalidPhone, `\"name\":\"email\"`, `\"name\":\"phone\"`).Replace(string(ans.Body)))
	for _, tc := range []struct {
		ans  recorded
		want crm.Reason
	}{{ans, crm.ReasonValidation}, {phone, crm.ReasonInvalidPhone}} {
		c := replayClient(t, func(w http.ResponseWriter, r *http.Request) { tc.ans.write(w) }, hubspot.Config{})
		res, err := c.Create(ctxT(t), []crm.NewContact{{Ref: "a", Phone: onePhone}})
		if err != nil {
			t.Fatal(err)
		}
		if r := res[0]; r.Err == nil || r.Err.Reason != tc.want || r.Err.Status != http.StatusBadRequest {
			t.Errorf("item = %+v, want %s", r, tc.want)
		}
	}
}

func TestRecordedDailyLimitNotRetried(t *testing.T) {
	ans := loadRecorded(t, "429-daily")
	var got arrivals
	c := replayClient(t, func(w http.ResponseWriter, r *http.Request) { got.note(r); ans.write(w) }, hubspot.Config{})
	_, err := c.Create(ctxT(t), []crm.NewContact{{Ref: "a", Phone: onePhone}})
	if reasonOf(t, err) != crm.ReasonRateLimited || len(got.times) != 1 {
		t.Errorf("err %v after %d calls, want rate_limited after 1", err, len(got.times))
	}
}

// TestRecorded429Waits: without Retry-After, a ten-secondly 429 is
// retried after the whole 10 s window and a search 429 (no policyName)
// after the 1 s search window. Arrival times are read on the bubble's
// clock at the server side.
func TestRecorded429Waits(t *testing.T) {
	cases := []struct {
		name   string
		search bool
		want   time.Duration
	}{
		{"search-429-secondly", true, hubspot.SearchInterval},
		{"429-secondly-policy", true, hubspot.SearchInterval},
		{"429-ten-secondly", false, hubspot.GeneralInterval},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ans := loadRecorded(t, tc.name)
			synctest.Test(t, func(t *testing.T) {
				var got arrivals
				c := replayClient(t, func(w http.ResponseWriter, r *http.Request) {
					if got.note(r) == 1 {
						ans.write(w)
						return
					}
					if r.URL.Path == hubspot.PathSearch {
						_, _ = io.WriteString(w, `{"total":0,"results":[]}`)
						return
					}
					w.WriteHeader(http.StatusCreated)
					_, _ = io.WriteString(w, `{"status":"COMPLETE","results":[{"id":"1","properties":{"phone":"`+onePhone+`"},"createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z","archived":false,"objectWriteTraceId":"0"}],"startedAt":"2024-01-01T00:00:00Z","completedAt":"2024-01-01T00:00:00Z"}`)
				}, hubspot.Config{})
				var err error
				if tc.search {
					_, err = c.FindByPhones(t.Context(), []string{onePhone})
				} else {
					_, err = c.Create(t.Context(), []crm.NewContact{{Ref: "a", Phone: onePhone}})
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(got.times) != 2 {
					t.Fatalf("%d calls, want 2", len(got.times))
				}
				if gap := got.times[1].Sub(got.times[0]); gap < tc.want || gap > tc.want+time.Second {
					t.Errorf("retried after %v, want %v", gap, tc.want)
				}
			})
		})
	}
}

// TestTierFromHeaders: the general window follows X-HubSpot-RateLimit-Max
// unless GeneralMax overrides it.
func TestTierFromHeaders(t *testing.T) {
	ans := loadRecorded(t, "429-ten-secondly") // carries Max 190
	for _, tc := range []struct {
		override, want int
	}{{0, 190}, {50, 50}} {
		c := replayClient(t, func(w http.ResponseWriter, r *http.Request) { ans.write(w) },
			hubspot.Config{GeneralMax: tc.override, Retry: crm.RetryPolicy{MaxAttempts: 1}})
		before := tc.override
		if before == 0 {
			before = hubspot.GeneralPer10s // the lowest tier until told
		}
		if got := c.GeneralBudget(); got != before {
			t.Errorf("before any answer: %d", got)
		}
		_, _ = c.Create(ctxT(t), []crm.NewContact{{Ref: "a", Phone: onePhone}})
		if got := c.GeneralBudget(); got != tc.want {
			t.Errorf("override %d: budget %d, want %d", tc.override, got, tc.want)
		}
	}
}

// TestTierPacesCreates: on a 190-call account the client, told the tier
// by the headers, sends 150 creates in one window without a 429; with an
// override of 20 it spreads 30 over more than one window.
func TestTierPacesCreates(t *testing.T) {
	for _, tc := range []struct {
		override, n int
		slow        bool
	}{{0, 150, false}, {20, 30, true}} {
		srv, _ := setupOn(t, hubspottest.Options{GeneralPer10s: 190, Window: hubspot.GeneralInterval}, false, nil)
		synctest.Test(t, func(t *testing.T) {
			c := replayClient(t, srv.ServeHTTP, hubspot.Config{GeneralMax: tc.override})
			start := time.Now()
			for i := range tc.n {
				if _, err := c.Create(t.Context(), newContacts(1, i)); err != nil {
					t.Fatal(err)
				}
			}
			took := time.Since(start)
			if slow := took >= hubspot.GeneralInterval; slow != tc.slow {
				t.Errorf("override %d: %d creates took %v", tc.override, tc.n, took)
			}
			if srv.Throttled() != 0 {
				t.Errorf("%d 429s", srv.Throttled())
			}
		})
	}
}

// TestSearchSpendsNoGeneralBudget: with the general budget spent, searches
// still go out at the search rate.
func TestSearchSpendsNoGeneralBudget(t *testing.T) {
	srv, c := setupBubble(t, hubspottest.Options{GeneralPer10s: 1, Window: hubspot.GeneralInterval, SearchWindow: hubspot.SearchInterval})
	synctest.Test(t, func(t *testing.T) {
		if _, err := c.Create(t.Context(), newContacts(1, 0)); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for i := range 2 * hubspot.SearchPerSecond {
			if _, err := c.FindByPhones(t.Context(), []string{newContacts(1, i)[0].Phone}); err != nil {
				t.Fatal(err)
			}
		}
		// Two search windows' worth: one wait of the search window, none
		// of the general one.
		if took := time.Since(start); took < hubspot.SearchInterval || took >= 2*hubspot.SearchInterval {
			t.Errorf("%d searches took %v", 2*hubspot.SearchPerSecond, took)
		}
		if srv.Throttled() != 0 {
			t.Errorf("%d 429s", srv.Throttled())
		}
	})
}
