package whatsapptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"coexsync/whatsapp"
)

const token = "fake-token"

func newServer(t *testing.T, opts Options, numbers int) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	s := New(opts)
	t.Cleanup(s.Close)
	for i := range numbers {
		s.AddNumber(whatsapp.PhoneNumber{ID: fmt.Sprint(500 + i), IsOnBizApp: true})
	}
	return s
}

// do sends a raw request with the test token and decodes the JSON answer.
func do(t *testing.T, method, rawURL, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, rawURL, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("answer is not JSON: %q", data)
	}
	return resp.StatusCode, out
}

func errorCode(body map[string]any) float64 {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(float64)
	return code
}

func TestPhoneNumbersPagingShape(t *testing.T) {
	s := newServer(t, Options{}, 3)
	status, page := do(t, "GET", s.URL()+"/v23.0/"+s.WABAID()+"/phone_numbers?fields=id", "")
	if status != 200 || len(page["data"].([]any)) != 2 {
		t.Fatalf("first page %d %v", status, page)
	}
	paging := page["paging"].(map[string]any)
	cursors := paging["cursors"].(map[string]any)
	if cursors["before"] == "" || cursors["after"] == "" {
		t.Errorf("cursors %v", cursors)
	}
	next, err := url.Parse(paging["next"].(string))
	if err != nil || !next.IsAbs() || "http://"+next.Host != s.URL() || next.Query().Get("fields") != "id" {
		t.Fatalf("next %v is not an absolute URL on the fake keeping the query", paging["next"])
	}
	status, last := do(t, "GET", next.String(), "")
	if status != 200 || len(last["data"].([]any)) != 1 || last["paging"].(map[string]any)["next"] != nil {
		t.Errorf("last page %d %v", status, last)
	}
	if status, body := do(t, "GET", s.URL()+"/v23.0/"+s.WABAID()+"/phone_numbers?after=%21%21", ""); status != 400 || errorCode(body) != 100 {
		t.Errorf("bad cursor answered %d %v", status, body)
	}
}

func TestAuthRefusals(t *testing.T) {
	s := newServer(t, Options{}, 1)
	req, _ := http.NewRequest("GET", s.URL()+"/v23.0/"+s.WABAID()+"/phone_numbers", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no token answered %d", resp.StatusCode)
	}
	if status, body := do(t, "GET", s.URL()+"/v23.0/"+s.WABAID()+"/phone_numbers?access_token="+token, ""); status != 400 || errorCode(body) != 100 {
		t.Errorf("token in URL answered %d %v", status, body)
	}
	if status, body := do(t, "GET", s.URL()+"/v22.0/"+s.WABAID()+"/phone_numbers", ""); status != 400 || errorCode(body) != 100 {
		t.Errorf("other version answered %d %v", status, body)
	}
	if got := s.Calls(); got[CallPhoneNumbers] != 3 {
		t.Errorf("calls %v", got)
	}
}

func TestSyncRequestValidatesBody(t *testing.T) {
	s := newServer(t, Options{}, 1)
	u := s.URL() + "/v23.0/500/smb_app_data"
	if status, body := do(t, "POST", u, `{"messaging_product":"whatsapp","sync_type":"history"}`); status != 400 || errorCode(body) != 100 {
		t.Errorf("history sync answered %d %v", status, body)
	}
	if status, body := do(t, "POST", u, `{"messaging_product":"whatsapp","sync_type":"smb_app_state_sync"}`); status != 200 || body["request_id"] == "" {
		t.Errorf("valid request answered %d %v", status, body)
	}
	if s.Delivered()+s.Undelivered() != 0 {
		t.Error("delivered without a webhook URL")
	}
}

func TestFaultRatesAreSeeded(t *testing.T) {
	run := func(seed uint64) string {
		s := newServer(t, Options{Seed: seed}, 1)
		s.SetFaults(Faults{ServerErrorRate: 0.3, ThrottleRate: 0.3})
		var b strings.Builder
		for range 30 {
			status, body := do(t, "GET", s.URL()+"/v23.0/"+s.WABAID()+"/phone_numbers", "")
			fmt.Fprintf(&b, "%d/%v ", status, errorCode(body))
		}
		return b.String()
	}
	first := run(9)
	if first != run(9) {
		t.Error("same seed gave different faults")
	}
	for _, want := range []string{"200/0", "500/131000", "400/80007"} {
		if !strings.Contains(first, want) {
			t.Errorf("sequence %s lacks %s", first, want)
		}
	}
}

func TestWebhookBodiesParseBack(t *testing.T) {
	contacts := SampleContacts(3, 230, "MX")
	n := whatsapp.PhoneNumber{ID: "777", DisplayPhoneNumber: "+52 55 1234 5678"}
	start := time.Unix(1_800_000_000, 0)
	bodies := WebhookBodies("W", n, contacts, 100, start)
	if len(bodies) != 3 {
		t.Fatalf("%d bodies", len(bodies))
	}
	var events int
	for _, b := range bodies {
		p, err := whatsapp.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range p.Events {
			if ev.NumberID != "777" || ev.Timestamp.Before(start) {
				t.Errorf("event %+v", ev)
			}
		}
		events += len(p.Events)
	}
	if events != len(contacts) {
		t.Errorf("%d events from %d contacts", events, len(contacts))
	}
}

// A contact source is called only once a sync delivers, and what it
// returns goes out exactly as WebhookBodies renders it, in order.
func TestContactSourceDeliversOnRequest(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	s := newServer(t, Options{Now: func() time.Time { return start }}, 1)
	var mu sync.Mutex
	var got [][]byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, body)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	s.SetWebhook(hook.URL)
	calls := 0
	contacts := SampleContacts(5, 250, "BR")
	s.SetContactSource("500", func() []Contact { calls++; return contacts })
	if calls != 0 {
		t.Fatal("source called before any sync")
	}
	if status, body := do(t, "POST", s.URL()+"/v23.0/500/smb_app_data", `{"messaging_product":"whatsapp","sync_type":"smb_app_state_sync"}`); status != 200 {
		t.Fatalf("sync request answered %d %v", status, body)
	}
	if err := s.WaitDelivered(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := WebhookBodies(s.WABAID(), whatsapp.PhoneNumber{ID: "500", IsOnBizApp: true}, contacts, 100, start)
	if calls != 1 || len(got) != len(want) || s.Delivered() != len(want) {
		t.Fatalf("source called %d times, %d bodies delivered (%d counted), want 1 and %d", calls, len(got), s.Delivered(), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("body %d differs from WebhookBodies'", i)
		}
	}
}
