package sync

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/store"
	"coexsync/sync/normalize"
)

// testLag is the search lag of the fakes in tests: long enough to matter,
// short enough for the suite.
const testLag = 40 * time.Millisecond

// fastHubSpot starts a HubSpot fake with HubSpot's call counts over
// windows a hundred times shorter, and a client tuned to match.
func fastHubSpot(tb testing.TB, seed int64) (*hubspottest.Server, *hubspot.Client) {
	tb.Helper()
	srv := hubspottest.New(hubspottest.Options{
		Token: "test-token", Window: 100 * time.Millisecond, SearchWindow: 10 * time.Millisecond,
		SearchLag: testLag, Seed: seed,
	})
	tb.Cleanup(srv.Close)
	return srv, hubspotClient(srv.URL, 0, 100*time.Millisecond, 10*time.Millisecond)
}

// hubspotClient is a client of the fake at url allowing max calls (0:
// HubSpot's count) per general window and HubSpot's searches per search
// window.
func hubspotClient(url string, max int, general, search time.Duration) *hubspot.Client {
	return hubspot.New(hubspotConfig(url, max, general, search, &http.Client{Timeout: clientTimeout}))
}

// clientTimeout bounds one request of the tests' CRM clients.
const clientTimeout = 500 * time.Millisecond

func hubspotConfig(url string, max int, general, search time.Duration, hc *http.Client) hubspot.Config {
	return hubspot.Config{
		BaseURL: url, Token: "test-token", HTTP: hc,
		Retry:      crm.RetryPolicy{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		GeneralMax: max, GeneralInterval: general, SearchInterval: search, SearchLag: testLag,
	}
}

// bubbleHubSpot is fastHubSpot for a test in a synctest bubble, served in
// memory, with timeouts of the requests hanging until the client gives up
// (see bubbleHTTP). Call it outside the bubble (the fake's listener must
// not join it) and seed the fake inside, where its clock is the bubble's.
func bubbleHubSpot(tb testing.TB, seed int64, timeouts float64) (*hubspottest.Server, *hubspot.Client) {
	tb.Helper()
	srv := hubspottest.New(hubspottest.Options{
		Token: "test-token", Window: 100 * time.Millisecond, SearchWindow: 10 * time.Millisecond,
		SearchLag: bubbleLag, Seed: seed,
	})
	tb.Cleanup(srv.Close)
	cfg := hubspotConfig(srv.URL, 0, 100*time.Millisecond, 10*time.Millisecond, bubbleHTTP(srv, clientTimeout, timeouts, seed))
	cfg.SearchLag = bubbleLag
	return srv, hubspot.New(cfg)
}

// bubbleLag is the fakes' search lag in a bubble, where waiting costs no
// time: ten rate windows, so a create in doubt searched before the lag
// has passed is missed, sent again and caught as a duplicate.
const bubbleLag = time.Second

// faultMix is a fault profile as fractions of all requests. In a bubble
// the transport hangs the timeouts, and the fake draws the other faults
// from the requests it sees.
type faultMix struct{ limited, serverError, garbage, timeout float64 }

// fake is the rate the fake must draw for a fraction r of all requests.
func (m faultMix) fake(r float64) float64 { return r / (1 - m.timeout) }

func (m faultMix) hubspot() hubspottest.Faults {
	return hubspottest.Faults{Rate429: m.fake(m.limited), Rate5xx: m.fake(m.serverError), RateGarbage: m.fake(m.garbage)}
}

func (m faultMix) intercom() intercomtest.Faults {
	return intercomtest.Faults{RateLimited: m.fake(m.limited), ServerError: m.fake(m.serverError), Garbage: m.fake(m.garbage)}
}

// assertNoDuplicateRecords fails when two CRM records hold one number.
func assertNoDuplicateRecords(t *testing.T, records []hubspottest.Contact) {
	t.Helper()
	phones := make([]string, len(records))
	for i, r := range records {
		phones[i] = r.Properties[hubspot.PropPhone]
	}
	assertNoDuplicatePhones(t, phones)
}

// assertNoDuplicatePhones fails when two of the CRM's records (one phone
// each) hold the same number.
func assertNoDuplicatePhones(t *testing.T, phones []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range phones {
		n := normalize.Number(p, "US")
		if !n.Valid {
			continue
		}
		if seen[n.E164] {
			t.Errorf("%s is held by two records", n.E164)
		}
		seen[n.E164] = true
	}
}

// assertAllFinal fails when a stored contact lacks a created, skipped or
// failed outcome in runID.
func assertAllFinal(t *testing.T, db *store.DB, runID int64) {
	t.Helper()
	cs, err := db.Contacts(context.Background(), testNumber)
	if err != nil {
		t.Fatal(err)
	}
	outs := outcomesByRaw(t, db, runID)
	missing := 0
	for _, c := range cs {
		raw := c.Phone
		if raw == "" {
			raw = c.Key
		}
		if o, ok := outs[raw]; !ok || o.Status == store.OutcomePending {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d contacts have no final outcome", missing, len(cs))
	}
}

// realisticContacts stores contacts from..to-1, seeds a tenth of them into
// the HubSpot fake under other formatting, and adds bad and duplicate
// numbers.
func realisticContacts(tb testing.TB, db *store.DB, srv *hubspottest.Server, from, to int) {
	tb.Helper()
	seedContacts(tb, db, from, to, func(national, name string) {
		srv.Seed(hubspottest.SeedContact{FirstName: name, Phone: national})
	})
}

// seedContacts stores contacts from..to-1 and hands a tenth of them to
// seed, as a CRM may hold them: national format, some without a name.
func seedContacts(tb testing.TB, db *store.DB, from, to int, seed func(national, name string)) {
	tb.Helper()
	var specs []contactSpec
	for i := from; i < to; i++ {
		phone := fmt.Sprintf("1415%07d", 3000000+i*13)
		switch {
		case i%50 == 7:
			phone = fmt.Sprintf("9%d", i) // too short
		case i%50 == 8:
			phone = fmt.Sprintf("52155%08d", i) // the same person as the next one
		case i%50 == 9:
			phone = fmt.Sprintf("5255%08d", i-1)
		case i%10 == 3:
			name := ""
			if i%20 == 3 {
				name = "Known"
			}
			seed(fmt.Sprintf("(%s) %s-%s", phone[1:4], phone[4:7], phone[7:]), name)
		}
		specs = append(specs, contactSpec{phone, fmt.Sprintf("Person %d", i)})
	}
	saveContacts(tb, db, specs)
}

// The fault tests run in synctest bubbles: every wait of theirs (429
// pauses, backoffs, client timeouts, the search lag before a create in
// doubt is judged) passes on the bubble's clock, and the seeds run side
// by side.
func TestFaultInjectionEndsEveryContact(t *testing.T) {
	for seed := range int64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			faultRun(t, seed)
		})
	}
}

// faultRun syncs 600 contacts while the fake answers 10 % 429, 5 % 5xx,
// 1 % garbage and 1 % timeouts.
func faultRun(t *testing.T, seed int64) {
	hubspotUnderFaults(t, seed, faultMix{limited: 0.10, serverError: 0.05, garbage: 0.01, timeout: 0.01}, 600)
}

// hubspotUnderFaults syncs that many realistic contacts into the HubSpot
// fake answering with mix (as intercomUnderFaults does for Intercom): every
// contact ends final and no number is held twice.
func hubspotUnderFaults(t *testing.T, seed int64, mix faultMix, contacts int) {
	srv, client := bubbleHubSpot(t, seed, mix.timeout)
	synctest.Test(t, func(t *testing.T) {
		db := openStore(t)
		realisticContacts(t, db, srv, 0, contacts)
		srv.SetFaults(mix.hubspot())
		syncUnderFaults(t, &Engine{Store: db, CRM: client}, db)
		assertNoDuplicateRecords(t, srv.Records())
		t.Logf("calls %v", srv.Calls())
	})
}

// syncUnderFaults plans (retrying a plan the faults broke) and runs a sync
// to its end, resuming while creates stay unconfirmed, and checks that
// every contact got a final outcome.
func syncUnderFaults(t *testing.T, e *Engine, db *store.DB) {
	t.Helper()
	var p *Plan
	var err error
	for range 5 {
		if p, err = e.Plan(context.Background(), testNumber, "US"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := runToEnd(t, e, p, RunOptions{Mode: store.ModeLive})
	for sum.Status == store.RunInterrupted {
		job, err := e.Resume(context.Background(), sum.RunID, "US")
		if err != nil {
			t.Fatal(err)
		}
		sum, _ = drain(t, job)
	}
	if sum.Status != store.RunFinished || sum.Created+sum.Skipped+sum.Failed != len(p.Rows) {
		t.Errorf("summary %+v", sum)
	}
	assertAllFinal(t, db, sum.RunID)
	t.Logf("created %d skipped %d failed %d", sum.Created, sum.Skipped, sum.Failed)
}

// The heavy fault profile of the duplicate-safety issue, on both CRMs:
// 30 % 429, 10 % 5xx, 5 % garbage and 5 % timeouts. Every contact must end
// final, no number is held twice, and the run must end.
func TestHeavyFaultsEndEveryContactOnBothCRMs(t *testing.T) {
	mix := faultMix{limited: 0.30, serverError: 0.10, garbage: 0.05, timeout: 0.05}
	t.Run("hubspot", func(t *testing.T) {
		t.Parallel()
		hubspotUnderFaults(t, 11, mix, 200)
	})
	t.Run("intercom", func(t *testing.T) {
		t.Parallel()
		intercomUnderFaults(t, 11, mix, 200)
	})
}
