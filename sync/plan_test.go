package sync

import (
	"context"
	"fmt"
	"testing"

	"coexsync/store"
)

// fixture is a store of contacts covering every plan status and a CRM
// that already holds some of them under other formatting.
type fixture struct {
	db  *store.DB
	crm *fakeCRM
	e   *Engine
	ids map[string]string // seeded record ids by label
}

var fixtureContacts = []contactSpec{
	{"14155550101", "New Person"},   // create
	{"14155550102", "Has Name"},     // exists, CRM name kept
	{"14155550103", "Fill Me"},      // exists, empty CRM name filled
	{"14155550104", ""},             // exists, no name to fill
	{"14155550105", "Amb"},          // ambiguous
	{"+1 415 555 0101", "Dup"},      // duplicate of the first
	{"442079460958", "London"},      // create: the search hit is a US number
	{"123", "Short"},                // invalid
	{"user:US.1349", "Username"},    // invalid: no phone
	{"14155550110", "Ledger"},       // exists via the ledger only
	{"5215512345678", "Mexico Old"}, // exists under the candidate +52 55…
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{db: openStore(t), crm: newFakeCRM(), ids: map[string]string{}}
	cs := saveContacts(t, f.db, fixtureContacts)
	f.ids["named"] = f.crm.seed("Existing Name", "(415) 555-0102")
	f.ids["empty"] = f.crm.seed("", "+1 415 555 0103")
	f.ids["noname"] = f.crm.seed("", "4155550104")
	f.ids["amb1"] = f.crm.seed("A", "+14155550105")
	f.ids["amb2"] = f.crm.seed("B", "415-555-0105")
	f.ids["maine"] = f.crm.seed("Maine", "+1 207-946-0958")
	f.ids["mexico"] = f.crm.seed("Mexico", "+52 55 1234 5678")
	f.e = &Engine{Store: f.db, CRM: f.crm}

	// A create of an earlier run that search does not show yet.
	ctx := context.Background()
	runID, err := f.db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: "fake", Target: f.crm.Target(), Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	ledger := store.Outcome{RunID: runID, ContactID: cs[9].ID, E164: "+14155550110", Status: store.OutcomeCreated, CRMID: "rec-ledger"}
	if err := f.db.RecordOutcomes(ctx, f.crm.Target(), []store.Outcome{ledger}); err != nil {
		t.Fatal(err)
	}
	return f
}

func rowByName(t *testing.T, p *Plan, name string) PlanRow {
	t.Helper()
	for _, r := range p.Rows {
		if r.Contact.FullName == name {
			return r
		}
	}
	t.Fatalf("no row for %q", name)
	return PlanRow{}
}

func TestPlanDecidesEveryStatus(t *testing.T) {
	f := newFixture(t)
	p := mustPlan(t, f.e)

	want := map[string]RowStatus{
		"New Person": StatusCreate, "Has Name": StatusExists, "Fill Me": StatusExists,
		"Amb": StatusAmbiguous, "Dup": StatusDuplicate, "London": StatusCreate,
		"Short": StatusInvalid, "Username": StatusInvalid, "Ledger": StatusExists, "Mexico Old": StatusExists,
	}
	for name, st := range want {
		if got := rowByName(t, p, name).Status; got != st {
			t.Errorf("%s: status %s, want %s", name, got, st)
		}
	}
	if got := p.Counts; got[StatusCreate] != 2 || got[StatusExists] != 5 || got[StatusAmbiguous] != 1 ||
		got[StatusDuplicate] != 1 || got[StatusInvalid] != 2 {
		t.Errorf("counts %v", got)
	}

	named := rowByName(t, p, "Has Name")
	if named.RecordID != f.ids["named"] || named.RecordName() != "Existing Name" || named.FillName {
		t.Errorf("named record row %+v", named)
	}
	if r := rowByName(t, p, "Fill Me"); r.RecordID != f.ids["empty"] || !r.FillName {
		t.Errorf("empty-name record must be filled: %+v", r)
	}
	for _, r := range p.Rows {
		if r.Contact.FullName == "" && r.FillName {
			t.Errorf("no WhatsApp name, yet FillName on %s", r.RecordID)
		}
	}
	if r := rowByName(t, p, "Ledger"); r.RecordID != "rec-ledger" || r.FillName {
		t.Errorf("ledger row %+v", r)
	}
	if r := rowByName(t, p, "Mexico Old"); r.RecordID != f.ids["mexico"] {
		t.Errorf("candidate match: %+v", r)
	}
	amb := rowByName(t, p, "Amb")
	if len(amb.Matches()) != 2 || amb.RecordID != "" {
		t.Errorf("ambiguous row %+v", amb)
	}
	dup := rowByName(t, p, "Dup")
	if dup.DuplicateOf != rowByName(t, p, "New Person").Contact.ID {
		t.Errorf("duplicate of %d", dup.DuplicateOf)
	}
	if r := rowByName(t, p, "Username"); r.InvalidReason != "no_phone_number" || r.InvalidText == "" {
		t.Errorf("username row %+v", r)
	}
	if r := rowByName(t, p, "Short"); r.InvalidReason == "" || r.InvalidText == "" {
		t.Errorf("invalid row without reason: %+v", r)
	}
}

func TestPlanSearchesInBatchesOfTheLimit(t *testing.T) {
	t.Parallel()
	db := openStore(t)
	specs := make([]contactSpec, 250)
	for i := range specs {
		specs[i] = contactSpec{fmt.Sprintf("1415%07d", 2000000+i), "n"}
	}
	saveContacts(t, db, specs)
	fc := newFakeCRM()
	e := &Engine{Store: db, CRM: fc}
	p := mustPlan(t, e)
	if p.Counts[StatusCreate] != 250 {
		t.Fatalf("counts %v", p.Counts)
	}
	if n := fc.count("find"); n != 3 {
		t.Errorf("%d searches for 250 numbers in batches of 100, want 3", n)
	}
	if fc.oversized != 0 {
		t.Errorf("%d calls over the batch limit", fc.oversized)
	}
}

func TestPlanFailsWhenSearchFails(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, []contactSpec{{"14155550101", "a"}})
	fc := newFakeCRM()
	fc.onFind = func(context.Context, int) error { return fmt.Errorf("boom") }
	if _, err := (&Engine{Store: db, CRM: fc}).Plan(context.Background(), testNumber, "US"); err == nil {
		t.Fatal("plan succeeded although the CRM could not be searched")
	}
}
