package store

import (
	"context"
	"testing"
	"time"
)

func TestNamesFilledCountsFillsPerRun(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	ids := seedContacts(t, db, "n1", 5)
	newRun := func() int64 {
		id, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "hubspot", Target: "hubspot:1",
			Mode: ModeLive, StartedAt: time.Unix(1_700_000_000, 0), Total: 5})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first, second, empty := newRun(), newRun(), newRun()
	exists := "The number is already in the CRM."
	outs := []Outcome{
		{RunID: first, ContactID: ids[0], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists + NameFilledText},
		{RunID: first, ContactID: ids[1], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists + NameFilledText},
		{RunID: first, ContactID: ids[2], Status: OutcomeSkipped, Reason: "exists",
			ReasonText: exists + " Filling its empty name failed: rate limited."},
		{RunID: first, ContactID: ids[3], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists},
		{RunID: first, ContactID: ids[4], Status: OutcomeCreated, CRMID: "9"},
		{RunID: second, ContactID: ids[0], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists + NameFilledText},
		// A failed outcome quoting the sentence is not a fill.
		{RunID: second, ContactID: ids[1], Status: OutcomeFailed, Reason: "x", ReasonText: NameFilledText},
		{RunID: empty, ContactID: ids[0], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists},
	}
	if err := db.RecordOutcomes(ctx, "", outs); err != nil {
		t.Fatal(err)
	}
	got, err := db.NamesFilled(ctx, first, second, empty, 999)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[first] != 2 || got[second] != 1 || got[empty] != 0 {
		t.Fatalf("names filled = %v, want run %d: 2, run %d: 1", got, first, second)
	}
	if got, err := db.NamesFilled(ctx); err != nil || len(got) != 0 {
		t.Fatalf("no runs: %v, %v", got, err)
	}
}
