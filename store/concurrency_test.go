package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestReaderWorksWhileWriterHoldsTransaction(t *testing.T) {
	db := openTemp(t)
	save(t, db, addEvent("n1", "1", "Before", 0))
	tx, err := db.sql.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE contacts SET full_name = 'Uncommitted'`); err != nil {
		t.Fatal(err)
	}
	// More than the page cache holds, so the writer spills to disk: without
	// WAL that takes the exclusive lock and readers would have to wait.
	if _, err := tx.Exec(`INSERT INTO payloads (source, received_at, sha256, body)
		VALUES ('big', 1, 'big', zeroblob(4 << 20))`); err != nil {
		t.Fatal(err)
	}
	// Well under busy_timeout: a reader that waited for the writer would fail.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	cs, err := db.Contacts(ctx, "n1")
	if err != nil || len(cs) != 1 || cs[0].FullName != "Before" {
		t.Fatalf("read during write = %+v, %v", cs, err)
	}
	if _, err := db.Runs(ctx, 10, 0); err != nil {
		t.Fatalf("runs during write: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if cs := contactsOf(t, db, "n1"); cs[0].FullName != "Uncommitted" {
		t.Errorf("after commit = %+v", cs)
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ctx := context.Background()
	ids := seedContacts(t, db, "n1", 50)
	const workers = 6
	errs := make(chan error, workers*2)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			runID, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "hubspot", Mode: ModeLive})
			if err != nil {
				errs <- err
				return
			}
			for _, id := range ids {
				o := Outcome{RunID: runID, ContactID: id, E164: fmt.Sprintf("+1%d%d", w, id), Status: OutcomeCreated, CRMID: "x"}
				if err := db.RecordOutcomes(ctx, "t", []Outcome{o}); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range 20 {
				if _, err := db.Runs(ctx, 0, 0); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_, total, err := db.Outcomes(ctx, OutcomeFilter{})
	if err != nil || total != workers*len(ids) {
		t.Errorf("outcomes = %d, %v, want %d", total, err, workers*len(ids))
	}
}
