package intercom_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// BenchmarkLookupAndCreate10k looks up 10,000 numbers, 30 % of which the
// workspace already holds (under assorted spellings), and creates the
// rest, against the fake with Intercom's real private-app limits
// (10,000 calls per minute in 10-second windows). Wall time is dominated
// by the limits; "wall/floor" compares it with the least time those
// limits allow for the calls made. Run with -benchtime=1x (about a minute).
func BenchmarkLookupAndCreate10k(b *testing.B) {
	if testing.Short() {
		b.Skip("runs against real rate limits for about a minute")
	}
	const total, existingEvery = 10000, 10 // numbers i%10 < 3 exist
	for range b.N {
		srv := intercomtest.New(intercomtest.Options{Token: testToken, PerMinute: intercom.DefaultPerMinute})
		numbers := make([]string, total)
		for i := range numbers {
			numbers[i] = fmt.Sprintf("+1415%07d", i)
			if i%existingEvery < 3 {
				spellings := intercom.PhoneSpellings(numbers[i])
				srv.Seed(intercomtest.Contact{Phone: spellings[i%len(spellings)]})
			}
		}
		c := intercom.New(intercom.Config{BaseURL: srv.URL(), Token: testToken})
		start := time.Now()
		created := syncNumbers(b, c, numbers)
		wall := time.Since(start)

		calls := 0
		for _, n := range srv.Calls() {
			calls += n
		}
		budget := intercom.WindowBudget(intercom.DefaultPerMinute)
		floor := crmtest.LimitFloor(calls, budget, intercom.RateWindow)
		if created != total*7/10 || srv.RateLimited() != 0 || len(srv.Records()) != total {
			b.Fatalf("created %d, records %d, 429s %d", created, len(srv.Records()), srv.RateLimited())
		}
		srv.Close()
		b.ReportMetric(float64(calls)/total, "calls/contact")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(wall.Seconds()/max(floor.Seconds(), 1e-9), "wall/floor")
	}
}

// syncNumbers does what the engine does, minus normalizing: look up in
// FindBatch chunks, create what was not found in CreateBatch chunks.
func syncNumbers(b *testing.B, c *intercom.Client, numbers []string) int {
	ctx := context.Background()
	created := 0
	for lo := 0; lo < len(numbers); lo += intercom.FindBatch {
		chunk := numbers[lo:min(lo+intercom.FindBatch, len(numbers))]
		owner := map[string]string{}
		for _, n := range chunk {
			for _, s := range intercom.PhoneSpellings(n) {
				owner[s] = n
			}
		}
		records, err := c.FindByPhones(ctx, chunk)
		if err != nil {
			b.Fatal(err)
		}
		found := map[string]bool{}
		for _, r := range records {
			for _, p := range r.Phones {
				found[owner[p]] = true
			}
		}
		var missing []crm.NewContact
		for _, n := range chunk {
			if !found[n] {
				missing = append(missing, crm.NewContact{Ref: n, Phone: n, Name: "WhatsApp " + n[len(n)-4:]})
			}
		}
		for i := 0; i < len(missing); i += intercom.CreateBatch {
			res, err := c.Create(ctx, missing[i:min(i+intercom.CreateBatch, len(missing))])
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					b.Fatalf("%s: %v", r.Ref, r.Err)
				}
				created++
			}
		}
	}
	return created
}
