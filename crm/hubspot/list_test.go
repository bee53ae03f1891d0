package hubspot_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// listAll pages through ListPage (or ListArchivedPage) and returns every
// record and the number of pages.
func listAll(t *testing.T, page func(cursor string) (crm.Page, error)) ([]crm.IndexedRecord, int) {
	t.Helper()
	var all []crm.IndexedRecord
	cursor, pages := "", 0
	for {
		p, err := page(cursor)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		all = append(all, p.Records...)
		if p.Next == "" {
			return all, pages
		}
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		cursor = p.Next
	}
}

func ids(recs []crm.IndexedRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func phoneOf(r crm.IndexedRecord, prop string) (crm.PhoneValue, bool) {
	for _, p := range r.Phones {
		if p.Property == prop {
			return p, true
		}
	}
	return crm.PhoneValue{}, false
}

func TestListPageEveryRecordOverPages(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, hubspottest.Options{NoAccountRegion: true})
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	const n = 2*hubspot.MaxListLimit + 37
	recs := make([]hubspottest.Record, n)
	for i := range recs {
		recs[i] = hubspottest.Record{Phone: fmt.Sprintf("+1 415 555 %04d", i), Modified: base.Add(time.Duration(i) * time.Second)}
	}
	recs[5] = hubspottest.Record{
		FirstName: "Ana", LastName: "Lima", Country: "Spain",
		Phone: "612 34 56 78", Mobile: "+34 699 11 12 22", WhatsApp: "34612345678",
		Modified: base.Add(90 * time.Minute),
	}
	want := srv.SeedRecords(recs...)

	got, pages := listAll(t, func(cur string) (crm.Page, error) { return c.ListPage(ctxT(t), cur) })
	if pages != 3 || srv.Calls()[hubspottest.EndpointList] != 3 {
		t.Errorf("%d pages, %d list calls; want 3 of each", pages, srv.Calls()[hubspottest.EndpointList])
	}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("listed %d ids, want the %d seeded in id order", len(got), len(want))
	}
	ana := got[5]
	if ana.FirstName != "Ana" || ana.LastName != "Lima" || ana.Name != "Ana Lima" || ana.Country != "Spain" || ana.Archived {
		t.Errorf("record fields = %+v", ana)
	}
	if !ana.UpdatedAt.Equal(base.Add(90 * time.Minute)) {
		t.Errorf("UpdatedAt = %v, want the seeded modification time", ana.UpdatedAt)
	}
	wantPhones := []crm.PhoneValue{
		{Property: "phone", Raw: "612 34 56 78", Calculated: "+34612345678"},
		{Property: "mobilephone", Raw: "+34 699 11 12 22", Calculated: "+34699111222"},
		{Property: "hs_whatsapp_phone_number", Raw: "34612345678", WhatsApp: true},
	}
	if !slices.Equal(ana.Phones, wantPhones) {
		t.Errorf("phones = %+v\nwant %+v", ana.Phones, wantPhones)
	}
	if p, _ := phoneOf(got[0], "phone"); p.Raw != "+1 415 555 0000" || p.Calculated != "+14155550000" || len(got[0].Phones) != 1 {
		t.Errorf("first record phones = %+v", got[0].Phones)
	}
	if got[0].HasName() {
		t.Errorf("a record without names reports one: %+v", got[0])
	}
}

func TestListArchivedExcludedAndListedApart(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	all := srv.SeedRecords(
		hubspottest.Record{Phone: "+14155550001"},
		hubspottest.Record{Phone: "+14155550002", Archived: true},
		hubspottest.Record{Phone: "+14155550003"},
		hubspottest.Record{Phone: "+14155550004"},
	)
	srv.Archive(all[3])

	active, _ := listAll(t, func(cur string) (crm.Page, error) { return c.ListPage(ctxT(t), cur) })
	if got := ids(active); !slices.Equal(got, []string{all[0], all[2]}) {
		t.Errorf("active listing = %v, want %v", got, []string{all[0], all[2]})
	}
	archived, _ := listAll(t, func(cur string) (crm.Page, error) { return c.ListArchivedPage(ctxT(t), cur) })
	if got := ids(archived); !slices.Equal(got, []string{all[1], all[3]}) {
		t.Errorf("archived listing = %v, want %v", got, []string{all[1], all[3]})
	}
	for _, r := range archived {
		if !r.Archived {
			t.Errorf("record %s listed as archived without Archived set", r.ID)
		}
	}
	n, err := c.Count(ctxT(t))
	if err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want the 2 active records", n, err)
	}
	if calls := srv.Calls()[hubspottest.EndpointSearch]; calls != 1 {
		t.Errorf("Count made %d searches, want 1", calls)
	}
}

// TestChangedPageSinceWatermark pages through the changes since a
// watermark: only records modified at or after it, oldest first, across
// pages whose boundary falls inside a run of records modified in the same
// millisecond, and without losing a record when one already seen is
// modified again mid-refresh (an offset would then skip an unseen one).
func TestChangedPageSinceWatermark(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, hubspottest.Options{})
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var recs []hubspottest.Record
	for i := range 50 { // before the watermark
		recs = append(recs, hubspottest.Record{Phone: "+14155550100", Modified: since.Add(-time.Duration(i+1) * time.Minute)})
	}
	for i := range 120 { // after it, spread out
		recs = append(recs, hubspottest.Record{Phone: "+14155550200", Modified: since.Add(time.Duration(120-i) * time.Second)})
	}
	for range 150 { // one import: the same millisecond, across a page boundary
		recs = append(recs, hubspottest.Record{Phone: "+14155550300", Modified: since.Add(60*time.Second + 7*time.Millisecond)})
	}
	recs = append(recs, hubspottest.Record{Phone: "+14155550400", Modified: since}) // exactly at it
	seeded := srv.SeedRecords(recs...)
	want := map[string]bool{}
	for i, id := range seeded {
		if !recs[i].Modified.Before(since) {
			want[id] = true
		}
	}

	seen := map[string]int{}
	var order []time.Time
	cursor, pages := "", 0
	for {
		arg := since
		if cursor != "" {
			arg = since.Add(-time.Hour) // the cursor carries the watermark on
		}
		p, err := c.ChangedPage(ctxT(t), arg, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if pages == 0 && p.Total != len(want) {
			t.Errorf("Total = %d, want %d", p.Total, len(want))
		}
		pages++
		for _, r := range p.Records {
			seen[r.ID]++
			order = append(order, r.UpdatedAt)
			if r.UpdatedAt.Before(since) {
				t.Errorf("record %s modified %v, before the watermark", r.ID, r.UpdatedAt)
			}
		}
		if pages == 1 {
			// Modify a record already returned: it moves to the end.
			srv.Modify(p.Records[0].ID, map[string]string{"firstname": "Edited"}, since.Add(time.Hour))
		}
		if p.Next == "" {
			break
		}
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		cursor = p.Next
	}
	for id := range want {
		if seen[id] == 0 {
			t.Errorf("record %s changed after the watermark but was not returned", id)
		}
	}
	for id, n := range seen {
		if !want[id] {
			t.Errorf("record %s was returned but changed before the watermark", id)
		}
		if n > 2 {
			t.Errorf("record %s returned %d times", id, n)
		}
	}
	// Ascending, apart from the record modified again mid-refresh, which
	// comes back at the end with its new time.
	if !slices.IsSortedFunc(order, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Errorf("changes not oldest first")
	}
}

func TestReadByIDsDeletedAndArchived(t *testing.T) {
	for _, mode := range []struct {
		name string
		m    hubspottest.ReadMissing
	}{{"missing as 207 errors", hubspottest.ReadMissingErrors}, {"missing left out", hubspottest.ReadMissingAbsent}} {
		t.Run(mode.name, func(t *testing.T) {
			srv, c := setup(t, hubspottest.Options{})
			srv.SetReadMissing(mode.m)
			seeded := srv.SeedRecords(
				hubspottest.Record{FirstName: "Live", Phone: "+14155550001"},
				hubspottest.Record{FirstName: "Gone", Phone: "+14155550002"},
				hubspottest.Record{FirstName: "Old", Phone: "+14155550003", Country: "United States"},
			)
			live, deleted, archived := seeded[0], seeded[1], seeded[2]
			srv.Purge(deleted)
			srv.Archive(archived)

			got, err := c.ReadByIDs(ctxT(t), []string{archived, deleted, live, "99999999", live})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), []string{archived, live}) {
				t.Fatalf("read %v, want the archived and the live record in input order", ids(got))
			}
			if !got[0].Archived || got[0].FirstName != "Old" || got[0].Country != "United States" {
				t.Errorf("archived record = %+v", got[0])
			}
			if got[1].Archived || got[1].FirstName != "Live" {
				t.Errorf("live record = %+v", got[1])
			}
			if p, _ := phoneOf(got[1], "phone"); p.Calculated != "+14155550001" {
				t.Errorf("live record phones = %+v", got[1].Phones)
			}
			if calls := srv.Calls()[hubspottest.EndpointRead]; calls != 2 {
				t.Errorf("%d batch reads, want 2 (active, then archived for the rest)", calls)
			}
		})
	}
}

func TestReadByIDsBatchesOf100(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, hubspottest.Options{})
	recs := make([]hubspottest.Record, 150)
	for i := range recs {
		recs[i] = hubspottest.Record{Phone: fmt.Sprintf("+1415555%04d", i)}
	}
	seeded := srv.SeedRecords(recs...)
	got, err := c.ReadByIDs(ctxT(t), seeded)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), seeded) {
		t.Errorf("read %d records, want all %d in order", len(got), len(seeded))
	}
	if calls := srv.Calls()[hubspottest.EndpointRead]; calls != 2 {
		t.Errorf("%d batch reads for 150 ids, want 2", calls)
	}
	if got, err := c.ReadByIDs(ctxT(t), nil); err != nil || len(got) != 0 || srv.Calls()[hubspottest.EndpointRead] != 2 {
		t.Errorf("no ids: %v %v, and must make no call", got, err)
	}
}

// inMemory serves a client's requests straight from the fake's handler,
// so that a synctest bubble's clock paces both sides.
type inMemory struct{ h http.Handler }

func (m inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil { // a server request always has one
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// TestListPacedByGeneralBudget lists while creates run alongside, under a
// general budget of 5 per 10 s: both count in it, so the fake must see no
// more than 5 of them in any 10 s and never throttle.
func TestListPacedByGeneralBudget(t *testing.T) {
	t.Parallel()
	const budget, window = 5, 10 * time.Second
	srv := hubspottest.New(hubspottest.Options{Token: testToken, GeneralPer10s: budget, Window: window,
		OnThrottle: func(p string) { t.Errorf("the fake answered 429 (%s)", p) }})
	t.Cleanup(srv.Close)
	recs := make([]hubspottest.Record, 12*hubspot.MaxListLimit)
	for i := range recs {
		recs[i] = hubspottest.Record{Phone: fmt.Sprintf("+1415556%04d", i)}
	}
	srv.SeedRecords(recs...)

	listPages := 0
	synctest.Test(t, func(t *testing.T) {
		c := hubspot.New(hubspot.Config{BaseURL: "http://fake.invalid", Token: testToken, Retry: fastRetry,
			HTTP: &http.Client{Transport: inMemory{srv}}, GeneralMax: budget, GeneralInterval: window})
		var wg sync.WaitGroup
		wg.Go(func() {
			// Records created meanwhile may join the end of the listing.
			var got []crm.IndexedRecord
			got, listPages = listAll(t, func(cur string) (crm.Page, error) { return c.ListPage(t.Context(), cur) })
			if len(got) < len(recs) || len(got) > len(recs)+8 {
				t.Errorf("listed %d records, want the %d seeded and at most the 8 created", len(got), len(recs))
			}
		})
		wg.Go(func() {
			for i := range 8 {
				res, err := c.Create(t.Context(), []crm.NewContact{{Ref: "r", Phone: fmt.Sprintf("+1415557%04d", i)}})
				if err != nil || res[0].Err != nil {
					t.Errorf("create: %v %+v", err, res)
				}
			}
		})
		wg.Wait()
	})

	arrivals := srv.Arrivals(hubspottest.EndpointList, hubspottest.EndpointCreate)
	if len(arrivals) != listPages+8 || listPages < 12 {
		t.Fatalf("the fake saw %d requests for %d pages and 8 creates", len(arrivals), listPages)
	}
	for i, a := range arrivals {
		in := 0
		for _, b := range arrivals[i:] {
			if b.Sub(a) < window {
				in++
			}
		}
		if in > budget {
			t.Errorf("%d requests within %v from %v, budget %d", in, window, a, budget)
		}
	}
	// 20 calls or more at 5 per window need 3 windows after the first.
	if span := arrivals[len(arrivals)-1].Sub(arrivals[0]); span < 3*window {
		t.Errorf("%d calls spread over %v: the listing was not paced", len(arrivals), span)
	}
	if srv.Throttled() != 0 {
		t.Errorf("%d 429s", srv.Throttled())
	}
}
