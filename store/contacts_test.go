package store

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func contactsOf(t *testing.T, db *DB, number string) []Contact {
	t.Helper()
	cs, err := db.Contacts(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func wantResult(t *testing.T, got, want SaveResult) {
	t.Helper()
	got.PayloadID, want.PayloadID = 0, 0
	if got != want {
		t.Errorf("SaveResult = %+v, want %+v", got, want)
	}
}

func TestSaveAddsContactsWithRawItem(t *testing.T) {
	db := openTemp(t)
	res := save(t, db, addEvent("n1", "5511987654321", "Ana Lima", 0),
		ContactEvent{NumberID: "n1", UserID: "US.1349", Username: "bob", FullName: "Bob",
			Action: ActionAdd, Timestamp: at(0)},
		addEvent("n2", "5511987654321", "Other number", 0))
	wantResult(t, res, SaveResult{Added: 3})
	if res.PayloadID == 0 {
		t.Error("no payload id")
	}
	cs := contactsOf(t, db, "n1")
	if len(cs) != 2 {
		t.Fatalf("n1 contacts = %+v", cs)
	}
	if cs[0].Key != "5511987654321" || cs[0].FullName != "Ana Lima" || cs[0].PayloadID != res.PayloadID ||
		!cs[0].EventAt.Equal(at(0)) || cs[0].UpdatedAt.IsZero() {
		t.Errorf("first contact = %+v", cs[0])
	}
	if cs[1].Key != "US.1349" || cs[1].Username != "bob" || cs[1].ID <= cs[0].ID {
		t.Errorf("second contact = %+v", cs[1])
	}
	var raw string
	if err := db.sql.QueryRow(`SELECT raw FROM contacts WHERE id = ?`, cs[0].ID).Scan(&raw); err != nil ||
		raw != `{"phone_number":"5511987654321"}` {
		t.Errorf("raw item = %q, %v", raw, err)
	}
	if n, err := db.CountContacts(context.Background(), "n1"); err != nil || n != 2 {
		t.Errorf("CountContacts = %d, %v", n, err)
	}
}

func TestSaveReplayedBodyIsDuplicate(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	body := []byte(`{"entry":[]}`)
	events := []ContactEvent{addEvent("n1", "5511987654321", "Ana", 0)}
	first, err := db.SaveContactEvents(ctx, "webhook", body, events)
	if err != nil {
		t.Fatal(err)
	}
	// The replay carries a changed event: a duplicate body must not apply it.
	events[0].FullName = "Changed"
	second, err := db.SaveContactEvents(ctx, "import", body, events)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Duplicate || second.PayloadID != first.PayloadID || second.Added+second.Updated+second.Unchanged != 0 {
		t.Errorf("replay = %+v, first = %+v", second, first)
	}
	if cs := contactsOf(t, db, "n1"); len(cs) != 1 || cs[0].FullName != "Ana" {
		t.Errorf("contacts after replay = %+v", cs)
	}
	var payloads int
	if err := db.sql.QueryRow(`SELECT count(*) FROM payloads`).Scan(&payloads); err != nil || payloads != 1 {
		t.Errorf("payload rows = %d, %v", payloads, err)
	}
}

func TestSaveEventOrdering(t *testing.T) {
	db := openTemp(t)
	phone := "5511987654321"
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana", 10)), SaveResult{Added: 1})
	// Same event in another payload: nothing to do.
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana", 10)), SaveResult{Unchanged: 1})
	// Older edit loses.
	wantResult(t, save(t, db, addEvent("n1", phone, "Old name", 5)), SaveResult{Unchanged: 1})
	// Same time, other content: the later delivery wins.
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana L.", 10)), SaveResult{Updated: 1})
	// Newer edit wins.
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana Lima", 20)), SaveResult{Updated: 1})
	if cs := contactsOf(t, db, "n1"); len(cs) != 1 || cs[0].FullName != "Ana Lima" || !cs[0].EventAt.Equal(at(20)) {
		t.Fatalf("after edit = %+v", cs)
	}
	// Older remove loses; newer remove wins and keeps the name.
	wantResult(t, save(t, db, removeEvent("n1", phone, 15)), SaveResult{Unchanged: 1})
	wantResult(t, save(t, db, removeEvent("n1", phone, 30)), SaveResult{Removed: 1})
	wantResult(t, save(t, db, removeEvent("n1", phone, 30)), SaveResult{Unchanged: 1})
	if cs := contactsOf(t, db, "n1"); len(cs) != 0 {
		t.Fatalf("removed contact still listed: %+v", cs)
	}
	all, err := db.ContactsByID(context.Background(), []int64{1})
	if err != nil || len(all) != 1 || !all[0].Removed || all[0].FullName != "Ana Lima" {
		t.Fatalf("removed contact by id = %+v, %v", all, err)
	}
	// A newer add brings it back.
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana Lima", 40)), SaveResult{Updated: 1})
	if cs := contactsOf(t, db, "n1"); len(cs) != 1 || cs[0].Removed {
		t.Fatalf("re-added = %+v", cs)
	}
}

func TestSaveNewerSameContentStillOrdersLaterRemoves(t *testing.T) {
	db := openTemp(t)
	phone := "5511987654321"
	save(t, db, addEvent("n1", phone, "Ana", 10))
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana", 30)), SaveResult{Unchanged: 1})
	// The remove is newer than the first add but older than the second.
	wantResult(t, save(t, db, removeEvent("n1", phone, 20)), SaveResult{Unchanged: 1})
	if cs := contactsOf(t, db, "n1"); len(cs) != 1 {
		t.Fatalf("contact removed by a stale event: %+v", cs)
	}
}

func TestSaveRemoveBeforeAdd(t *testing.T) {
	db := openTemp(t)
	phone := "5511987654321"
	wantResult(t, save(t, db, removeEvent("n1", phone, 20)), SaveResult{Removed: 1})
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana", 10)), SaveResult{Unchanged: 1})
	if cs := contactsOf(t, db, "n1"); len(cs) != 0 {
		t.Fatalf("older add resurrected a removed contact: %+v", cs)
	}
	wantResult(t, save(t, db, addEvent("n1", phone, "Ana", 25)), SaveResult{Updated: 1})
	if n, err := db.CountContacts(context.Background(), "n1"); err != nil || n != 1 {
		t.Fatalf("CountContacts = %d, %v", n, err)
	}
}

func TestSaveInOnePayloadAppliesInOrder(t *testing.T) {
	db := openTemp(t)
	res := save(t, db, addEvent("n1", "1", "A", 1), addEvent("n1", "1", "B", 2), removeEvent("n1", "2", 1))
	wantResult(t, res, SaveResult{Added: 1, Updated: 1, Removed: 1})
}

func TestSaveRejectsBadEventsAndStoresNothing(t *testing.T) {
	db := openTemp(t)
	cases := map[string]ContactEvent{
		"no number":  {Phone: "1", Action: ActionAdd},
		"no key":     {NumberID: "n1", FullName: "Nobody", Action: ActionAdd},
		"bad action": {NumberID: "n1", Phone: "1", Action: "edit"},
	}
	for name, bad := range cases {
		_, err := db.SaveContactEvents(context.Background(), "test", []byte(name),
			[]ContactEvent{addEvent("n1", "2", "Good", 0), bad})
		if err == nil || !strings.Contains(err.Error(), "event 1") {
			t.Errorf("%s: error = %v, want one naming event 1", name, err)
		}
	}
	var payloads, contacts int
	db.sql.QueryRow(`SELECT (SELECT count(*) FROM payloads), (SELECT count(*) FROM contacts)`).Scan(&payloads, &contacts)
	if payloads+contacts != 0 {
		t.Errorf("rejected payloads left %d payloads, %d contacts", payloads, contacts)
	}
}

func TestTokenLookingNameIsOnlyAName(t *testing.T) {
	db := openTemp(t)
	name := "EAAG" + strings.Repeat("x", 40) + "'); DROP TABLE contacts; --"
	save(t, db, addEvent("n1", "1", name, 0))
	cs := contactsOf(t, db, "n1")
	if len(cs) != 1 || cs[0].FullName != name {
		t.Fatalf("contacts = %+v", cs)
	}
}

func TestContactsByIDAcrossChunks(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	ids := seedContacts(t, db, "n1", inChunk+7)
	want := append([]int64{ids[0], ids[inChunk+3], 999_999}, ids[inChunk:inChunk+2]...)
	got, err := db.ContactsByID(context.Background(), want)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, c := range got {
		seen[c.ID] = true
	}
	if len(got) != 4 || !seen[ids[0]] || !seen[ids[inChunk+3]] || !seen[ids[inChunk]] || !seen[ids[inChunk+1]] {
		t.Errorf("ContactsByID returned ids %v", seen)
	}
	if none, err := db.ContactsByID(context.Background(), nil); err != nil || len(none) != 0 {
		t.Errorf("no ids = %v, %v", none, err)
	}
}

// EachContact says how many contacts come before the first one, so a
// caller can size its list once; removed contacts and other numbers' are
// neither counted nor listed.
func TestEachContactSizesThenListsInIDOrder(t *testing.T) {
	db := openTemp(t)
	save(t, db, addEvent("n1", "+5511911110001", "Ana", 1), addEvent("n1", "+5511911110002", "Bia", 2),
		addEvent("n1", "+5511911110003", "Caio", 3), addEvent("n2", "+5511911110004", "Duda", 4),
		removeEvent("n1", "+5511911110002", 5))
	size, names := -1, []string{}
	err := db.EachContact(context.Background(), "n1", func(n int) {
		if len(names) > 0 {
			t.Error("size told after the first contact")
		}
		size = n
	}, func(c Contact) { names = append(names, c.FullName) })
	if err != nil {
		t.Fatal(err)
	}
	if size != 2 || !slices.Equal(names, []string{"Ana", "Caio"}) {
		t.Fatalf("size %d, contacts %v; want 2, [Ana Caio]", size, names)
	}
}
