package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"coexsync/sandbox"
	"coexsync/store"
)

// retryThenUndo goes on from the summary of a real sync in the sandbox,
// back from its failures: retry leaves out the numbers that still cannot
// be read and says so, and undo archives, after the typed confirmation,
// exactly the records the run created.
func retryThenUndo(t *testing.T, ctx context.Context, s *session, db *store.DB, sb *sandbox.Sandbox, run store.Run) {
	t.Helper()
	if run.Failed == 0 || run.Created == 0 {
		t.Fatalf("the sync should create and fail some contacts: %+v", run)
	}

	// The sandbox's failures are all unreadable numbers.
	s.keys("R").waitFor(fmt.Sprintf("Nothing to retry in run #%d. %d contacts left out", run.ID, run.Failed))

	phrase := fmt.Sprintf("undo %d", run.Created)
	s.keys("U").waitFor(fmt.Sprintf("Type %q", phrase))
	for _, r := range phrase {
		s.keys(string(r))
	}
	s.keys("enter").waitFor(fmt.Sprintf("Undo run #%d finished", run.ID+1)).waitFor(fmt.Sprintf("Archived %d", run.Created))
	s.final()

	undo, err := db.Run(ctx, run.ID+1)
	if err != nil || undo.Mode != store.ModeUndo || undo.ParentRunID != run.ID || undo.Created != run.Created || undo.Failed != 0 {
		t.Fatalf("undo run %+v %v, want %d archived of run %d", undo, err, run.Created, run.ID)
	}
	archived := 0
	for _, rec := range sb.HubSpot.Records() {
		switch {
		case rec.CreatedByAPI && sb.HubSpot.IsArchived(rec.ID):
			archived++
		case rec.CreatedByAPI:
			t.Errorf("record %s created by the run is not archived", rec.ID)
		case sb.HubSpot.IsArchived(rec.ID):
			t.Errorf("record %s the run did not create was archived", rec.ID)
		}
	}
	if archived != run.Created {
		t.Errorf("%d records archived, the run created %d", archived, run.Created)
	}
	if strings.Contains(s.final(), "Retry the failed") {
		t.Error("retry offered a confirmation with nothing to send")
	}
}
