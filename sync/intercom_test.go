package sync

import (
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// fastIntercom starts an Intercom fake with a budget in 100 ms windows and
// a client tuned to match.
func fastIntercom(tb testing.TB, seed int64) (*intercomtest.Server, *intercom.Client) {
	tb.Helper()
	srv := intercomtest.New(intercomtest.Options{Token: "test-token", PerMinute: fastPerMinute, Window: fastWindow, SearchLag: testLag, Seed: seed})
	tb.Cleanup(srv.Close)
	return srv, intercom.New(intercomConfig(srv.URL(), &http.Client{Timeout: clientTimeout}))
}

const fastPerMinute, fastWindow = 30000, 100 * time.Millisecond

func intercomConfig(url string, hc *http.Client) intercom.Config {
	return intercom.Config{
		BaseURL: url, Token: "test-token", HTTP: hc,
		PerMinute: fastPerMinute, Window: fastWindow, SearchLag: testLag,
		Retry: crm.RetryPolicy{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
	}
}

// bubbleIntercom is fastIntercom for a test in a synctest bubble, served
// in memory, with timeouts of the requests hanging until the client gives
// up (see bubbleHTTP). Call it outside the bubble (the fake's listener
// must not join it).
func bubbleIntercom(tb testing.TB, seed int64, timeouts float64) (*intercomtest.Server, *intercom.Client) {
	tb.Helper()
	srv := intercomtest.New(intercomtest.Options{Token: "test-token", PerMinute: fastPerMinute, Window: fastWindow, SearchLag: bubbleLag, Seed: seed})
	tb.Cleanup(srv.Close)
	cfg := intercomConfig(srv.URL(), bubbleHTTP(srv.Handler(), clientTimeout, timeouts, seed))
	cfg.SearchLag = bubbleLag
	return srv, intercom.New(cfg)
}

// In a synctest bubble: every injected 429 pauses the whole client until
// the window's reset, which passes on the bubble's clock.
func TestIntercomFaultInjectionEndsEveryContact(t *testing.T) {
	mix := faultMix{limited: 0.10, serverError: 0.05, garbage: 0.01, timeout: 0.01}
	for seed := range int64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			intercomUnderFaults(t, seed, mix, 300)
		})
	}
}

// intercomUnderFaults syncs contacts (a tenth already in the CRM) into the
// Intercom fake serving mix, in a synctest bubble, to the end: every
// contact final, no phone held twice.
func intercomUnderFaults(t *testing.T, seed int64, mix faultMix, contacts int) {
	srv, client := bubbleIntercom(t, seed, mix.timeout)
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		seedContacts(t, db, 0, contacts, func(national, name string) {
			srv.Seed(intercomtest.Contact{Role: "lead", Name: name, Phone: national})
		})
		srv.SetFaults(mix.intercom())
		syncUnderFaults(t, &Engine{Store: db, CRM: client}, db)
		var phones []string
		for _, r := range srv.Records() {
			phones = append(phones, r.Phone)
		}
		assertNoDuplicatePhones(t, phones)
	})
}
