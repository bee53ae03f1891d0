package store

import (
	"context"
	"fmt"
	"testing"
	"time"
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

// BenchmarkOneCreateOnALargeLedger is the ledger's part of one create
// (claim, mark sent, drop the claim) in an account whose ledger already
// holds 100k created numbers. It must not grow with the ledger: vs-empty
// is its time over the same work on an empty ledger.
func BenchmarkOneCreateOnALargeLedger(b *testing.B) {
	ctx := context.Background()
	oneCreate := func(db *DB, n int) {
		number := fmt.Sprintf("+4477009%05d", n%100_000)
		res, err := db.ClaimCreates(ctx, "hubspot:1", []Claim{{Number: number, RunID: 1, ContactID: int64(n + 1), Owner: "o"}})
		if err != nil || res[0].Verdict != ClaimGranted {
			b.Fatal(res, err)
		}
		if err := db.MarkSent(ctx, "hubspot:1", "o", []string{number}, at(1)); err != nil {
			b.Fatal(err)
		}
		if err := db.DropClaims(ctx, "hubspot:1", "o", []string{number}); err != nil {
			b.Fatal(err)
		}
	}
	const emptyOps = 500
	empty := openTemp(b)
	start := time.Now()
	for n := range emptyOps {
		oneCreate(empty, n)
	}
	perEmpty := time.Since(start) / emptyOps

	db := openTemp(b)
	if _, err := db.sql.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		INSERT INTO ledger (target, e164, number, state, crm_id, created_at, updated_at)
		SELECT 'hubspot:1', '+1555' || i, '+1555' || i, 'created', 'r' || i, 1, 1 FROM n`); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		oneCreate(db, n)
		n++
	}
	b.ReportMetric(float64(b.Elapsed())/float64(n)/float64(perEmpty), "vs-empty")
}
