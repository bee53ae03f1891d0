package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"coexsync/crm/hubspot/hubspottest"
	"coexsync/store"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// doctorJSON is the documented shape of doctor --json.
type doctorJSON struct {
	Checks []struct {
		Name   *string `json:"name"`
		OK     *bool   `json:"ok"`
		Detail *string `json:"detail"`
		Fix    string  `json:"fix"`
	} `json:"checks"`
}

func TestDoctorSandboxPassesAndWritesNothing(t *testing.T) {
	t.Parallel()
	env := map[string]string{"META_APP_ID": ""}
	r := runCLI(t, env, "", "doctor", "--sandbox", "--sandbox-contacts", smallSandboxSize)
	if r.code != 0 || strings.Contains(r.out, "FAIL") || !strings.Contains(r.out, "SANDBOX") {
		t.Fatalf("doctor --sandbox: exit %d\n%s%s", r.code, r.out, r.err)
	}
	for _, want := range []string{"OK    graph token", "OK    app subscribed", "OK    webhook field", "OK    hubspot token",
		"OK    intercom token", "OK    clock", "checks passed"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("doctor --sandbox output lacks %q:\n%s", want, r.out)
		}
	}
	// No database was created, nor the last-session note.
	if entries, err := os.ReadDir(filepath.Join(dataHome(t), "coexsync")); err == nil && len(entries) > 0 {
		t.Errorf("doctor created files: %v", entries)
	}

	r = runCLI(t, env, "", "doctor", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--json")
	if r.code != 0 {
		t.Fatalf("doctor --sandbox --json: exit %d %s", r.code, r.err)
	}
	var got doctorJSON
	if err := json.Unmarshal([]byte(r.out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.out)
	}
	if len(got.Checks) < 8 {
		t.Fatalf("%d checks: %s", len(got.Checks), r.out)
	}
	for _, c := range got.Checks {
		if c.Name == nil || c.OK == nil || c.Detail == nil || *c.Name == "" || !*c.OK {
			t.Errorf("check %+v: want name, ok (true) and detail", c)
		}
	}
}

// countMethods counts requests per HTTP method in front of a fake.
type countMethods struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countMethods) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.n[r.Method]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// liveFakes are real-mode settings pointing at fakes, and a database
// holding a number whose one-time request was spent with nothing stored.
func liveFakes(t *testing.T) (map[string]string, *whatsapptest.Server, *countMethods, string) {
	t.Helper()
	graph := whatsapptest.New(whatsapptest.Options{Token: "graph-tok", AppSecret: "app-sec"})
	t.Cleanup(graph.Close)
	graph.AddNumber(whatsapp.PhoneNumber{ID: "100000000000004", DisplayPhoneNumber: "+44 20 7946 0321",
		PlatformType: "CLOUD_API", IsOnBizApp: true})
	hub := hubspottest.New(hubspottest.Options{Token: "hub-tok"})
	t.Cleanup(hub.Close)
	counts := &countMethods{n: map[string]int{}}
	hubSrv := httptest.NewServer(counts.wrap(hub))
	t.Cleanup(hubSrv.Close)
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := st.UpsertNumbers(ctx, []store.Number{{ID: "100000000000004", DisplayPhoneNumber: "+44 20 7946 0321", OnBizApp: true}}); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSyncRequested(ctx, "100000000000004", "req-1"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{
		"WHATSAPP_TOKEN": "graph-tok", "WABA_ID": graph.WABAID(), "GRAPH_API_URL": graph.URL(),
		"WHATSAPP_APP_SECRET": "app-sec", "HUBSPOT_TOKEN": "hub-tok", "HUBSPOT_API_URL": hubSrv.URL,
		"COEXSYNC_DB": db, "META_APP_ID": "",
	}
	return env, graph, counts, db
}

func TestDoctorFailuresExitOneAndOnlyRead(t *testing.T) {
	t.Parallel()
	env, graph, counts, db := liveFakes(t)
	graph.SetAppSubscribed(false)
	env["HUBSPOT_TOKEN"] = "wrong-hub-tok"
	r := runCLI(t, env, "", "doctor")
	if r.code != 1 {
		t.Fatalf("doctor with failures: exit %d, want 1\n%s%s", r.code, r.out, r.err)
	}
	for _, want := range []string{"FAIL  app subscribed", "FAIL  contacts +44 20 7946 0321", "spent on",
		"FAIL  hubspot token", "fix: ", "OK    graph token", "checks failed"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	for _, secret := range []string{"graph-tok", "app-sec", "wrong-hub-tok"} {
		if strings.Contains(r.out+r.errOut+r.err, secret) {
			t.Errorf("a secret reached the output")
		}
	}
	for m, n := range graph.Methods() {
		if m != http.MethodGet {
			t.Errorf("doctor sent %d %s to the Graph API", n, m)
		}
	}
	counts.mu.Lock()
	for m, n := range counts.n {
		if m != http.MethodGet {
			t.Errorf("doctor sent %d %s to HubSpot", n, m)
		}
	}
	counts.mu.Unlock()
	if graph.Calls()[whatsapptest.CallSyncRequest] != 0 {
		t.Errorf("doctor touched the one-time request")
	}
	// The store is as the test left it: the Graph listing was not stored.
	st, err := store.OpenReadOnly(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.Number(context.Background(), "100000000000004")
	if err != nil || n.PlatformType != "" || n.SyncRequestID != "req-1" {
		t.Errorf("doctor wrote the number: %+v %v", n, err)
	}

	// JSON carries the same verdicts.
	r = runCLI(t, env, "", "doctor", "--json")
	var got doctorJSON
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != 1 {
		t.Fatalf("doctor --json: exit %d %v\n%s", r.code, err, r.out)
	}
	failed := map[string]string{}
	for _, c := range got.Checks {
		if !*c.OK {
			failed[*c.Name] = c.Fix
		}
	}
	if failed["app subscribed"] == "" || failed["hubspot token"] == "" {
		t.Errorf("failed checks with fixes: %v", failed)
	}
}

func TestDoctorHealthyLiveExitsZero(t *testing.T) {
	t.Parallel()
	env, _, _, _ := liveFakes(t)
	env["COEXSYNC_DB"] = filepath.Join(t.TempDir(), "none.db") // nothing spent
	r := runCLI(t, env, "", "doctor", "--number", "100000000000004")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.err)
	}
	if _, err := os.Stat(env["COEXSYNC_DB"]); !os.IsNotExist(err) {
		t.Errorf("doctor created the database: %v", err)
	}
}

func TestDoctorCannotRun(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"doctor"}, "no credentials"},
		{[]string{"doctor", "--sandbox", "--offline"}, "drop --offline"},
	} {
		r := runCLI(t, map[string]string{"META_APP_ID": ""}, "", c.args...)
		if r.code != 2 || !strings.Contains(r.err, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, r.code, r.err, c.want)
		}
	}
}
