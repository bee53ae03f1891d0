package hubspot_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// BenchmarkLookupAndCreate10k looks up 10,000 numbers, 30 % of them
// already in the account under messy formats, and creates the rest,
// against the fake with HubSpot's real limits (100 calls per 10 s, 4
// searches per second). Wall time is set by those limits, so it reports
// calls per contact and the ratio of wall time to the floor the limits
// allow for the calls made.
func BenchmarkLookupAndCreate10k(b *testing.B) {
	if testing.Short() {
		b.Skip("takes about half a minute per run: HubSpot's real limits")
	}
	const total, workers = 10000, 4
	for b.Loop() {
		srv := hubspottest.New(hubspottest.Options{Token: testToken, SearchLag: hubspot.CreateSearchLag,
			OnThrottle: func(p string) { b.Errorf("429 %s", p) }})
		numbers, seeds := benchDataset(total)
		srv.Seed(seeds...)
		c := hubspot.New(hubspot.Config{BaseURL: srv.URL, Token: testToken})

		start := time.Now()
		missing, created := lookUpAndCreate(b, c, numbers, workers)
		wall := time.Since(start)
		srv.Close()

		if missing != total*7/10 || created != missing {
			b.Fatalf("%d missing, %d created; want %d of each", missing, created, total*7/10)
		}
		calls := srv.Calls()
		searches, creates := calls[hubspottest.EndpointSearch], calls[hubspottest.EndpointCreate]
		floor := limitFloor(searches, creates)
		b.ReportMetric(float64(searches+creates)/total, "calls/contact")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(wall.Seconds(), "wall-s")
	}
}

// limitFloor is the least time HubSpot's limits allow for the calls:
// searches spend both budgets, creates the general one.
func limitFloor(searches, creates int) time.Duration {
	return max(crmtest.LimitFloor(searches, hubspot.SearchPerSecond, hubspot.SearchInterval),
		crmtest.LimitFloor(searches+creates, hubspot.GeneralPer10s, hubspot.GeneralInterval))
}

// benchDataset returns total distinct US numbers and seeds for 30 % of
// them, stored the ways people type them.
func benchDataset(total int) ([]string, []hubspottest.SeedContact) {
	numbers := make([]string, total)
	var seeds []hubspottest.SeedContact
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415%07d", 5550000+i)
		local := fmt.Sprintf("%07d", 5550000+i)
		switch i % 10 {
		case 0:
			seeds = append(seeds, hubspottest.SeedContact{FirstName: "Seeded", Phone: "(415) " + local[:3] + "-" + local[3:]})
		case 1:
			seeds = append(seeds, hubspottest.SeedContact{Phone: numbers[i][1:]}) // digits, no name
		case 2:
			seeds = append(seeds, hubspottest.SeedContact{LastName: "Mobile", Mobile: numbers[i]})
		}
	}
	return numbers, seeds
}

// lookUpAndCreate searches the numbers in batches on a few workers and
// creates the ones no record holds, in full batches, while the searches
// go on (as the engine pipelines them). It returns how many were missing
// and how many were created.
func lookUpAndCreate(b *testing.B, c *hubspot.Client, numbers []string, workers int) (int, int) {
	toCreate := make(chan crm.NewContact, hubspot.MaxBatchInputs)
	created := make(chan int)
	go func() { created <- createAll(b, c, toCreate, workers) }()

	batches := make(chan []string)
	var mu sync.Mutex
	missing := 0
	done := onWorkers(workers, batches, func(batch []string) {
		recs, err := c.FindByPhones(b.Context(), batch)
		if err != nil {
			b.Error(err)
			return
		}
		held := map[string]bool{}
		for _, r := range recs {
			for _, p := range r.Phones {
				held[p] = true
			}
		}
		for _, n := range batch {
			if !held[n] && !held[n[1:]] {
				mu.Lock()
				missing++
				mu.Unlock()
				toCreate <- crm.NewContact{Ref: n, Phone: n, Name: "New Contact"}
			}
		}
	})
	for start := 0; start < len(numbers); start += hubspot.MaxInValues {
		batches <- numbers[start:min(start+hubspot.MaxInValues, len(numbers))]
	}
	close(batches)
	done.Wait()
	close(toCreate)
	return missing, <-created
}

// createAll creates what arrives on in, in full batches, on a few workers.
func createAll(b *testing.B, c *hubspot.Client, in <-chan crm.NewContact, workers int) int {
	batches := make(chan []crm.NewContact)
	var mu sync.Mutex
	created := 0
	done := onWorkers(workers, batches, func(batch []crm.NewContact) {
		res, err := c.Create(b.Context(), batch)
		if err != nil {
			b.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range res {
			if r.Err == nil && r.ID != "" {
				created++
			}
		}
	})
	var batch []crm.NewContact
	for nc := range in {
		batch = append(batch, nc)
		if len(batch) == hubspot.MaxBatchInputs {
			batches <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	done.Wait()
	return created
}

// onWorkers runs fn on each item of in, on n goroutines.
func onWorkers[T any](n int, in <-chan T, fn func(T)) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for item := range in {
				fn(item)
			}
		}()
	}
	return &wg
}
