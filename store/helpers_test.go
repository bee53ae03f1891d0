package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"coexsync/internal/filetemplate"
)

// emptyDB is a freshly migrated database: tests start from copies of it,
// since migrating one costs more than most tests (TestMigrate* migrate).
var emptyDB = filetemplate.New(func(path string) error {
	db, err := Open(path)
	if err != nil {
		return err
	}
	return db.Close()
})

// openTemp opens a fresh database in the test's temporary directory.
func openTemp(t testing.TB) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "coexsync.db")
	if err := emptyDB.CopyTo(path); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// at is a fixed event time, seconds after an arbitrary epoch.
func at(sec int64) time.Time { return time.Unix(1_732_450_000+sec, 0) }

func addEvent(number, phone, name string, sec int64) ContactEvent {
	return ContactEvent{NumberID: number, Phone: phone, FullName: name, FirstName: name,
		Action: ActionAdd, Timestamp: at(sec), Raw: []byte(`{"phone_number":"` + phone + `"}`)}
}

func removeEvent(number, phone string, sec int64) ContactEvent {
	return ContactEvent{NumberID: number, Phone: phone, Action: ActionRemove, Timestamp: at(sec)}
}

var bodySeq atomic.Int64

// save stores events under a body unique to the call, so it is never a
// duplicate payload unless the test means it to be.
func save(t testing.TB, db *DB, events ...ContactEvent) SaveResult {
	t.Helper()
	body := fmt.Appendf(nil, "payload %d", bodySeq.Add(1))
	res, err := db.SaveContactEvents(context.Background(), "test", body, events)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// seedContacts stores n contacts of number and returns their ids in order.
func seedContacts(t testing.TB, db *DB, number string, n int) []int64 {
	t.Helper()
	events := make([]ContactEvent, n)
	for i := range events {
		events[i] = addEvent(number, fmt.Sprintf("55119%08d", i), fmt.Sprintf("Contact %d", i), 0)
	}
	save(t, db, events...)
	cs, err := db.Contacts(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func newRun(t testing.TB, db *DB, number string) int64 {
	t.Helper()
	id, err := db.CreateRun(context.Background(), Run{NumberID: number, CRM: "hubspot",
		Target: "hubspot:1", Mode: ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// runFixture is a fresh database with n contacts of number "n1" and one
// live run over them.
func runFixture(t testing.TB, n int) (db *DB, contactIDs []int64, runID int64) {
	t.Helper()
	db = openTemp(t)
	contactIDs = seedContacts(t, db, "n1", n)
	return db, contactIDs, newRun(t, db, "n1")
}
