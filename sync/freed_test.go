package sync

import (
	"context"
	"net/http"
	"slices"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

// afterFreed returns a hook that runs land once, at its first call after
// the store holds no pending claim in target: a create a gone process sent
// lands only once the searches that looked for it gave up and freed its
// claim, later than any land-by rule can assume (a server committing it
// late under overload). land returns the id of the record it made.
func afterFreed(db *store.DB, target string, land func() string) (hook func(), landed func() string) {
	var mu gosync.Mutex
	id := ""
	hook = func() {
		mu.Lock()
		defer mu.Unlock()
		if id != "" {
			return
		}
		if pending, err := db.PendingIntents(context.Background(), target); err == nil && len(pending) == 0 {
			id = land()
		}
	}
	landed = func() string {
		mu.Lock()
		defer mu.Unlock()
		return id
	}
	return hook, landed
}

// A killed run's create that lands after the resume's searches gave up on
// it (and freed its claim) is found by the resume's plan holding exactly
// the number the run sent: it is the run's create, recorded as Created
// with that record's id, not as somebody else's existing record, and an
// undo of the run archives it. Nothing is sent for it again.
func TestResumeRecordsACreateThatLandedAfterItsClaimWasFreed(t *testing.T) {
	t.Parallel()
	onUndoVendors(t, resumeRecordsACreateThatLandedAfterItsClaimWasFreed)
}

func resumeRecordsACreateThatLandedAfterItsClaimWasFreed(t *testing.T, _ string, crmv undoVendor) {
	ctx := context.Background()
	db := openStore(t)
	cs := saveContacts(t, db, []contactSpec{{"14155550142", "Late"}, {"14155550143", "On time"}})
	target := crmv.client.Target()
	runID := sentByGoneProcess(t, db, crmv.client, cs[0], time.Now())
	hook, landed := afterFreed(db, target, func() string {
		id := crmv.seed("+14155550142")
		crmv.modify(id, time.Now()) // made now, on the bubble's clock
		return id
	})
	next := crmv.counter.next
	crmv.counter.next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hook()
		next.ServeHTTP(w, r)
	})
	e := &Engine{Store: db, CRM: crmv.client}
	job, err := e.Resume(ctx, runID, "US")
	if err != nil {
		t.Fatal(err)
	}
	if sum, _ := drain(t, job); sum.Status != store.RunFinished || sum.Created != 2 || sum.Skipped != 0 {
		t.Fatalf("resume: %+v", sum)
	}
	late := landed()
	if late == "" {
		t.Fatal("the late create never landed")
	}
	outs := outcomesByRaw(t, db, runID)
	if o := outs["14155550142"]; o.Status != store.OutcomeCreated || o.CRMID != late {
		t.Fatalf("outcome %+v: want created by the run as %s, its create that landed late", o, late)
	}
	if o := outs["14155550143"]; o.Status != store.OutcomeCreated || o.CRMID == "" || o.CRMID == late {
		t.Fatalf("the other contact: %+v", o)
	}
	if ids, _ := db.CreatedRecords(ctx, target, []string{"+14155550142"}); ids["+14155550142"] != late {
		t.Errorf("ledger %v: want +14155550142 created as %s", ids, late)
	}
	if fs, _ := db.FreedCreates(ctx, target, runID); len(fs) != 0 {
		t.Errorf("freed creates kept after every outcome is final: %+v", fs)
	}

	p := mustPlanUndo(t, e, runID)
	if ids := itemIDs(p.Archive); !slices.Contains(ids, late) || len(ids) != 2 {
		t.Fatalf("undo archives %v, keeps %+v: want the late record %s and the other create", ids, p.Kept, late)
	}
	if sum := undoToEnd(t, e, p); sum.Status != store.RunFinished || sum.Created != 2 {
		t.Fatalf("undo: %+v", sum)
	}
	if crmv.live(late) {
		t.Errorf("the late record %s is still live after the undo", late)
	}
}

// What a resume's plan finds for a contact whose create it freed, and what
// it records: only a record holding exactly the sent E.164 and nothing
// else is the run's create; a create that never landed is made once.
func TestResumeTakesOnlyAnExactRecordForAFreedCreate(t *testing.T) {
	n := "+14155550142"
	cases := []struct {
		name    string
		phones  []string // the record that lands; nil: none
		created bool     // recorded as the run's create
	}{
		{"the create as sent", []string{n}, true},
		{"never landed", nil, true},
		{"another spelling", []string{"+1 415-555-0142"}, false},
		{"other phones too", []string{n, "+14155550199"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				db := openStore(t)
				cs := saveContacts(t, db, []contactSpec{{"14155550142", "Late"}})
				fc := newFakeCRM()
				runID := claimedByGoneProcess(t, db, fc, cs[0], time.Now())
				hook, landed := afterFreed(db, fc.Target(), func() string {
					if tc.phones == nil {
						return "none"
					}
					fc.mu.Lock()
					defer fc.mu.Unlock()
					return fc.add(crm.Record{Name: "Late", Phones: tc.phones}, time.Time{})
				})
				fc.onFind = func(context.Context, int) error { hook(); return nil }
				job, err := (&Engine{Store: db, CRM: fc}).Resume(ctx, runID, "US")
				if err != nil {
					t.Fatal(err)
				}
				if sum, _ := drain(t, job); sum.Status != store.RunFinished {
					t.Fatalf("resume: %+v", sum)
				}
				id := landed()
				o := outcomesByRaw(t, db, runID)["14155550142"]
				switch {
				case id == "":
					t.Fatal("the plan never searched after the claim was freed")
				case tc.phones == nil:
					if o.Status != store.OutcomeCreated || o.CRMID == "" || fc.count("create") != 1 || fc.byPhone()[n] != 1 {
						t.Errorf("outcome %+v after %d creates: want created once", o, fc.count("create"))
					}
				case tc.created:
					if o.Status != store.OutcomeCreated || o.CRMID != id {
						t.Errorf("outcome %+v: want created as %s", o, id)
					}
				default:
					if o.Status != store.OutcomeSkipped || o.Reason != reasonExists || o.CRMID != id {
						t.Errorf("outcome %+v: want skipped, %s exists", o, id)
					}
				}
				if tc.phones != nil && fc.count("create") != 0 {
					t.Errorf("%d creates sent for a number a record holds", fc.count("create"))
				}
				if fs, _ := db.FreedCreates(ctx, fc.Target(), runID); len(fs) != 0 {
					t.Errorf("freed creates kept after the outcome is final: %+v", fs)
				}
				if p, _ := db.PendingIntents(ctx, fc.Target()); len(p) != 0 {
					t.Errorf("claims left pending: %+v", p)
				}
			})
		})
	}
}

// Within one run: a create that timed out is searched for twice, not
// found, freed and sent again; the CRM refuses the second because the
// first has landed meanwhile and holds the number. That record, holding
// exactly the sent E.164, is the run's create; one holding other phones
// too is somebody else's, and its claim is dropped.
func TestResentCreateRefusedForItsOwnLateRecord(t *testing.T) {
	n := "+14155550142"
	for _, tc := range []struct {
		name    string
		phones  []string
		created bool
	}{
		{"the create as sent", []string{n}, true},
		{"other phones too", []string{n, "+14155550199"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				db := openStore(t)
				saveContacts(t, db, []contactSpec{{"14155550142", "Late"}})
				fc := newFakeCRM()
				var late string
				fc.onCreate = func(_ context.Context, call int) (bool, error) {
					if call == 1 {
						return false, &crm.Error{Reason: crm.ReasonTimeout, Message: "timed out"}
					}
					fc.mu.Lock()
					defer fc.mu.Unlock()
					if late == "" { // the first create lands now
						late = fc.add(crm.Record{Name: "Late", Phones: tc.phones}, time.Now())
						fc.existing[n] = late
					}
					return false, nil
				}
				e := &Engine{Store: db, CRM: fc}
				sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
				if sum.Status != store.RunFinished || fc.count("create") != 2 {
					t.Fatalf("run %+v after %d creates", sum, fc.count("create"))
				}
				o := outcomesByRaw(t, db, sum.RunID)["14155550142"]
				ids, err := db.CreatedRecords(ctx, fc.Target(), []string{n})
				if err != nil {
					t.Fatal(err)
				}
				if tc.created {
					if o.Status != store.OutcomeCreated || o.CRMID != late || ids[n] != late {
						t.Errorf("outcome %+v, ledger %v: want created as %s, the run's late create", o, ids, late)
					}
				} else if o.Status != store.OutcomeSkipped || o.Reason != reasonExists || o.CRMID != late || len(ids) != 0 {
					t.Errorf("outcome %+v, ledger %v: want skipped, %s exists", o, ids, late)
				}
				if fs, _ := db.FreedCreates(ctx, fc.Target(), sum.RunID); len(fs) != 0 {
					t.Errorf("freed creates kept after the outcome is final: %+v", fs)
				}
				if p, _ := db.PendingIntents(ctx, fc.Target()); len(p) != 0 {
					t.Errorf("claims left pending: %+v", p)
				}
			})
		})
	}
}
