package ui

import (
	"testing"
	"time"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
	"coexsync/ui/safe"
)

// U on a run previews the undo; only the exact typed confirmation starts
// it; the live panes and the summary speak of archived and kept records.
func TestUndoNeedsTheTypedConfirmation(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.RunsScreen))
		d.keys("U")
		d.mustShow(`Archive 3 records in hubspot? Type "undo 3"`, "Undo run #5 of +55 11 4002-8922 Loja Lima",
			"To archive             3", "Kept                   2", "modified", "not_created")
		d.keys("y", "enter")
		d.mustShow(`Not confirmed: type "undo 3", then enter. Nothing was archived.`)
		d.keys("backspace", "u", "n", "d", "o", " ", "2", "enter")
		if got := b.Eng.Undos(); len(got) != 0 {
			t.Fatalf("undo started on a wrong confirmation: %d", len(got))
		}
		d.keys("backspace", "3").mustShow("> undo 3▏")
		for _, ev := range uitest.UndoEvents() {
			b.Eng.UndoJob.Ch <- ev
		}
		d.keys("enter")
		if got := b.Eng.Undos(); len(got) != 1 || got[0].RunID != 5 {
			t.Fatalf("undo plans started: %v, want run 5's", got)
		}
		d.mustShow("Archiving: undo run #8", "Archived 1", "Kept 1", "archived "+safe.FSI+"Ana 0", "kept    "+safe.FSI+"Carla 2")
		d.mustNotShow("Created", "Not confirmed")
		b.Eng.UndoJob.Finish(engine.RunSummary{RunID: 8, Status: store.RunFinished, Total: 5, Created: 3, Skipped: 2,
			Elapsed: 2 * time.Second})
		if !d.await("Undo run #8 finished", 2*time.Second) {
			t.Fatalf("no undo summary:\n%s", d.frame())
		}
		d.mustShow("Archived 3", "Kept 2", "Failed 0")
		d.mustNotShow("resume")
	})
}

// esc leaves the preview with nothing archived; a plan with nothing to
// archive never reaches the confirmation.
func TestUndoDeclinedOrNothingToUndo(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.RunsScreen))
		d.keys("U").mustShow(`Type "undo 3"`)
		d.keys("esc").mustShow("marked *", "interrupted*")
		if got := b.Eng.Undos(); len(got) != 0 {
			t.Fatalf("declined undo started: %d", len(got))
		}
		p := uitest.MakeUndoPlan(5)
		p.Kept, p.Archive = append(p.Kept, p.Archive...), nil
		b.Eng.UndoPlan = p
		d.keys("U").mustShow("Nothing to undo in run #5: all 5 records kept.")
		d.mustNotShow("Type")
	})
}
