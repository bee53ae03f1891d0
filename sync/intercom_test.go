package sync

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// fastIntercom starts an Intercom fake with a budget in 100 ms windows and
// a client tuned to match.
func fastIntercom(tb testing.TB, seed int64) (*intercomtest.Server, *intercom.Client) {
	tb.Helper()
	const perMinute, window = 30000, 100 * time.Millisecond
	srv := intercomtest.New(intercomtest.Options{Token: "test-token", PerMinute: perMinute, Window: window, SearchLag: testLag, Seed: seed})
	tb.Cleanup(srv.Close)
	client := intercom.New(intercom.Config{
		BaseURL: srv.URL(), Token: "test-token", HTTP: &http.Client{Timeout: 500 * time.Millisecond},
		PerMinute: perMinute, Window: window, SearchLag: testLag,
		Retry: crm.RetryPolicy{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
	})
	return srv, client
}

func TestIntercomFaultInjectionEndsEveryContact(t *testing.T) {
	for seed := range int64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			srv, client := fastIntercom(t, seed)
			db := openStore(t)
			seedContacts(t, db, 0, 300, func(national, name string) {
				srv.Seed(intercomtest.Contact{Role: "lead", Name: name, Phone: national})
			})
			srv.SetFaults(intercomtest.Faults{RateLimited: 0.10, ServerError: 0.05, Garbage: 0.01, Timeout: 0.01})
			syncUnderFaults(t, &Engine{Store: db, CRM: client}, db)
			var phones []string
			for _, r := range srv.Records() {
				phones = append(phones, r.Phone)
			}
			assertNoDuplicatePhones(t, phones)
		})
	}
}
