package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coexsync/crm/hubspot"
	"coexsync/store"
	"coexsync/whatsapp"
)

func serveForTest(t *testing.T, opts ServeOptions) (*Served, *httptest.Server) {
	t.Helper()
	sv, err := Serve(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctl := httptest.NewServer(sv.ControlHandler())
	t.Cleanup(func() { ctl.Close(); sv.Close() })
	return sv, ctl
}

// control posts body (nil: none) to the control API and decodes the State.
func control(t *testing.T, ctl *httptest.Server, path string, body any) State {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	resp, err := http.Post(ctl.URL+path, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		var e map[string]string
		json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("%s: %d %v", path, resp.StatusCode, e)
	}
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func env(sv *Served) map[string]string {
	m := map[string]string{}
	for _, kv := range sv.Env() {
		m[kv[0]] = kv[1]
	}
	return m
}

// hubspotCreate sends one batch create of phone to the served HubSpot.
func hubspotCreate(ctx context.Context, sv *Served, phone string) (*http.Response, error) {
	body := `{"inputs":[{"properties":{"phone":"` + phone + `","firstname":"Test"}}]}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, sv.URL(ServiceHubSpot)+hubspot.PathBatchCreate, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env(sv)["HUBSPOT_TOKEN"])
	req.Header.Set("Content-Type", "application/json")
	return http.DefaultClient.Do(req)
}

func intercomCreate(ctx context.Context, sv *Served, phone string) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, sv.URL(ServiceIntercom)+"/contacts",
		strings.NewReader(`{"role":"lead","phone":"`+phone+`","name":"Test"}`))
	req.Header.Set("Authorization", "Bearer "+env(sv)["INTERCOM_TOKEN"])
	req.Header.Set("Content-Type", "application/json")
	return http.DefaultClient.Do(req)
}

func TestServeEnvAndContactsFile(t *testing.T) {
	t.Parallel()
	sv, _ := serveForTest(t, ServeOptions{Seed: 2, Contacts: 30})
	e := env(sv)
	for _, key := range []string{"GRAPH_API_URL", "WABA_ID", "WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET", "HUBSPOT_API_URL",
		"HUBSPOT_TOKEN", "INTERCOM_API_URL", "INTERCOM_TOKEN", "COEXSYNC_CRM_ACCOUNT"} {
		if e[key] == "" {
			t.Errorf("env lacks %s", key)
		}
	}
	if !strings.HasPrefix(e["HUBSPOT_API_URL"], "http://127.0.0.1:") {
		t.Errorf("HubSpot not on loopback: %s", e["HUBSPOT_API_URL"])
	}
	other, _ := serveForTest(t, ServeOptions{Seed: 2, Contacts: 30})
	if env(other)["HUBSPOT_TOKEN"] == e["HUBSPOT_TOKEN"] || env(other)["COEXSYNC_CRM_ACCOUNT"] == e["COEXSYNC_CRM_ACCOUNT"] {
		t.Error("two servers share a token or a ledger account")
	}

	// contacts.json is what `coexsync import` reads: every number's
	// address book, and importing it twice changes nothing.
	var buf bytes.Buffer
	if err := sv.WriteContacts(&buf); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	other.WriteContacts(&again)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("one seed wrote two different contact files")
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	res, err := whatsapp.Import(ctx, db, "contacts.json", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, n := range sv.Numbers() {
		want += n.Contacts
		if n.Number.IsOnBizApp && n.Contacts != 30 {
			t.Errorf("%s has %d contacts, want 30", n.Number.ID, n.Contacts)
		}
	}
	if want != 90 || res.Events != want {
		t.Fatalf("imported %d events, numbers hold %d", res.Events, want)
	}
	res, err = whatsapp.Import(ctx, db, "contacts.json", bytes.NewReader(buf.Bytes()))
	if err != nil || res.Duplicates != res.Payloads || res.Added != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
}

// The seed holds a few numbers twice on purpose; only a number a create
// doubled counts as a duplicate the sync made.
func TestServeStateCountsDuplicatesMadeThroughTheAPI(t *testing.T) {
	t.Parallel()
	sv, ctl := serveForTest(t, ServeOptions{Seed: 1, Contacts: 30})
	st := control(t, ctl, "/faults", FaultsRequest{})
	if st.HubSpot.Records == 0 || st.HubSpot.Created != 0 || st.HubSpot.NumbersHeldTwiceByAPI != 0 {
		t.Fatalf("fresh state: %+v", st.HubSpot)
	}
	var seeded string
	for _, r := range sv.HubSpot.Records() {
		if seeded = r.Properties[hubspot.PropCalculatedPhone]; seeded != "" {
			break
		}
	}
	resp, err := hubspotCreate(context.Background(), sv, seeded)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = intercomCreate(context.Background(), sv, "+447700900123")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := control(t, ctl, "/faults", FaultsRequest{})
	if after.HubSpot.Created != 1 || after.HubSpot.Records != st.HubSpot.Records+1 ||
		after.HubSpot.NumbersHeldTwiceByAPI != 1 || after.HubSpot.NumbersHeldTwice < 1 {
		t.Fatalf("after doubling a seeded number: %+v (before %+v)", after.HubSpot, st.HubSpot)
	}
	if after.Intercom.Created != 1 || after.Intercom.NumbersHeldTwiceByAPI != 0 {
		t.Fatalf("intercom after a new number: %+v", after.Intercom)
	}
}

// Faults switch per CRM at run time, and the server goes down and comes
// back on the same URL with its state.
func TestServeFaultsAndOutage(t *testing.T) {
	sv, ctl := serveForTest(t, ServeOptions{Seed: 1, Contacts: 30})
	ctx := context.Background()
	st := control(t, ctl, "/faults", map[string]any{"crm": "hubspot", "server_error": 1.0})
	if st.HubSpot.Faults.ServerError != 1 || st.Intercom.Faults.ServerError != 0 {
		t.Fatalf("faults: %+v / %+v", st.HubSpot.Faults, st.Intercom.Faults)
	}
	resp, err := hubspotCreate(ctx, sv, "+447700900001")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 500 {
		t.Fatalf("hubspot with server_error=1: %d", resp.StatusCode)
	}
	resp, err = intercomCreate(ctx, sv, "+447700900001")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("intercom without faults: %d", resp.StatusCode)
	}
	control(t, ctl, "/faults", map[string]any{"rate_limited": 1.0})
	if resp, err = intercomCreate(ctx, sv, "+447700900002"); err != nil || resp.StatusCode != 429 {
		t.Fatalf("intercom with rate_limited=1: %v %v", resp, err)
	}
	resp.Body.Close()
	control(t, ctl, "/faults", FaultsRequest{})

	st = control(t, ctl, "/down?service=hubspot", nil)
	if !st.Down[ServiceHubSpot] || st.Down[ServiceIntercom] {
		t.Fatalf("down: %v", st.Down)
	}
	if _, err := hubspotCreate(ctx, sv, "+447700900003"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("hubspot while down: %v", err)
	}
	st = control(t, ctl, "/up", nil)
	if st.Down[ServiceHubSpot] {
		t.Fatalf("up: %v", st.Down)
	}
	resp, err = hubspotCreate(ctx, sv, "+447700900003")
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("hubspot back up: %v %v", resp, err)
	}
	resp.Body.Close()
	if st := control(t, ctl, "/faults", FaultsRequest{}); st.HubSpot.Created != 1 || st.Intercom.Created != 1 {
		t.Fatalf("records after the outage: hubspot %d, intercom %d", st.HubSpot.Created, st.Intercom.Created)
	}

	for _, bad := range []map[string]any{{"server_error": 1.5}, {"crm": "salesforce"}, {"rate_limited": 0.6, "timeout": 0.6}, {"slow": "1s"}} {
		raw, _ := json.Marshal(bad)
		resp, err := http.Post(ctl.URL+"/faults", "application/json", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("faults %v: %d, want 400", bad, resp.StatusCode)
		}
	}
}

// A slow create outlives the client that sent it: the client gives up,
// the create is still held, and it lands once released.
func TestServeSlowCreateLandsAfterTheClientGaveUp(t *testing.T) {
	t.Parallel()
	sv, ctl := serveForTest(t, ServeOptions{Seed: 1, Contacts: 30})
	control(t, ctl, "/faults", map[string]any{"slow_create": "1h"})
	for _, c := range heldCreates {
		holdThenHangUp(t, sv, c.create, c.of)
		if st := c.of(sv.State()); st.Created != 0 || st.CreatesHeld != 1 {
			t.Fatalf("after the client gave up: %+v", st)
		}
		if st := c.of(control(t, ctl, "/release", nil)); st.CreatesHeld != 0 || st.Created != 1 {
			t.Fatalf("the abandoned create did not land on release: %+v", st)
		}
	}
}

// A held create that draws a timeout fault once released is lost with its
// client, as a timed-out request is, instead of holding the fake forever.
func TestServeHeldCreateThatTimesOutEndsWithItsClient(t *testing.T) {
	t.Parallel()
	sv, ctl := serveForTest(t, ServeOptions{Seed: 1, Contacts: 30})
	control(t, ctl, "/faults", map[string]any{"slow_create": "1h", "timeout": 1})
	for _, c := range heldCreates {
		holdThenHangUp(t, sv, c.create, c.of)
		if st := c.of(control(t, ctl, "/release", nil)); st.CreatesHeld != 0 || st.Created != 0 {
			t.Fatalf("a released create that timed out: %+v", st)
		}
	}
}

// heldCreates are a create on each CRM fake and where State counts it.
var heldCreates = []struct {
	create func(context.Context, *Served, string) (*http.Response, error)
	of     func(State) CRMState
}{
	{hubspotCreate, func(st State) CRMState { return st.HubSpot }},
	{intercomCreate, func(st State) CRMState { return st.Intercom }},
}

// holdThenHangUp sends a create, waits (server-side) until it is held,
// then hangs up, and checks the client got no answer.
func holdThenHangUp(t *testing.T, sv *Served, create func(context.Context, *Served, string) (*http.Response, error), of func(State) CRMState) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		resp, err := create(ctx, sv, "+447700900111")
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for of(sv.State()).CreatesHeld == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the create was never held")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the client got an answer while the create was held")
	}
}

func TestParseFaults(t *testing.T) {
	req, err := ParseFaults("rate_limited=0.1, server_error=0.05,garbage=0.02,timeout=0.01,slow_create=2s,search_lag=500ms,crm=intercom")
	if err != nil {
		t.Fatal(err)
	}
	want := Faults{RateLimited: 0.1, ServerError: 0.05, Garbage: 0.02, Timeout: 0.01, SlowCreate: Duration(2 * time.Second)}
	if req.Faults != want || req.CRM != "intercom" || req.SearchLag == nil || *req.SearchLag != Duration(500*time.Millisecond) {
		t.Fatalf("parsed %+v", req)
	}
	if req, err := ParseFaults(""); err != nil || req.Faults != (Faults{}) || req.SearchLag != nil {
		t.Fatalf("empty spec: %+v %v", req, err)
	}
	for _, bad := range []string{"timeout", "timeout=lots", "slow_create=2", "nap=1s", "server_error=-0.1", "garbage=0.7,timeout=0.7", "crm=zoho"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The search lag set through the control API decides when a new record
// shows up in search.
func TestServeSearchLagIsSettable(t *testing.T) {
	t.Parallel()
	sv, ctl := serveForTest(t, ServeOptions{Seed: 1, Contacts: 30, SearchLag: time.Hour})
	if st := control(t, ctl, "/faults", map[string]any{"search_lag": "0s"}); st.SearchLag != 0 {
		t.Fatalf("lag %v", st.SearchLag)
	}
	resp, err := hubspotCreate(context.Background(), sv, "+447700900222")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	body := `{"filterGroups":[{"filters":[{"propertyName":"phone","operator":"EQ","value":"+447700900222"}]}],"limit":10,"after":"0","properties":["phone"],"sorts":[]}`
	req, _ := http.NewRequest(http.MethodPost, sv.URL(ServiceHubSpot)+hubspot.PathSearch, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env(sv)["HUBSPOT_TOKEN"])
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var found struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&found); err != nil || found.Total != 1 {
		t.Fatalf("search right after a create with lag 0: %d %+v %v", resp.StatusCode, found, err)
	}
}
