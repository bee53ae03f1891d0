package store

import (
	"context"
	"database/sql"
	"path/filepath"
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
		{RunID: first, ContactID: ids[0], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists + NameFilledText, NameFilled: true},
		// The column counts, not the text: reworded or missing, still a fill.
		{RunID: first, ContactID: ids[1], Status: OutcomeSkipped, Reason: "exists", ReasonText: "Filled.", NameFilled: true},
		{RunID: first, ContactID: ids[2], Status: OutcomeSkipped, Reason: "exists",
			ReasonText: exists + " Filling its empty name failed: rate limited."},
		// Quoting the sentence without the flag is no fill.
		{RunID: first, ContactID: ids[3], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists + NameFilledText},
		{RunID: first, ContactID: ids[4], Status: OutcomeCreated, CRMID: "9"},
		{RunID: second, ContactID: ids[0], Status: OutcomeSkipped, Reason: "exists", ReasonText: exists + NameFilledText, NameFilled: true},
		// Only skipped outcomes count.
		{RunID: second, ContactID: ids[1], Status: OutcomeFailed, Reason: "x", ReasonText: NameFilledText, NameFilled: true},
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
	// A later outcome of the same contact replaces the fill, as it
	// replaces the text saying so.
	if err := db.RecordOutcomes(ctx, "", []Outcome{{RunID: second, ContactID: ids[0],
		Status: OutcomeSkipped, Reason: "exists", ReasonText: exists}}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.NamesFilled(ctx, second); err != nil || len(got) != 0 {
		t.Fatalf("after the fill was replaced: %v, %v", got, err)
	}
}

func TestNameFilledReadBack(t *testing.T) {
	db, ids, runID := runFixture(t, 2)
	ctx := context.Background()
	record(t, db, "t",
		Outcome{RunID: runID, ContactID: ids[0], Status: OutcomeSkipped, Reason: "exists", CRMID: "7", NameFilled: true},
		Outcome{RunID: runID, ContactID: ids[1], Status: OutcomeSkipped, Reason: "exists", CRMID: "8"})
	outs, _, err := db.Outcomes(ctx, OutcomeFilter{RunID: runID})
	if err != nil || len(outs) != 2 {
		t.Fatalf("outcomes = %+v, %v", outs, err)
	}
	if !outs[0].NameFilled || outs[1].NameFilled {
		t.Errorf("NameFilled read back as %v, %v; want true, false", outs[0].NameFilled, outs[1].NameFilled)
	}
	// Undo outcomes are written through the same row: the flag as given.
	undo, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "hubspot", Target: "t", Mode: ModeUndo, ParentRunID: runID})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordUndoOutcomes(ctx, "t", []UndoOutcome{{Outcome: Outcome{RunID: undo,
		ContactID: ids[0], Status: OutcomeSkipped, Reason: "kept", NameFilled: true}}}); err != nil {
		t.Fatal(err)
	}
	if outs, err := db.OutcomeRows(ctx, OutcomeFilter{RunID: undo}); err != nil || len(outs) != 1 || !outs[0].NameFilled {
		t.Errorf("undo outcome = %+v, %v; want NameFilled kept as written", outs, err)
	}
}

// A database of schema 4 recorded fills only in the reason text: opening
// it marks those outcomes, and only those, so the counts stay the same.
func TestMigrationBackfillsNameFilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v4.db")
	raw := openRaw(t, path)
	ctx := context.Background()
	if err := migrate(ctx, raw, bundledMigrations[:4]); err != nil {
		t.Fatal(err)
	}
	exists := "The number is already in the CRM."
	rows := []struct {
		status, text string
		want         bool
	}{
		{"skipped", exists + NameFilledText, true},
		{"skipped", exists + " its EMPTY name was filled from whatsapp.", true}, // LIKE ignored ASCII case
		{"skipped", exists + " Filling its empty name failed: rate limited.", false},
		{"skipped", exists, false},
		{"failed", NameFilledText, false},
		{"created", "", false},
	}
	mustExec(t, raw, `INSERT INTO payloads (id, source, received_at, sha256, body) VALUES (1, 'old', 1, 'abc', x'00')`)
	mustExec(t, raw, `INSERT INTO runs (id, number_id, crm, target, mode, status, started_at)
		VALUES (1, 'n1', 'hubspot', 't', 'live', 'finished', 1), (2, 'n1', 'hubspot', 't', 'live', 'finished', 2)`)
	for i, r := range rows {
		mustExec(t, raw, `INSERT INTO contacts (id, number_id, key, event_at, payload_id, updated_at)
			VALUES (?, 'n1', ?, 1, 1, 1)`, i+1, i)
		mustExec(t, raw, `INSERT INTO outcomes (run_id, contact_id, status, reason, reason_text, updated_at)
			VALUES (1, ?, ?, 'exists', ?, 1)`, i+1, r.status, r.text)
	}
	mustExec(t, raw, `INSERT INTO outcomes (run_id, contact_id, status, reason, reason_text, updated_at)
		VALUES (2, 1, 'skipped', 'exists', ?, 1)`, exists)
	raw.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	outs, err := db.OutcomeRows(ctx, OutcomeFilter{RunID: 1})
	if err != nil || len(outs) != len(rows) {
		t.Fatalf("outcomes after migration = %+v, %v", outs, err)
	}
	for i, o := range outs {
		if o.NameFilled != rows[i].want || o.ReasonText != rows[i].text {
			t.Errorf("%s %q: NameFilled %v, text %q; want %v and the text kept",
				rows[i].status, rows[i].text, o.NameFilled, o.ReasonText, rows[i].want)
		}
	}
	got, err := db.NamesFilled(ctx, 1, 2)
	if err != nil || len(got) != 1 || got[1] != 2 {
		t.Errorf("names filled after migration = %v, %v; want run 1: 2", got, err)
	}
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}
