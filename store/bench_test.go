package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRecordOutcomes100k records 100k outcomes (a new run each
// iteration) in batches of 1000, with the ledger writes a live run makes.
func BenchmarkRecordOutcomes100k(b *testing.B) {
	const total, batch = 100_000, 1000
	db := openTemp(b)
	ctx := context.Background()
	ids := seedContacts(b, db, "n1", total)
	statuses := []OutcomeStatus{OutcomeCreated, OutcomeCreated, OutcomeSkipped, OutcomeFailed}
	b.ResetTimer()
	for n := 0; b.Loop(); n++ {
		b.StopTimer()
		runID := newRun(b, db, "n1")
		outs := make([]Outcome, total)
		for i, id := range ids {
			// New numbers each pass: a run records numbers no run created
			// (the ledger refuses the same number twice anyway).
			outs[i] = Outcome{RunID: runID, ContactID: id, Name: "Contact", Raw: "5511900000000",
				E164: fmt.Sprintf("+%d", 5511900000000+n*total+i), Status: statuses[i%len(statuses)],
				CRMID: "1234567", Reason: "exists"}
		}
		b.StartTimer()
		for start := 0; start < total; start += batch {
			if err := db.RecordOutcomes(ctx, "hubspot:1", outs[start:start+batch]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/outcome")
}

// BenchmarkSaveContactEvents stores one payload of 5000 new contacts.
func BenchmarkSaveContactEvents(b *testing.B) {
	db := openTemp(b)
	events := make([]ContactEvent, 5000)
	n := 0
	for b.Loop() {
		n++
		for i := range events {
			events[i] = addEvent("n1", fmt.Sprintf("%d-%d", n, i), "Name", 0)
		}
		if _, err := db.SaveContactEvents(context.Background(), "bench", fmt.Append(nil, n), events); err != nil {
			b.Fatal(err)
		}
	}
}
