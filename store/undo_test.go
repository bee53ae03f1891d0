package store

import (
	"context"
	"testing"
)

// An undo's outcomes are stored like any run's, and each released record
// leaves the ledger (every form its number was claimed under) in the same
// call, so the number can be claimed and created again. A record kept, a
// failed archive, or a ledger row naming another record stay as they are.
func TestRecordUndoOutcomesReleasesTheLedger(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	contacts := seedContacts(t, db, "n1", 3)
	syncID := newRun(t, db, "n1")
	mustClaim(t, db,
		Claim{Number: "+525512345678", Keys: []string{"+5215512345678"}, RunID: syncID, ContactID: contacts[0], Owner: "a"},
		Claim{Number: "+14155550101", RunID: syncID, ContactID: contacts[1], Owner: "a"},
		Claim{Number: "+14155550102", RunID: syncID, ContactID: contacts[2], Owner: "a"})
	if err := db.RecordOutcomes(ctx, claimTarget, []Outcome{
		{RunID: syncID, ContactID: contacts[0], E164: "+525512345678", Status: OutcomeCreated, CRMID: "901"},
		{RunID: syncID, ContactID: contacts[1], E164: "+14155550101", Status: OutcomeCreated, CRMID: "902"},
		{RunID: syncID, ContactID: contacts[2], E164: "+14155550102", Status: OutcomeCreated, CRMID: "903"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "hubspot", Target: claimTarget, Mode: ModeUndo}); err == nil {
		t.Fatal("an undo run without its parent was recorded")
	}
	undoID, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "hubspot", Target: claimTarget, Mode: ModeUndo, ParentRunID: syncID})
	if err != nil {
		t.Fatal(err)
	}
	err = db.RecordUndoOutcomes(ctx, claimTarget, []UndoOutcome{
		{Outcome: Outcome{RunID: undoID, ContactID: contacts[0], E164: "+525512345678", Status: OutcomeCreated, CRMID: "901", Reason: "archived"}, Release: true},
		// The number was created again since as another record: not ours to forget.
		{Outcome: Outcome{RunID: undoID, ContactID: contacts[1], E164: "+14155550101", Status: OutcomeCreated, CRMID: "999", Reason: "archived"}, Release: true},
		{Outcome: Outcome{RunID: undoID, ContactID: contacts[2], E164: "+14155550102", Status: OutcomeFailed, CRMID: "903", Reason: "forbidden"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CreatedRecords(ctx, claimTarget, []string{"+525512345678", "+5215512345678", "+14155550101", "+14155550102"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["+14155550101"] != "902" || got["+14155550102"] != "903" {
		t.Fatalf("ledger after the undo: %v", got)
	}
	// Both forms of the released number can be claimed again.
	for _, n := range []string{"+525512345678", "+5215512345678"} {
		if res := mustClaim(t, db, Claim{Number: n, RunID: syncID, ContactID: contacts[0], Owner: "b"})[0]; res.Verdict != ClaimGranted {
			t.Errorf("claim %s after the undo: %+v", n, res)
		}
		if err := db.DropClaims(ctx, claimTarget, "b", []string{n}); err != nil {
			t.Fatal(err)
		}
	}
	run, err := db.Run(ctx, undoID)
	if err != nil || run.Mode != ModeUndo || run.ParentRunID != syncID || run.Created != 2 || run.Failed != 1 {
		t.Fatalf("undo run %+v, %v", run, err)
	}
	undos, err := db.UndoRuns(ctx, syncID)
	if err != nil || len(undos) != 1 || undos[0].ID != undoID {
		t.Fatalf("undo runs %+v, %v", undos, err)
	}
	if undos, err := db.UndoRuns(ctx, undoID); err != nil || len(undos) != 0 {
		t.Fatalf("undo runs of the undo %+v, %v", undos, err)
	}
}
