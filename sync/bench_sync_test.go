package sync

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/store"
)

// budget is one rate limit: calls per window.
type budget struct {
	calls  int
	window time.Duration
}

// floor is the least time n calls take under b: the first window's worth
// go at once, every further window's worth waits a window.
func (b budget) floor(n int) time.Duration { return crmtest.LimitFloor(n, b.calls, b.window) }

// syncContacts is the 10k dataset of the sync benchmarks: one number's
// contacts, a tenth already in the CRM (seed adds them there).
func syncContacts(b *testing.B, n int, seed func(phone string)) *store.DB {
	db := openStore(b)
	specs := make([]contactSpec, n)
	for i := range specs {
		specs[i] = contactSpec{fmt.Sprintf("1415%07d", 4000000+i*7), fmt.Sprintf("Person %d", i)}
		if i%10 == 3 {
			seed(specs[i].phone)
		}
	}
	saveContacts(b, db, specs)
	return db
}

// benchSync plans and runs one sync of db's contacts into client per
// iteration (fresh CRM state is the caller's: later iterations find
// everything already there, so run it with -benchtime 1x) and reports the
// calls per contact and the wall time against two floors: the limits'
// floor for all the calls made ("floor-s", as if plan and run overlapped)
// and the floor of planning first, then running ("seq-floor-s").
func benchSync(b *testing.B, db *store.DB, client crm.Client, calls func() (total, search int), general, search budget) {
	e := &Engine{Store: db, CRM: client}
	ctx := context.Background()
	var sum RunSummary
	var planned, ran time.Duration
	var planCalls, planSearches int
	for b.Loop() {
		start := time.Now()
		p, err := e.Plan(ctx, testNumber, "US")
		if err != nil {
			b.Fatal(err)
		}
		planned += time.Since(start)
		planCalls, planSearches = calls()
		start = time.Now()
		job, err := e.Start(ctx, p, RunOptions{Mode: store.ModeLive})
		if err != nil {
			b.Fatal(err)
		}
		for range job.Events() {
		}
		if sum = job.Wait(); sum.Err != nil || sum.Failed != 0 {
			b.Fatalf("sync: %+v", sum)
		}
		ran += time.Since(start)
	}
	wall := b.Elapsed() / time.Duration(b.N)
	total, searches := calls()
	floor := max(general.floor(total), search.floor(searches))
	// The run starts with the plan's last window of searches still
	// counted in the general budget.
	carried := min(planSearches, search.calls*int(general.window/search.window))
	seqFloor := max(general.floor(planCalls), search.floor(planSearches)) + general.floor(total-planCalls+carried)
	b.ReportMetric(float64(total)/float64(sum.Total)/float64(b.N), "calls/contact")
	b.ReportMetric(float64(sum.Created), "created")
	b.ReportMetric(planned.Seconds()/float64(b.N), "plan-s")
	b.ReportMetric(ran.Seconds()/float64(b.N), "run-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(seqFloor.Seconds(), "seq-floor-s")
	if floor > 0 {
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		b.ReportMetric(wall.Seconds()/seqFloor.Seconds(), "wall/seq-floor")
	}
}

// BenchmarkSync10kHubSpot syncs 10,000 contacts under HubSpot's real
// limits (100 calls per 10 s, 4 searches per second). Takes ~30 s.
func BenchmarkSync10kHubSpot(b *testing.B) {
	srv := hubspottest.New(hubspottest.Options{Token: "bench-token", SearchLag: time.Second})
	defer srv.Close()
	db := syncContacts(b, 10_000, func(phone string) {
		srv.Seed(hubspottest.SeedContact{Phone: fmt.Sprintf("(%s) %s-%s", phone[1:4], phone[4:7], phone[7:])})
	})
	client := hubspot.New(hubspot.Config{BaseURL: srv.URL, Token: "bench-token", SearchLag: time.Second})
	calls := func() (int, int) {
		c := srv.Calls()
		return c[hubspottest.EndpointSearch] + c[hubspottest.EndpointCreate] + c[hubspottest.EndpointUpdate], c[hubspottest.EndpointSearch]
	}
	b.ResetTimer()
	benchSync(b, db, client, calls,
		budget{hubspot.GeneralPer10s, hubspot.GeneralInterval}, budget{hubspot.SearchPerSecond, hubspot.SearchInterval})
	b.ReportMetric(float64(srv.Throttled()), "429s")
}

// BenchmarkSync10kIntercom syncs 10,000 contacts under Intercom's real
// per-app limit (10,000 per minute in 10 s windows). Takes ~60 s.
func BenchmarkSync10kIntercom(b *testing.B) {
	srv := intercomtest.New(intercomtest.Options{Token: "bench-token", PerMinute: intercom.DefaultPerMinute, SearchLag: time.Second})
	defer srv.Close()
	db := syncContacts(b, 10_000, func(phone string) {
		srv.Seed(intercomtest.Contact{Role: "lead", Phone: "+" + phone})
	})
	client := intercom.New(intercom.Config{BaseURL: srv.URL(), Token: "bench-token", SearchLag: time.Second})
	calls := func() (int, int) {
		total := 0
		for _, n := range srv.Calls() {
			total += n
		}
		return total, 0
	}
	w := budget{intercom.WindowBudget(intercom.DefaultPerMinute), intercom.RateWindow}
	b.ResetTimer()
	benchSync(b, db, client, calls, w, w)
}

// Headless sync at scale: the real HubSpot client against the fake with
// HubSpot's call counts over windows half as long as HubSpot's (general
// 5 s, search 500 ms). Shorter windows would measure this machine instead
// of the overlap: the client books each call again when its answer comes,
// so every search holds its slot for its own latency on top of the
// window, and the fake's CPU shares the cores with the sync.
const (
	headlessWindow       = 5 * time.Second
	headlessSearchWindow = headlessWindow / 10
	headlessContacts     = 10_000
)

// BenchmarkHeadlessSync10kHubSpot syncs 10,000 contacts, half of them new
// (a quarter of the rest with an empty name to fill), with search lookups
// and with a built index, both plan-then-run (the console, after its
// preview) and as the headless sync runs them. It reports the wall time
// against the floor the vendor's budgets set for the calls made: searches
// and general calls (lists, reads, writes) have separate budgets, so the
// floor is the larger of the two.
func BenchmarkHeadlessSync10kHubSpot(b *testing.B) {
	for _, lookup := range []Lookup{LookupSearch, LookupIndex} {
		b.Run(string(lookup)+"/plan-then-run", func(b *testing.B) { benchHeadless(b, lookup, planThenRun) })
		b.Run(string(lookup)+"/pipelined", func(b *testing.B) { benchHeadless(b, lookup, pipelined) })
	}
}

// pipelined is the headless sync: it writes while it looks contacts up.
func pipelined(ctx context.Context, e *Engine) (*Job, error) {
	return e.StartSync(ctx, testNumber, "US")
}

// planThenRun is Plan, then Start: what every sync did before headless
// runs overlapped their writes with their lookups.
func planThenRun(ctx context.Context, e *Engine) (*Job, error) {
	p, err := e.Plan(ctx, testNumber, "US")
	if err != nil {
		return nil, err
	}
	return e.Start(ctx, p, RunOptions{Mode: store.ModeLive})
}

func benchHeadless(b *testing.B, lookup Lookup, start func(context.Context, *Engine) (*Job, error)) {
	ctx := context.Background()
	var wall time.Duration
	var calls map[string]int
	var sum RunSummary
	throttled := 0
	for range b.N {
		b.StopTimer()
		srv, client, _ := indexHubSpot(b, headlessWindow)
		var recs []hubspottest.Record
		specs := make([]contactSpec, headlessContacts)
		for i := range specs {
			s := fmt.Sprintf("%07d", 2000000+i*7)
			specs[i] = contactSpec{"1415" + s, fmt.Sprintf("Person %d", i)}
			if i%2 == 1 {
				rec := hubspottest.Record{Phone: "(415) " + s[:3] + "-" + s[3:], Modified: time.Now().Add(-time.Hour)}
				if i%4 != 1 {
					rec.FirstName = "Named"
				}
				recs = append(recs, rec)
			}
		}
		srv.SeedRecords(recs...)
		db := openStore(b)
		saveContacts(b, db, specs)
		e := &Engine{Store: db, CRM: client, CRMRegion: "US", Lookup: lookup}
		if lookup == LookupIndex {
			if _, err := e.RefreshIndex(ctx, "US", false); err != nil {
				b.Fatal(err)
			}
		}
		time.Sleep(headlessWindow) // the set-up's calls leave the window
		before := srv.Calls()
		b.StartTimer()
		began := time.Now()
		job, err := start(ctx, e)
		if err != nil {
			b.Fatal(err)
		}
		for range job.Events() {
		}
		sum = job.Wait()
		wall += time.Since(began)
		b.StopTimer()
		if sum.Status != store.RunFinished || sum.Created != headlessContacts/2 || sum.Failed != 0 {
			b.Fatalf("sync: %+v", sum)
		}
		calls = callsSince(srv, before)
		throttled += srv.Throttled()
		srv.Close()
		b.StartTimer()
	}
	searches := calls[hubspottest.EndpointSearch]
	general := calls[hubspottest.EndpointList] + calls[hubspottest.EndpointRead] +
		calls[hubspottest.EndpointCreate] + calls[hubspottest.EndpointUpdate]
	floor := max(crmtest.LimitFloor(searches, hubspot.SearchPerSecond, headlessSearchWindow),
		crmtest.LimitFloor(general, hubspot.GeneralPer10s, headlessWindow))
	perSync := wall / time.Duration(b.N)
	b.ReportMetric(perSync.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(perSync.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(float64(searches), "searches")
	b.ReportMetric(float64(general), "general-calls")
	b.ReportMetric(float64(throttled)/float64(b.N), "429s")
}
