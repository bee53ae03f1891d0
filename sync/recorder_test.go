package sync

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"coexsync/store"
)

// slowOutcomes is a store whose first write of outcomes says so on
// entered, then waits for release.
type slowOutcomes struct {
	*store.DB
	first   atomic.Bool
	entered chan struct{} // one slot
	release chan struct{}
}

func (s *slowOutcomes) RecordOutcomes(ctx context.Context, target string, outs []store.Outcome) error {
	if s.first.CompareAndSwap(false, true) {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.DB.RecordOutcomes(ctx, target, outs)
}

// A flush returns only once every outcome added before it is stored, also
// those the recorder's loop took and is still writing: a resume reads the
// run's outcomes right after its flush to plan what is left, and a create
// it had just settled, not stored yet, was planned again, found existing
// and recorded as Skipped over its Created outcome.
func TestFlushWaitsForTheFlushInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := openStore(t)
		cs := saveContacts(t, db, []contactSpec{{"14155550142", "Settled"}})
		runID, err := db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: "fake", Target: "t", Mode: store.ModeLive})
		if err != nil {
			t.Fatal(err)
		}
		st := &slowOutcomes{DB: db, entered: make(chan struct{}, 1), release: make(chan struct{})}
		rec := newRecorder(st, "t", &tally{}, newEmitter())
		rec.add(store.Outcome{RunID: runID, ContactID: cs[0].ID, Raw: "14155550142", E164: "+14155550142", Status: store.OutcomeCreated, CRMID: "rec-1"})
		go rec.flush() // the loop's: it takes the outcome and writes it slowly
		<-st.entered
		done := make(chan error, 1)
		go func() { done <- rec.flush() }()
		synctest.Wait()
		select {
		case err := <-done:
			close(st.release)
			t.Fatalf("flush returned (%v) while the outcome it follows was not stored", err)
		default:
		}
		close(st.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if o := outcomesByRaw(t, db, runID)["14155550142"]; o.Status != store.OutcomeCreated {
			t.Fatalf("after the flush: %+v", o)
		}
	})
}
