package store

import (
	"context"
	"testing"
	"time"
)

// A freed create is kept with its run and contact, dropping its claim in
// the same transaction; it blocks no claim of the number; a pending
// outcome keeps it and a final one forgets it. A claim another owner took
// in the meantime is not freed, and nothing is kept for it.
func TestFreedCreateIsAMemoryUntilTheOutcomeIsFinal(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	runID := newRun(t, db, "n1")
	cs := seedContacts(t, db, "n1", 2)
	a, b := "+14155550142", "+14155550143"
	for _, c := range []Claim{
		{Number: a, RunID: runID, ContactID: cs[0], Owner: "gone"},
		{Number: b, RunID: runID, ContactID: cs[1], Owner: "other"},
	} {
		if res := mustClaim(t, db, c); res[0].Verdict != ClaimGranted {
			t.Fatalf("claim %+v: %+v", c, res[0])
		}
	}
	freedAt := time.Unix(1_732_450_000, 0)
	if err := db.FreeClaims(ctx, claimTarget, []FreedCreate{
		{Number: a, RunID: runID, ContactID: cs[0], Owner: "gone", FreedAt: freedAt},
		{Number: b, RunID: runID, ContactID: cs[1], Owner: "gone"}, // held by "other": stays
	}); err != nil {
		t.Fatal(err)
	}
	want := FreedCreate{Target: claimTarget, Number: a, RunID: runID, ContactID: cs[0], FreedAt: freedAt}
	got, err := db.FreedCreates(ctx, claimTarget, runID)
	if err != nil || len(got) != 1 || !got[0].FreedAt.Equal(want.FreedAt) {
		t.Fatalf("freed creates %+v, %v; want only %+v", got, err, want)
	}
	got[0].FreedAt = want.FreedAt
	if got[0] != want {
		t.Fatalf("freed create %+v, want %+v", got[0], want)
	}
	pending, err := db.PendingIntents(ctx, claimTarget)
	if err != nil || len(pending) != 1 || pending[0].Number != b {
		t.Fatalf("pending after freeing %s: %+v, %v", a, pending, err)
	}
	if other, _ := db.FreedCreates(ctx, "another account", runID); len(other) != 0 {
		t.Fatalf("freed creates of another account: %+v", other)
	}

	// Another run claims the freed number as if nothing were kept.
	if res := mustClaim(t, db, Claim{Number: a, RunID: runID + 1, ContactID: 9, Owner: "next"}); res[0].Verdict != ClaimGranted {
		t.Fatalf("a claim after the number was freed: %+v", res[0])
	}

	record := func(st OutcomeStatus) {
		t.Helper()
		if err := db.RecordOutcomes(ctx, claimTarget, []Outcome{{RunID: runID, ContactID: cs[0], E164: a, Status: st}}); err != nil {
			t.Fatal(err)
		}
	}
	record(OutcomePending)
	if got, _ := db.FreedCreates(ctx, claimTarget, runID); len(got) != 1 {
		t.Fatalf("a pending outcome forgot the freed create: %+v", got)
	}
	record(OutcomeSkipped)
	if got, _ := db.FreedCreates(ctx, claimTarget, runID); len(got) != 0 {
		t.Fatalf("a final outcome kept the freed create: %+v", got)
	}
}
