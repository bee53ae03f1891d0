package screens

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
)

// request is what the sync screen asks to confirm: a plan to start, or a
// run to resume. It travels in a GoMsg and lives only in the sync screen
// until y, so a plan is started at most once.
type request struct {
	number store.Number
	crm    string
	plan   *engine.Plan      // nil for a resume
	opts   engine.RunOptions // with plan
	resume store.Run         // ID set for a resume
	undo   *engine.UndoPlan  // set for an undo of the run undone
	// fromSummary: asked from the summary of that run, which n returns to.
	fromSummary bool
}

func (r request) isResume() bool { return r.resume.ID != 0 }

func (r request) isUndo() bool { return r.undo != nil }

// confirmMsg hands a request to the sync screen.
type confirmMsg struct{ req request }

// openRunMsg asks the runs screen to open a run's failures once loaded.
type openRunMsg struct{ runID int64 }

// unprocessed counts a run's contacts without a final outcome: not yet
// tried, or sent and not confirmed (pending).
func unprocessed(r store.Run) int {
	return max(r.Total-r.Created-r.Skipped-r.Failed, 0)
}

// resumable runs are the ones the engine can pick up again: left behind
// by a dead process, or stopped early with contacts still to do.
func resumable(r store.Run) bool {
	switch r.Status {
	case store.RunRunning, store.RunInterrupted:
		return r.Mode != store.ModeUndo // an undo is continued by undoing again
	case store.RunCancelled, store.RunFailed:
		return unprocessed(r) > 0 && r.Mode != store.ModeUndo
	}
	return false
}

// leftWords says why a resumable run is unfinished.
func leftWords(r store.Run) string {
	switch r.Status {
	case store.RunCancelled:
		return fmt.Sprintf("was cancelled with %d contacts left", unprocessed(r))
	case store.RunFailed:
		return fmt.Sprintf("failed with %d contacts left", unprocessed(r))
	}
	return "did not finish"
}

// resumableRuns are the runs to offer for resume, newest first: the
// unfinished ones the store lists, and those of recent (the latest page of
// runs) that were cancelled or failed with contacts left.
func resumableRuns(ctx context.Context, st common.Store, recent []store.Run) ([]store.Run, error) {
	open, err := st.UnfinishedRuns(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(open))
	for _, r := range open {
		seen[r.ID] = true
	}
	for _, r := range recent {
		if !seen[r.ID] && resumable(r) {
			open = append(open, r)
		}
	}
	slices.SortFunc(open, func(a, b store.Run) int { return cmp.Compare(b.ID, a.ID) })
	return open, nil
}
