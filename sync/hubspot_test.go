package sync

import (
	"context"
	"fmt"
	"net/http"
	"testing"
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
	return hubspot.New(hubspot.Config{
		BaseURL: url, Token: "test-token", HTTP: &http.Client{Timeout: 500 * time.Millisecond},
		Retry:      crm.RetryPolicy{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
		GeneralMax: max, GeneralInterval: general, SearchInterval: search, SearchLag: testLag,
	})
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

func TestFaultInjectionEndsEveryContact(t *testing.T) {
	for seed := range int64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { faultRun(t, seed) })
	}
}

// faultRun syncs 600 contacts while the fake answers 10 % 429, 5 % 5xx,
// 1 % garbage and 1 % timeouts.
func faultRun(t *testing.T, seed int64) {
	srv, client := fastHubSpot(t, seed)
	db := openStore(t)
	realisticContacts(t, db, srv, 0, 600)
	srv.SetFaults(hubspottest.Faults{Rate429: 0.10, Rate5xx: 0.05, RateGarbage: 0.01, RateTimeout: 0.01})
	syncUnderFaults(t, &Engine{Store: db, CRM: client}, db)
	assertNoDuplicateRecords(t, srv.Records())
	t.Logf("calls %v", srv.Calls())
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
	t.Run("hubspot", func(t *testing.T) {
		srv, client := fastHubSpot(t, 11)
		db := openStore(t)
		realisticContacts(t, db, srv, 0, 200)
		srv.SetFaults(hubspottest.Faults{Rate429: 0.30, Rate5xx: 0.10, RateGarbage: 0.05, RateTimeout: 0.05})
		syncUnderFaults(t, &Engine{Store: db, CRM: client}, db)
		assertNoDuplicateRecords(t, srv.Records())
	})
	t.Run("intercom", func(t *testing.T) {
		srv, client := fastIntercom(t, 11)
		db := openStore(t)
		seedContacts(t, db, 0, 200, func(national, name string) {
			srv.Seed(intercomtest.Contact{Role: "lead", Name: name, Phone: national})
		})
		srv.SetFaults(intercomtest.Faults{RateLimited: 0.30, ServerError: 0.10, Garbage: 0.05, Timeout: 0.05})
		syncUnderFaults(t, &Engine{Store: db, CRM: client}, db)
		var phones []string
		for _, r := range srv.Records() {
			phones = append(phones, r.Phone)
		}
		assertNoDuplicatePhones(t, phones)
	})
}
