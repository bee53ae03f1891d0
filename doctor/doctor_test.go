package doctor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/doctor"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

const (
	graphToken = "graph-good-token"
	appSecret  = "app-secret-1"
	hubToken   = "hub-good-token"
	icomToken  = "icom-good-token"
	numberID   = "100000000000001"
)

// methods counts requests by HTTP method in front of a fake.
type methods struct {
	mu sync.Mutex
	n  map[string]int
}

func (m *methods) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.n[r.Method]++
		m.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (m *methods) nonGET() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, v := range m.n {
		if k != http.MethodGet {
			out[k] = v
		}
	}
	return out
}

// fakeStore is the store's view the checks read.
type fakeStore struct {
	requested map[string]time.Time
	counts    map[string]int
}

func (f fakeStore) SyncRequestedAt(_ context.Context, id string) (time.Time, error) {
	return f.requested[id], nil
}

func (f fakeStore) CountContacts(_ context.Context, id string) (int, error) { return f.counts[id], nil }

type env struct {
	graph *whatsapptest.Server
	hub   *hubspottest.Server
	icom  *intercomtest.Server
	crmMs *methods
	hubSr *httptest.Server
	icSr  *httptest.Server
	deps  doctor.Deps
}

type setup struct {
	graphAppSecret string // "" : the app has no secret configured
	hubDaily       int
	hubTier        int
}

func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	if s.graphAppSecret == "" {
		s.graphAppSecret = appSecret
	}
	e := &env{crmMs: &methods{n: map[string]int{}}}
	e.graph = whatsapptest.New(whatsapptest.Options{Token: graphToken, AppSecret: s.graphAppSecret})
	t.Cleanup(e.graph.Close)
	e.graph.AddNumber(whatsapp.PhoneNumber{ID: numberID, DisplayPhoneNumber: "+55 11 4003-3939",
		PlatformType: "CLOUD_API", IsOnBizApp: true, Status: "CONNECTED"})
	e.graph.AddNumber(whatsapp.PhoneNumber{ID: "100000000000003", DisplayPhoneNumber: "+1 415-555-0132",
		PlatformType: "CLOUD_API", IsOnBizApp: false, Status: "CONNECTED"})
	e.hub = hubspottest.New(hubspottest.Options{Token: hubToken, DailyLimit: s.hubDaily, GeneralPer10s: s.hubTier})
	t.Cleanup(e.hub.Close)
	e.hub.Seed(hubspottest.SeedContact{FirstName: "Ana", Phone: "+5511987654321"})
	e.icom = intercomtest.New(intercomtest.Options{Token: icomToken})
	t.Cleanup(e.icom.Close)
	e.icom.Seed(intercomtest.Contact{Name: "Ana", Phone: "+5511987654321"})
	e.hubSr = httptest.NewServer(e.crmMs.wrap(e.hub))
	t.Cleanup(e.hubSr.Close)
	e.icSr = httptest.NewServer(e.crmMs.wrap(e.icom.Handler()))
	t.Cleanup(e.icSr.Close)
	e.deps = doctor.Deps{
		WhatsApp: e.client(graphToken, appSecret),
		WABAID:   e.graph.WABAID(),
		Store:    fakeStore{counts: map[string]int{numberID: 12}},
		CRMs: map[string]crm.Client{
			"hubspot":  e.hubspot(hubToken, 0),
			"intercom": e.intercom(icomToken),
		},
	}
	return e
}

func (e *env) client(token, secret string) *whatsapp.Client {
	return whatsapp.NewClient(whatsapp.Config{BaseURL: e.graph.URL(), Token: token, AppSecret: secret,
		Retry: crm.RetryPolicy{MaxAttempts: 1}})
}

func (e *env) hubspot(token string, rate int) *hubspot.Client {
	return hubspot.New(hubspot.Config{BaseURL: e.hubSr.URL, Token: token, GeneralMax: rate,
		Retry: crm.RetryPolicy{MaxAttempts: 1}})
}

func (e *env) intercom(token string) *intercom.Client {
	return intercom.New(intercom.Config{BaseURL: e.icSr.URL, Token: token, Retry: crm.RetryPolicy{MaxAttempts: 1}})
}

func (e *env) run(t *testing.T) []doctor.Check {
	t.Helper()
	checks := doctor.Run(context.Background(), e.deps)
	// Whatever happened, doctor asked only with GET.
	graph := e.graph.Methods()
	for m, n := range graph {
		if m != http.MethodGet {
			t.Errorf("doctor sent %d %s requests to the Graph API", n, m)
		}
	}
	if graph[http.MethodGet] == 0 {
		t.Errorf("doctor asked the Graph API nothing")
	}
	if got := e.crmMs.nonGET(); len(got) != 0 {
		t.Errorf("doctor sent non-GET requests to the CRMs: %v", got)
	}
	if n := e.graph.Calls()[whatsapptest.CallSyncRequest]; n != 0 {
		t.Errorf("doctor touched the one-time contact request %d times", n)
	}
	for _, c := range checks {
		if strings.Contains(c.Detail+c.Fix, graphToken) || strings.Contains(c.Detail+c.Fix, hubToken) ||
			strings.Contains(c.Detail+c.Fix, icomToken) || strings.Contains(c.Detail+c.Fix, appSecret) {
			t.Errorf("check %q shows a secret: %+v", c.Name, c)
		}
	}
	return checks
}

func find(t *testing.T, checks []doctor.Check, name string) doctor.Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, checks)
	return doctor.Check{}
}

// wantFail asserts the check failed, says why (detail) and how to fix it.
func wantFail(t *testing.T, checks []doctor.Check, name string, detail ...string) doctor.Check {
	t.Helper()
	c := find(t, checks, name)
	if c.OK {
		t.Fatalf("check %q passed, want a failure: %+v", name, c)
	}
	if c.Fix == "" && !strings.HasPrefix(c.Detail, "not checked") {
		t.Errorf("check %q failed without a fix: %+v", name, c)
	}
	for _, d := range detail {
		if !strings.Contains(c.Detail+" "+c.Fix, d) {
			t.Errorf("check %q: want %q in %q / %q", name, d, c.Detail, c.Fix)
		}
	}
	if doctor.AllOK(checks) {
		t.Errorf("AllOK with a failed check")
	}
	return c
}

func TestHealthySetupPassesEveryCheck(t *testing.T) {
	e := newEnv(t, setup{hubDaily: 250000})
	checks := e.run(t)
	for _, c := range checks {
		if !c.OK || c.Warn {
			t.Errorf("check %q: %+v", c.Name, c)
		}
	}
	names := map[string]bool{}
	for _, c := range checks {
		names[c.Name] = true
	}
	for _, n := range []string{doctor.NameGraphToken, doctor.NameWABA, doctor.NameNumbers, doctor.NameAppSubscribed,
		doctor.NameWebhookField, doctor.NameContacts + " +55 11 4003-3939", doctor.NameHubSpotToken,
		doctor.NameHubSpotTier, doctor.NameIntercomToken, doctor.NameClock} {
		if !names[n] {
			t.Errorf("missing check %q", n)
		}
	}
	if d := find(t, checks, doctor.NameNumbers).Detail; !strings.Contains(d, "is_on_biz_app=true platform_type=CLOUD_API") {
		t.Errorf("numbers detail %q", d)
	}
	if d := find(t, checks, doctor.NameIntercomToken).Detail; !strings.Contains(d, intercomtest.WorkspaceName) {
		t.Errorf("intercom detail %q lacks the workspace name", d)
	}
	if d := find(t, checks, doctor.NameHubSpotTier).Detail; !strings.Contains(d, "100 requests per 10 s (Free or Starter") ||
		!strings.Contains(d, "of 250000 daily calls left") {
		t.Errorf("tier detail %q", d)
	}
	if !doctor.AllOK(checks) {
		t.Errorf("AllOK is false")
	}
}

// The checks before the one-time contact request ask Meta and the store,
// and never a CRM: each CRM check would spend its rate budget for nothing.
func TestMetaScopeAsksNoCRM(t *testing.T) {
	e := newEnv(t, setup{hubDaily: 250000})
	e.deps.Scope = doctor.ScopeMeta
	checks := e.run(t)
	var names []string
	for _, c := range checks {
		names = append(names, c.Name)
	}
	want := []string{doctor.NameGraphToken, doctor.NameWABA, doctor.NameNumbers, doctor.NameAppSubscribed,
		doctor.NameWebhookField, doctor.NameContacts + " +55 11 4003-3939"}
	if !slices.Equal(names, want) {
		t.Errorf("checks %q, want %q", names, want)
	}
	if !doctor.AllOK(checks) {
		t.Errorf("AllOK is false: %+v", checks)
	}
	e.crmMs.mu.Lock()
	defer e.crmMs.mu.Unlock()
	if len(e.crmMs.n) != 0 {
		t.Errorf("the meta checks called the CRMs: %v", e.crmMs.n)
	}
}

// Scope.Covers is the rule the console's test backend filters by: it must
// name exactly the checks Run runs for the scope.
func TestScopeCoversWhatRunRuns(t *testing.T) {
	e := newEnv(t, setup{hubDaily: 250000})
	all := e.run(t)
	e.deps.Scope = doctor.ScopeMeta
	meta := map[string]bool{}
	for _, c := range e.run(t) {
		meta[c.Name] = true
	}
	crm := 0
	for _, c := range all {
		if !doctor.ScopeAll.Covers(c.Name) {
			t.Errorf("ScopeAll does not cover %q", c.Name)
		}
		if got := doctor.ScopeMeta.Covers(c.Name); got != meta[c.Name] {
			t.Errorf("ScopeMeta.Covers(%q) = %v, but the meta run has it: %v", c.Name, got, meta[c.Name])
		}
		if !meta[c.Name] {
			crm++
		}
	}
	if crm == 0 || len(meta) == 0 {
		t.Fatalf("full run %d checks, meta run %d: want both scopes to have checks", len(all), len(meta))
	}
}

func TestBadGraphToken(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.WhatsApp = e.client("expired-token", appSecret)
	checks := e.run(t)
	wantFail(t, checks, doctor.NameGraphToken, "refused the token", "WHATSAPP_TOKEN")
	wantFail(t, checks, doctor.NameWABA, "not checked")
}

func TestUnknownWABA(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.WABAID = "999999999"
	checks := e.run(t)
	if c := find(t, checks, doctor.NameGraphToken); !c.OK {
		t.Errorf("token check %+v", c)
	}
	wantFail(t, checks, doctor.NameWABA, "999999999", "WABA_ID")
}

func TestAppNotSubscribedToWABA(t *testing.T) {
	e := newEnv(t, setup{})
	e.graph.SetAppSubscribed(false)
	checks := e.run(t)
	wantFail(t, checks, doctor.NameAppSubscribed, "no app is subscribed", "subscribed_apps")
}

func TestAnotherAppSubscribed(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.AppID = "123456"
	checks := e.run(t)
	wantFail(t, checks, doctor.NameAppSubscribed, "app 123456 is not subscribed", "coexsync fake app")
}

func TestWebhookFieldMissing(t *testing.T) {
	e := newEnv(t, setup{})
	e.graph.SetFieldSubscribed(false)
	checks := e.run(t)
	wantFail(t, checks, doctor.NameWebhookField, "does not subscribe smb_app_state_sync", "messages", "Webhook fields")
}

func TestWebhookFieldUnreadableWithoutAppSecret(t *testing.T) {
	e := newEnv(t, setup{})
	// The fake still wants appsecret_proof on other calls: serve one
	// without a secret for this case.
	plain := whatsapptest.New(whatsapptest.Options{Token: graphToken})
	t.Cleanup(plain.Close)
	plain.AddNumber(whatsapp.PhoneNumber{ID: numberID, DisplayPhoneNumber: "+55 11 4003-3939", PlatformType: "CLOUD_API", IsOnBizApp: true})
	e.graph = plain
	e.deps.WhatsApp = e.client(graphToken, "")
	checks := e.run(t)
	c := find(t, checks, doctor.NameWebhookField)
	if !c.OK || !c.Warn || !strings.Contains(c.Detail, "app access token") || !strings.Contains(c.Fix, "WHATSAPP_APP_SECRET") {
		t.Errorf("webhook field without app secret: %+v", c)
	}
	if !doctor.AllOK(checks) {
		t.Errorf("a warning failed the run: %+v", checks)
	}
}

func TestNumberNotOnBusinessApp(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.NumberID = "100000000000003"
	checks := e.run(t)
	wantFail(t, checks, doctor.NameNumbers, "is_on_biz_app=false", "Coexistence")
}

func TestContacts(t *testing.T) {
	spentAt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	name := doctor.NameContacts + " +55 11 4003-3939"
	t.Run("spent request, nothing stored", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.deps.Store = fakeStore{requested: map[string]time.Time{numberID: spentAt}}
		checks := e.run(t)
		wantFail(t, checks, name, "spent on 2026-03-01T12:00:00Z", "no second request", "coexsync import")
	})
	t.Run("unspent request", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.deps.Store = fakeStore{}
		c := find(t, e.run(t), name)
		if !c.OK || !strings.Contains(c.Detail, "unspent") {
			t.Errorf("%+v", c)
		}
	})
	t.Run("stored", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.deps.Store = fakeStore{requested: map[string]time.Time{numberID: spentAt},
			counts: map[string]int{numberID: 3}}
		c := find(t, e.run(t), name)
		if !c.OK || c.Detail != "3 contacts stored" {
			t.Errorf("%+v", c)
		}
	})
}

func TestBadCRMTokens(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.CRMs = map[string]crm.Client{"hubspot": e.hubspot("wrong", 0), "intercom": e.intercom("wrong")}
	checks := e.run(t)
	wantFail(t, checks, doctor.NameHubSpotToken, "HubSpot refused the token", "HUBSPOT_TOKEN")
	wantFail(t, checks, doctor.NameHubSpotTier, "not checked")
	wantFail(t, checks, doctor.NameIntercomToken, "Intercom refused the token", "INTERCOM_TOKEN")
}

func TestNoCRM(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.CRMs = nil
	wantFail(t, e.run(t), doctor.NameCRM, "no CRM", "HUBSPOT_TOKEN")
}

func TestHubSpotTier(t *testing.T) {
	t.Run("configured above the account", func(t *testing.T) {
		e := newEnv(t, setup{})
		e.deps.CRMs = map[string]crm.Client{"hubspot": e.hubspot(hubToken, 190)}
		wantFail(t, e.run(t), doctor.NameHubSpotTier, "--hubspot-rate is 190 but the account allows 100", "Set --hubspot-rate 100.")
	})
	t.Run("configured below the account", func(t *testing.T) {
		e := newEnv(t, setup{hubTier: 190})
		e.deps.CRMs = map[string]crm.Client{"hubspot": e.hubspot(hubToken, 100)}
		c := find(t, e.run(t), doctor.NameHubSpotTier)
		if !c.OK || !c.Warn || !strings.Contains(c.Detail, "Professional or Enterprise") || !strings.Contains(c.Fix, "--hubspot-rate 190") {
			t.Errorf("%+v", c)
		}
	})
}

func TestClockSkew(t *testing.T) {
	e := newEnv(t, setup{})
	e.graph.SetClockSkew(10 * time.Minute)
	checks := e.run(t)
	wantFail(t, checks, doctor.NameClock, "behind Graph API's", "NTP")

	// The comparison is against the injected clock: no wall-clock race.
	e2 := newEnv(t, setup{})
	e2.deps.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) }
	wantFail(t, e2.run(t), doctor.NameClock, "behind")
	e3 := newEnv(t, setup{})
	e3.deps.Now = func() time.Time { return time.Now().Add(30 * time.Second) }
	if c := find(t, e3.run(t), doctor.NameClock); !c.OK {
		t.Errorf("30 s of skew failed: %+v", c)
	}
}

func TestNoGraphCredentials(t *testing.T) {
	e := newEnv(t, setup{})
	e.deps.WhatsApp = nil
	checks := doctor.Run(context.Background(), e.deps)
	wantFail(t, checks, doctor.NameGraphToken, "no Graph API credentials", "WABA_ID")
}
