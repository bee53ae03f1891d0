package intercomtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm/crmtest"
)

const token = "tok-secret"

func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends one request with the right headers unless hdr overrides them.
func do(t *testing.T, s *Server, method, path, body string, hdr map[string]string) reply {
	t.Helper()
	return doWith(t, http.DefaultClient, s, method, path, body, hdr)
}

// doWith is do through client.
func doWith(t *testing.T, client *http.Client, s *Server, method, path, body string, hdr map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Intercom-Version", "2.14")
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	json.Unmarshal(raw, &r.body)
	return r
}

func firstError(r reply) (code, field string) {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return "", ""
	}
	e := errs[0].(map[string]any)
	f, _ := e["field"].(string)
	return e["code"].(string), f
}

func searchPhones(phones ...string) string {
	b, _ := json.Marshal(map[string]any{"query": map[string]any{"field": "phone", "operator": "IN", "value": phones}})
	return string(b)
}

func TestAuthRefusedWithoutRateHeaders(t *testing.T) {
	s := newServer(t, Options{})
	r := do(t, s, "POST", "/contacts/search", searchPhones("+1"), map[string]string{"Authorization": "Bearer wrong"})
	if code, _ := firstError(r); r.status != 401 || code != "unauthorized" || r.body["type"] != "error.list" {
		t.Fatalf("got %d %s, want 401 error.list unauthorized", r.status, r.raw)
	}
	if r.header.Get("X-RateLimit-Limit") != "" {
		t.Fatal("rate-limit headers sent to an unauthenticated request")
	}
	if s.Calls()["search"] != 1 {
		t.Fatalf("calls = %v", s.Calls())
	}
}

func TestVersionHeader(t *testing.T) {
	s := newServer(t, Options{})
	if r := do(t, s, "POST", "/contacts/search", searchPhones("+1"), map[string]string{"Intercom-Version": ""}); r.status != 200 {
		t.Fatalf("missing version: %d %s, want 200 (app default version)", r.status, r.raw)
	}
	r := do(t, s, "POST", "/contacts/search", searchPhones("+1"), map[string]string{"Intercom-Version": "9.9"})
	if code, _ := firstError(r); r.status != 400 || code != "intercom_version_invalid" {
		t.Fatalf("bad version: %d %s", r.status, r.raw)
	}
}

// TestBudgetPerWindow runs in a synctest bubble with the fake served in
// memory: its windows start with the bubble's clock, so the eleven calls
// land in one window and the twelfth in the next however busy the
// machine is.
func TestBudgetPerWindow(t *testing.T) {
	s := newServer(t, Options{PerMinute: 60, Window: time.Second}) // 10 per window
	synctest.Test(t, func(t *testing.T) {
		s.mu.Lock()
		s.started, s.window, s.used = time.Now(), 0, 0
		s.mu.Unlock()
		client := &http.Client{Transport: crmtest.MemTransport(s.Handler())}
		for i := 1; i <= 10; i++ {
			r := doWith(t, client, s, "POST", "/contacts/search", searchPhones("+1"), nil)
			if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(10-i) || r.header.Get("X-RateLimit-Limit") != "10" {
				t.Fatalf("call %d: %d remaining=%q limit=%q", i, r.status, r.header.Get("X-RateLimit-Remaining"), r.header.Get("X-RateLimit-Limit"))
			}
		}
		time.Sleep(s.Window() - time.Millisecond) // still the same window
		r := doWith(t, client, s, "POST", "/contacts/search", searchPhones("+1"), nil)
		code, _ := firstError(r)
		if r.status != 429 || code != "rate_limit_exceeded" || !strings.Contains(r.raw, "Exceeded rate limit of 10 in 1_seconds") {
			t.Fatalf("over budget: %d %s", r.status, r.raw)
		}
		reset, _ := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
		if d := time.Until(time.Unix(reset, 0)); d != time.Millisecond {
			t.Fatalf("reset %d is %v away, want the end of the window (1ms)", reset, d)
		}
		if s.RateLimited() != 1 {
			t.Fatalf("RateLimited = %d, want 1", s.RateLimited())
		}
		time.Sleep(time.Millisecond)
		if r := doWith(t, client, s, "POST", "/contacts/search", searchPhones("+1"), nil); r.status != 200 {
			t.Fatalf("next window: %d", r.status)
		}
	})
}

func TestCreateAndSearchLag(t *testing.T) {
	s := newServer(t, Options{SearchLag: time.Hour})
	body := `{"role":"lead","phone":"+14155550100","name":"Ana"}`
	a := do(t, s, "POST", "/contacts", body, nil)
	b := do(t, s, "POST", "/contacts", body, nil)
	if a.status != 200 || b.status != 200 || a.body["id"] == b.body["id"] {
		t.Fatalf("two creates with one phone: %d %s / %d %s; Intercom keeps both", a.status, a.raw, b.status, b.raw)
	}
	if r := do(t, s, "POST", "/contacts/search", searchPhones("+14155550100"), nil); r.body["total_count"] != 0.0 {
		t.Fatalf("new contacts searchable at once: %s", r.raw)
	}
	s.SetSearchLag(0) // as if the lag had passed
	if r := do(t, s, "POST", "/contacts/search", searchPhones("+14155550100"), nil); r.body["total_count"] != 2.0 {
		t.Fatalf("after the lag: %s", r.raw)
	}
	if n := len(s.Records()); n != 2 {
		t.Fatalf("Records = %d, want 2", n)
	}
}

func TestCreateRefusals(t *testing.T) {
	s := newServer(t, Options{})
	ids := s.Seed(Contact{Email: "ana@example.com", ExternalID: "ext-1"})
	tests := []struct {
		body          string
		status        int
		code, field   string
		wantInMessage string
	}{
		{`{"role":"lead","email":"ANA@example.com"}`, 409, "conflict", "", "id=" + ids[0]},
		{`{"role":"user","external_id":"ext-1"}`, 409, "conflict", "", "id=" + ids[0]},
		{`{"role":"lead","phone":"call me maybe"}`, 400, "parameter_invalid", "phone", ""},
		{`{"role":"lead","phone":"+1234"}`, 400, "parameter_invalid", "phone", ""},
		{`{"role":"admin"}`, 400, "parameter_invalid", "role", ""},
		{`{"phone":"+14155550100"}`, 400, "parameter_not_found", "role", ""},
		{`{"role":`, 400, "parameter_invalid", "", ""},
	}
	for _, tc := range tests {
		r := do(t, s, "POST", "/contacts", tc.body, nil)
		code, field := firstError(r)
		if r.status != tc.status || code != tc.code || field != tc.field || !strings.Contains(r.raw, tc.wantInMessage) {
			t.Errorf("%s: got %d %s", tc.body, r.status, r.raw)
		}
	}
	if n := len(s.Records()); n != 1 {
		t.Fatalf("refused creates stored something: %d records", n)
	}
}

func TestUpdate(t *testing.T) {
	s := newServer(t, Options{})
	ids := s.Seed(Contact{Phone: "(415) 555-0100"})
	if r := do(t, s, "PUT", "/contacts/"+ids[0], `{"name":"Ana Lima"}`, nil); r.status != 200 || r.body["name"] != "Ana Lima" || r.body["phone"] != "(415) 555-0100" {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	if got := s.Records()[0].Name; got != "Ana Lima" {
		t.Fatalf("stored name %q", got)
	}
	if r := do(t, s, "PUT", "/contacts/nope", `{"name":"x"}`, nil); r.status != 404 {
		t.Fatalf("unknown id: %d %s", r.status, r.raw)
	}
	s.SetFaults(Faults{DenyWrites: true})
	if r := do(t, s, "PUT", "/contacts/"+ids[0], `{"name":"x"}`, nil); r.status != 403 {
		t.Fatalf("denied write: %d", r.status)
	}
	if c := s.Calls(); c["update"] != 3 {
		t.Fatalf("calls = %v", c)
	}
}

func TestSearchPaging(t *testing.T) {
	s := newServer(t, Options{})
	for i := 0; i < 7; i++ {
		s.Seed(Contact{Phone: "+14155550100", Name: fmt.Sprint("n", i)})
	}
	s.Seed(Contact{Phone: "+14155550199"})
	seen := map[string]bool{}
	body := `{"query":{"field":"phone","operator":"=","value":"+14155550100"},"pagination":{"per_page":3}}`
	for pages := 1; ; pages++ {
		r := do(t, s, "POST", "/contacts/search", body, nil)
		for _, d := range r.body["data"].([]any) {
			seen[d.(map[string]any)["id"].(string)] = true
		}
		next, _ := r.body["pages"].(map[string]any)["next"].(map[string]any)
		if next == nil {
			if pages != 3 || len(seen) != 7 {
				t.Fatalf("%d pages, %d contacts; want 3 and 7", pages, len(seen))
			}
			break
		}
		body = fmt.Sprintf(`{"query":{"field":"phone","operator":"=","value":"+14155550100"},"pagination":{"per_page":3,"starting_after":%q}}`, next["starting_after"])
	}
	for _, bad := range []string{`"per_page":151`, `"per_page":0`, `"starting_after":"!!"`} {
		r := do(t, s, "POST", "/contacts/search", `{"query":{"field":"phone","operator":"=","value":"1"},"pagination":{`+bad+`}}`, nil)
		if r.status != 400 {
			t.Errorf("pagination %s: %d", bad, r.status)
		}
	}
}

// faultSequence records which statuses a fixed run of calls gets.
func faultSequence(t *testing.T, seed int64) string {
	s := newServer(t, Options{Seed: seed, PerMinute: 1e6})
	s.SetFaults(Faults{RateLimited: 0.2, ServerError: 0.2, Garbage: 0.2})
	var out []string
	for i := 0; i < 30; i++ {
		r := do(t, s, "POST", "/contacts/search", searchPhones("+1"), nil)
		out = append(out, strconv.Itoa(r.status)+r.header.Get("Content-Type")[:4])
	}
	return strings.Join(out, ",")
}

func TestFaultsRepeatWithTheSeed(t *testing.T) {
	a, b := faultSequence(t, 7), faultSequence(t, 7)
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	for _, want := range []string{"429appl", "200appl", "200text"} {
		if !strings.Contains(a, want) {
			t.Errorf("sequence %s lacks %s", a, want)
		}
	}
	if !strings.Contains(a, "500") && !strings.Contains(a, "502") && !strings.Contains(a, "503") {
		t.Errorf("sequence %s has no 5xx", a)
	}
}

func TestTimeoutAndTruncation(t *testing.T) {
	s := newServer(t, Options{})
	s.SetFaults(Faults{Timeout: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL()+"/contacts/search", strings.NewReader(searchPhones("+1")))
	req.Header.Set("Authorization", "Bearer "+token)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("hung request answered")
	}
	s.SetFaults(Faults{Truncated: 1})
	req, _ = http.NewRequest("POST", s.URL()+"/contacts", strings.NewReader(`{"role":"lead","phone":"+14155550100"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("truncated body read without error")
	}
	if n := len(s.Records()); n != 1 {
		t.Fatalf("a truncated answer still did the work: want 1 record, got %d", n)
	}
}

func TestMessyPhone(t *testing.T) {
	const n = "+14155552671"
	want := []string{"+14155552671", "14155552671", "+1 415-555-2671", "(415) 555-2671",
		"+141 555 526 71", "0014155552671", "(415) 555-2671 ext. 2", "(415).555-2671"}
	for i, w := range want {
		if got := MessyPhone(n, i); got != w {
			t.Errorf("MessyPhone(%d) = %q, want %q", i, got, w)
		}
	}
	if MessyPhone(n, len(want)) != want[0] || MessyPhone(n, -1) != want[1] {
		t.Error("style does not wrap around")
	}
}

// TestUserNeedsIdentity: role user requires email or external_id; a lead
// may have a phone only.
func TestUserNeedsIdentity(t *testing.T) {
	s := newServer(t, Options{})
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"role":"user","phone":"+14155550100"}`, http.StatusBadRequest},
		{`{"role":"user","phone":"+14155550100","external_id":"  "}`, http.StatusBadRequest},
		{`{"role":"user","phone":"+14155550100","external_id":"whatsapp:+14155550100"}`, http.StatusOK},
		{`{"role":"user","phone":"+14155550101","email":"a@example.com"}`, http.StatusOK},
		{`{"role":"lead","phone":"+14155550102"}`, http.StatusOK},
	} {
		r := do(t, s, http.MethodPost, "/contacts", tc.body, nil)
		if r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.body, r.status, r.raw, tc.want)
			continue
		}
		if r.status == http.StatusBadRequest {
			if code, _ := firstError(r); r.body["type"] != "error.list" || code != "parameter_not_found" {
				t.Errorf("%s: refusal %s", tc.body, r.raw)
			}
		}
	}
}
