package sync

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// The matching-at-scale benchmarks run the real HubSpot client against
// the fake with HubSpot's call budgets (100 general calls and 4 searches
// per window) over shrunk windows: indexWindow, a hundred times shorter
// than HubSpot's 10 s and 1 s, for everything but the build, whose
// target is measured at buildWindow too (see BenchmarkIndexBuild100k).
const (
	indexWindow = 100 * time.Millisecond
	buildWindow = time.Second
)

// indexHubSpot starts a fake with a general window of window (searches:
// a tenth of it) and a client paced to it; throttled counts the 429s the
// fake's limits gave.
func indexHubSpot(tb testing.TB, window time.Duration) (srv *hubspottest.Server, client *hubspot.Client, throttled func() int) {
	tb.Helper()
	srv = hubspottest.New(hubspottest.Options{Token: "bench-token", Window: window, SearchWindow: window / 10})
	tb.Cleanup(srv.Close)
	client = hubspot.New(hubspot.Config{
		BaseURL: srv.URL, Token: "bench-token", HTTP: &http.Client{Timeout: 10 * time.Second},
		GeneralInterval: window, SearchInterval: window / 10,
	})
	return srv, client, srv.Throttled
}

// crmFormat is one way the CRM's records hold numbers: the record as
// seeded for number n, and the WhatsApp contact's digits for the same
// person.
type crmFormat struct {
	record func(n int) hubspottest.Record
	wa     func(n int) string
}

var crmFormats = []crmFormat{
	{func(n int) hubspottest.Record { // national, read in the account's region
		s := fmt.Sprintf("%07d", 2000000+n)
		return hubspottest.Record{FirstName: "Ana", Phone: "(415) " + s[:3] + "-" + s[3:]}
	}, func(n int) string { return fmt.Sprintf("1415%07d", 2000000+n) }},
	{func(n int) hubspottest.Record { // bare digits in mobilephone, with a country
		return hubspottest.Record{LastName: "Souza", Mobile: fmt.Sprintf("55119%08d", 60000000+n), Country: "Brazil"}
	}, func(n int) string { return fmt.Sprintf("55119%08d", 60000000+n) }},
	{func(n int) hubspottest.Record { // international, spaced
		return hubspottest.Record{FirstName: "Sam", LastName: "Jones", Phone: fmt.Sprintf("+44 79%08d", 10000000+n)}
	}, func(n int) string { return fmt.Sprintf("4479%08d", 10000000+n) }},
	{func(n int) hubspottest.Record { // national with a trunk prefix, with a country
		return hubspottest.Record{FirstName: "Jonas", Phone: fmt.Sprintf("0151 %08d", 20000000+n), Country: "Germany"}
	}, func(n int) string { return fmt.Sprintf("49151%08d", 20000000+n) }},
}

// crmRecords are n records in the formats above, record i holding number
// i/4 of format i%4 (and every fifth a WhatsApp value no contact has),
// last modified at modified.
func crmRecords(n int, modified time.Time) []hubspottest.Record {
	recs := make([]hubspottest.Record, n)
	for i := range recs {
		recs[i] = crmFormats[i%len(crmFormats)].record(i / len(crmFormats))
		if i%5 == 0 {
			recs[i].WhatsApp = fmt.Sprintf("+1 628 %07d", 2000000+i)
		}
		recs[i].Modified = modified
	}
	return recs
}

// indexContacts are n contacts, 30 % of them held by one of the first
// records records (spread over them), the rest by none; it returns them
// and how many are held. n/4 must stay under records/4 for the held
// numbers to be distinct.
func indexContacts(n, records int) ([]contactSpec, int) {
	specs := make([]contactSpec, n)
	held := 0
	perFormat := records / len(crmFormats)
	for i := range specs {
		f := crmFormats[i%len(crmFormats)]
		num := 2*records + i // in no record
		if i%10 < 3 {
			num = (i / len(crmFormats) * 7919) % perFormat
			held++
		}
		specs[i] = contactSpec{f.wa(num), fmt.Sprintf("Contact %d", i)}
	}
	return specs, held
}

// callsSince is the fake's calls per endpoint since before.
func callsSince(srv *hubspottest.Server, before map[string]int) map[string]int {
	out := srv.Calls()
	for k, n := range before {
		out[k] -= n
	}
	return out
}

// BenchmarkIndexBuild100k lists 100k records into a fresh local index
// through the engine's RefreshIndex, and reports wall time against the
// floor the general budget sets for the list calls made (1,000 pages of
// 100 at 100 calls per window: 9 windows), with 1 s windows: a tenth of
// HubSpot's, leaving each page 10 ms of the real 100 ms.
func BenchmarkIndexBuild100k(b *testing.B) {
	benchIndexBuild(b, buildWindow, engineBuild)
}

// BenchmarkIndexBuild100kShortWindow is the same build with 100 ms
// windows: a page may take 1 ms, so it measures how fast the build
// processes pages rather than its pacing.
func BenchmarkIndexBuild100kShortWindow(b *testing.B) {
	benchIndexBuild(b, indexWindow, engineBuild)
}

func engineBuild(ctx context.Context, e *Engine) error {
	_, err := e.RefreshIndex(ctx, "US", true)
	return err
}

func benchIndexBuild(b *testing.B, window time.Duration, build func(context.Context, *Engine) error) {
	const records = 100_000
	srv, client, throttled := indexHubSpot(b, window)
	srv.SeedRecords(crmRecords(records, time.Now().Add(-time.Hour))...)
	ctx := context.Background()
	var wall time.Duration
	lists := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		db := openStore(b)
		e := &Engine{Store: db, CRM: client, CRMRegion: "US"}
		before := srv.Calls()
		time.Sleep(window) // the previous build's calls leave the window
		b.StartTimer()
		start := time.Now()
		if err := build(ctx, e); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		b.StopTimer()
		lists += callsSince(srv, before)[hubspottest.EndpointList]
		if st, err := db.IndexState(ctx, client.Target()); err != nil || !st.Complete || st.RecordCount != records {
			b.Fatalf("index %+v, %v", st, err)
		}
		b.StartTimer()
	}
	pages := lists / b.N
	floor := crmtest.LimitFloor(pages, hubspot.GeneralPer10s, window)
	perBuild := wall / time.Duration(b.N)
	b.ReportMetric(perBuild.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(perBuild.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(perBuild.Seconds()*1000/float64(pages), "ms/page")
	b.ReportMetric(float64(pages), "list-calls")
	b.ReportMetric(float64(throttled()), "429s")
}

// BenchmarkIndexRefresh1k refreshes a built index of 20k records after
// 1,000 of them changed their phone (spread over the account), and
// reports the calls and the wall time against the search budget's floor.
func BenchmarkIndexRefresh1k(b *testing.B) {
	const records, changed = 20_000, 1000
	srv, client, throttled := indexHubSpot(b, indexWindow)
	past := time.Now().Add(-time.Hour)
	ids := srv.SeedRecords(crmRecords(records, past)...)
	db := openStore(b)
	e := &Engine{Store: db, CRM: client, CRMRegion: "US"}
	ctx := context.Background()
	if _, err := e.RefreshIndex(ctx, "US", false); err != nil {
		b.Fatal(err)
	}
	var wall time.Duration
	var calls map[string]int
	var prev []string
	b.ResetTimer()
	for it := range b.N {
		b.StopTimer()
		// The last iteration's changes move behind the watermark, so
		// each refresh reads exactly this iteration's.
		for _, id := range prev {
			srv.Modify(id, nil, past)
		}
		prev = prev[:0]
		now := time.Now()
		for k := range changed {
			id := ids[(k*records/changed+it)%records]
			srv.Modify(id, map[string]string{hubspot.PropPhone: fmt.Sprintf("+1 628 %07d", 5000000+it*changed+k)}, now.Add(time.Duration(k)*time.Millisecond))
			prev = append(prev, id)
		}
		before := srv.Calls()
		time.Sleep(indexWindow)
		b.StartTimer()
		start := time.Now()
		if _, err := e.RefreshIndex(ctx, "US", false); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		b.StopTimer()
		calls = callsSince(srv, before)
		last := fmt.Sprintf("+1628%07d", 5000000+it*changed+changed-1)
		if found, err := db.LookupIndex(ctx, client.Target(), []string{last}); err != nil || len(found[last]) != 1 {
			b.Fatalf("the last changed number %s is not in the index: %v %v", last, found, err)
		}
		b.StartTimer()
	}
	searches := calls[hubspottest.EndpointSearch]
	general := calls[hubspottest.EndpointList] + calls[hubspottest.EndpointRead]
	floor := max(crmtest.LimitFloor(searches, hubspot.SearchPerSecond, indexWindow/10),
		crmtest.LimitFloor(general, hubspot.GeneralPer10s, indexWindow))
	perRefresh := wall / time.Duration(b.N)
	b.ReportMetric(perRefresh.Seconds()*1000, "wall-ms")
	b.ReportMetric(floor.Seconds()*1000, "floor-ms")
	b.ReportMetric(float64(searches), "search-calls")
	b.ReportMetric(float64(general), "general-calls")
	b.ReportMetric(float64(throttled()), "429s")
}

// BenchmarkPlan10kWarmIndex plans 10k contacts (30 % in the CRM) against
// a built index of 20k records and reports the CRM calls per plan by
// endpoint: the refresh's one changed-records search, the batch reads
// confirming matched records, and no phone search or listing.
func BenchmarkPlan10kWarmIndex(b *testing.B) {
	const records, contacts = 20_000, 10_000
	srv, client, throttled := indexHubSpot(b, indexWindow)
	srv.SeedRecords(crmRecords(records, time.Now().Add(-time.Hour))...)
	db := openStore(b)
	specs, held := indexContacts(contacts, records)
	saveContacts(b, db, specs)
	e := &Engine{Store: db, CRM: client, CRMRegion: "US"}
	ctx := context.Background()
	if _, err := e.RefreshIndex(ctx, "US", false); err != nil {
		b.Fatal(err)
	}
	time.Sleep(indexWindow)
	before := srv.Calls()
	var p *Plan
	b.ResetTimer()
	for b.Loop() {
		var err error
		if p, err = e.Plan(ctx, testNumber, "US"); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if p.Lookup != LookupIndex || p.Counts[StatusExists] != held {
		b.Fatalf("lookup %q, %d exist; want index, %d", p.Lookup, p.Counts[StatusExists], held)
	}
	calls := callsSince(srv, before)
	n := float64(b.N)
	b.ReportMetric(float64(calls[hubspottest.EndpointSearch])/n, "searches/op")
	b.ReportMetric(float64(calls[hubspottest.EndpointRead])/n, "reads/op")
	b.ReportMetric(float64(calls[hubspottest.EndpointList])/n, "lists/op")
	b.ReportMetric(float64(throttled()), "429s")
}

// A plan with a warm index asks the CRM for changed records (one search)
// and reads the matched records by id to confirm them: it never searches
// by phone, whatever the number of contacts.
func TestPlanWithWarmIndexSearchesOnlyForChanges(t *testing.T) {
	t.Parallel()
	const records, contacts = 400, 300
	srv, client := fastHubSpot(t, 1)
	ids := srv.SeedRecords(crmRecords(records, time.Now().Add(-time.Hour))...)
	db := openStore(t)
	specs, held := indexContacts(contacts, records)
	saveContacts(t, db, specs)
	e := &Engine{Store: db, CRM: client, CRMRegion: "US"}
	ctx := context.Background()
	if _, err := e.RefreshIndex(ctx, "US", false); err != nil {
		t.Fatal(err)
	}
	srv.Modify(ids[0], map[string]string{hubspot.PropFirstName: "Renamed"}, time.Time{})
	before := srv.Calls()
	p, err := e.Plan(ctx, testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	if p.Lookup != LookupIndex || p.Counts[StatusExists] != held {
		t.Fatalf("lookup %q, %d exist; want index, %d", p.Lookup, p.Counts[StatusExists], held)
	}
	calls := callsSince(srv, before)
	reads := (held + hubspot.MaxBatchInputs - 1) / hubspot.MaxBatchInputs
	want := map[string]int{hubspottest.EndpointSearch: 1, hubspottest.EndpointRead: reads}
	for k, n := range calls {
		if n != want[k] {
			t.Errorf("%d %s calls during the plan, want %d (all: %v)", n, k, want[k], calls)
		}
	}
}
