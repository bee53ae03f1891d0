package hubspot_test

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

func TestFindByPhonesMessyFormats(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	ids := srv.Seed(
		hubspottest.SeedContact{FirstName: "Ana", LastName: "Lima", Phone: "(415) 555-2671"}, // US free text
		hubspottest.SeedContact{Phone: "+44 20 7946 0958"},                                   // no name
		hubspottest.SeedContact{FirstName: "Bo", Phone: "14155552671"},                       // same number, digits only
		hubspottest.SeedContact{LastName: "Mx", Mobile: "+525512345678"},                     // mobile stored as E.164
		hubspottest.SeedContact{FirstName: "Wa", WhatsApp: "5511987654321"},                  // whatsapp property, digits
		hubspottest.SeedContact{FirstName: "Other", Phone: "+1 212 555 0100"},                // not asked for
	)
	recs, err := c.FindByPhones(ctxT(t), []string{"+14155552671", "+442079460958", "+525512345678", "+5511987654321"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]crm.Record{}
	for _, r := range recs {
		got[r.ID] = r
	}
	for _, want := range []string{ids[0], ids[1], ids[2], ids[3], ids[4]} {
		if _, ok := got[want]; !ok {
			t.Errorf("record %s not found; got %v", want, recs)
		}
	}
	if _, ok := got[ids[5]]; ok {
		t.Errorf("record %s holds another number but was returned", ids[5])
	}
	ana := got[ids[0]]
	if ana.FirstName != "Ana" || ana.LastName != "Lima" || ana.Name != "Ana Lima" || !ana.HasName() {
		t.Errorf("names = %+v", ana)
	}
	if !slices.Contains(ana.Phones, "(415) 555-2671") || !slices.Contains(ana.Phones, "+14155552671") {
		t.Errorf("phones must come back as stored plus calculated E.164: %q", ana.Phones)
	}
	if got[ids[1]].HasName() {
		t.Errorf("record without a name reported one: %+v", got[ids[1]])
	}
	if calls := srv.Calls()[hubspottest.EndpointSearch]; calls != 1 {
		t.Errorf("%d search calls for 4 numbers, want 1", calls)
	}
}

func TestFindByPhonesFullBatchOneRequest(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	var numbers []string
	for i := range hubspot.MaxInValues {
		n := fmt.Sprintf("+1415555%04d", i)
		numbers = append(numbers, n)
		if i%10 == 0 {
			srv.Seed(hubspottest.SeedContact{Phone: fmt.Sprintf("(415) 555-%04d", i)})
		}
	}
	recs, err := c.FindByPhones(ctxT(t), numbers)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 10 {
		t.Errorf("%d records, want 10", len(recs))
	}
	if calls := srv.Calls()[hubspottest.EndpointSearch]; calls != 1 {
		t.Errorf("%d search calls for %d numbers, want 1", calls, hubspot.MaxInValues)
	}
}

func TestFindByPhonesPaging(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, hubspottest.Options{})
	const n = 2*hubspot.MaxSearchLimit + 17
	seeds := make([]hubspottest.SeedContact, n)
	for i := range seeds {
		seeds[i] = hubspottest.SeedContact{Phone: "+5511987654321"} // one number, many records
	}
	srv.Seed(seeds...)
	recs, err := c.FindByPhones(ctxT(t), []string{"+5511987654321"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Errorf("%d records over the pages, want %d", len(recs), n)
	}
	if calls := srv.Calls()[hubspottest.EndpointSearch]; calls != 3 {
		t.Errorf("%d search calls, want 3 pages", calls)
	}
}

// TestFindByPhonesSharedNumberAndLag runs in a synctest bubble: "before
// the lag" must not depend on how fast a loaded machine gets from the
// create to the search.
func TestFindByPhonesSharedNumberAndLag(t *testing.T) {
	srv, c := setupBubble(t, hubspottest.Options{SearchLag: 300 * time.Millisecond})
	synctest.Test(t, func(t *testing.T) {
		srv.Seed(hubspottest.SeedContact{FirstName: "A", Phone: "+34 612 345 678"}, hubspottest.SeedContact{FirstName: "B", Mobile: "612345678"})
		res, err := c.Create(ctxT(t), []crm.NewContact{{Ref: "+34699111222", Phone: "+34699111222", Name: "New One"}})
		if err != nil || res[0].Err != nil {
			t.Fatalf("create: %v %+v", err, res)
		}
		time.Sleep(299 * time.Millisecond) // the lag is not over yet
		recs, err := c.FindByPhones(ctxT(t), []string{"+34612345678", "+34699111222"})
		if err != nil {
			t.Fatal(err)
		}
		// Mobile "612345678" has no country: the account's (US) does not
		// place it, so only the first record is found by the Spanish number.
		if len(recs) != 1 || recs[0].FirstName != "A" {
			t.Errorf("before the lag: %+v; want only the seeded Spanish record", recs)
		}
		time.Sleep(time.Millisecond)
		recs, err = c.FindByPhones(ctxT(t), []string{"+34699111222"})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].ID != res[0].ID {
			t.Errorf("after the lag: %+v; want the created record %s", recs, res[0].ID)
		}
	})
}

func TestFindByPhonesSharedNumberTwoRecords(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	ids := srv.Seed(hubspottest.SeedContact{FirstName: "A", Phone: "+1 415 555 2671"}, hubspottest.SeedContact{FirstName: "B", Mobile: "+14155552671"})
	recs, err := c.FindByPhones(ctxT(t), []string{"+14155552671"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.ID)
	}
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Errorf("ids %v, want both %v", got, ids)
	}
}

func TestFindByPhonesEmpty(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	recs, err := c.FindByPhones(ctxT(t), nil)
	if err != nil || len(recs) != 0 || srv.Calls()[hubspottest.EndpointSearch] != 0 {
		t.Errorf("recs=%v err=%v calls=%v: no numbers needs no call", recs, err, srv.Calls())
	}
}
