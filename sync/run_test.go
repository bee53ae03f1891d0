package sync

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"

	"coexsync/crm"
	"coexsync/store"
)

func TestRunRecordsEveryStatus(t *testing.T) {
	f := newFixture(t)
	p := mustPlan(t, f.e)
	sum, evs := runToEnd(t, f.e, p, RunOptions{Mode: store.ModeLive})

	if sum.Status != store.RunFinished || sum.Err != nil {
		t.Fatalf("summary %+v", sum)
	}
	if sum.Created != 2 || sum.Skipped != 7 || sum.Failed != 2 || len(sum.Failures) != 2 {
		t.Errorf("created %d skipped %d failed %d failures %d", sum.Created, sum.Skipped, sum.Failed, len(sum.Failures))
	}
	outs := outcomesByRaw(t, f.db, sum.RunID)
	if len(outs) != len(fixtureContacts) {
		t.Fatalf("%d outcomes for %d contacts", len(outs), len(fixtureContacts))
	}
	check := func(raw string, st store.OutcomeStatus, reason string) store.Outcome {
		t.Helper()
		o := outs[raw]
		if o.Status != st || o.Reason != reason {
			t.Errorf("%s: %s/%s, want %s/%s", raw, o.Status, o.Reason, st, reason)
		}
		return o
	}
	created := check("14155550101", store.OutcomeCreated, "")
	if rec, ok := f.crm.record(created.CRMID); !ok || rec.Name != "New Person" || rec.Phones[0] != "+14155550101" {
		t.Errorf("created record %+v", rec)
	}
	check("442079460958", store.OutcomeCreated, "")
	if o := check("14155550102", store.OutcomeSkipped, "exists"); o.CRMID != f.ids["named"] {
		t.Errorf("exists outcome points at %s", o.CRMID)
	}
	check("+1 415 555 0101", store.OutcomeSkipped, "duplicate")
	if o := check("14155550105", store.OutcomeSkipped, "ambiguous"); !strings.Contains(o.ReasonText, f.ids["amb1"]) || !strings.Contains(o.ReasonText, f.ids["amb2"]) {
		t.Errorf("ambiguous text does not list the records: %q", o.ReasonText)
	}
	check("123", store.OutcomeFailed, outs["123"].Reason)
	check("US.1349", store.OutcomeFailed, "no_phone_number")

	// Names are written only where the CRM had none.
	if rec, _ := f.crm.record(f.ids["empty"]); rec.Name != "Fill Me" {
		t.Errorf("empty name not filled: %+v", rec)
	}
	if rec, _ := f.crm.record(f.ids["named"]); rec.Name != "Existing Name" {
		t.Errorf("existing name overwritten: %+v", rec)
	}
	if rec, _ := f.crm.record(f.ids["noname"]); rec.HasName() {
		t.Errorf("name written where WhatsApp had none: %+v", rec)
	}
	if o := outs["14155550103"]; !strings.Contains(o.ReasonText, "filled") {
		t.Errorf("fill not noted: %q", o.ReasonText)
	}

	// The ledger now knows the created numbers; nothing stays pending.
	got, err := f.db.CreatedRecords(context.Background(), f.crm.Target(), []string{"+14155550101", "+442079460958"})
	if err != nil || len(got) != 2 {
		t.Errorf("ledger %v %v", got, err)
	}
	if pend, _ := f.db.PendingIntents(context.Background(), f.crm.Target()); len(pend) != 0 {
		t.Errorf("pending intents left: %v", pend)
	}

	last := evs[len(evs)-2].(Progress)
	if last.Done != len(fixtureContacts) || last.Total != len(fixtureContacts) {
		t.Errorf("final progress %+v", last)
	}
	outcomeEvents := 0
	for _, ev := range evs {
		if _, ok := ev.(OutcomeEvent); ok {
			outcomeEvents++
		}
	}
	if outcomeEvents != len(fixtureContacts) {
		t.Errorf("%d outcome events", outcomeEvents)
	}
}

func TestRerunOfFinishedSyncCreatesNothing(t *testing.T) {
	f := newFixture(t)
	f.crm.hidden = 1e12 // new records never show in search: only the ledger knows
	runToEnd(t, f.e, mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	creates := f.crm.count("create")

	p := mustPlan(t, f.e)
	if p.Counts[StatusCreate] != 0 {
		t.Fatalf("second plan wants to create %d", p.Counts[StatusCreate])
	}
	sum, _ := runToEnd(t, f.e, p, RunOptions{Mode: store.ModeLive})
	if f.crm.count("create") != creates || sum.Created != 0 {
		t.Errorf("re-run created: %d calls, %d created", f.crm.count("create")-creates, sum.Created)
	}
}

func TestNameFillFailureKeepsContactSkipped(t *testing.T) {
	f := newFixture(t)
	f.crm.nameErr = func(string) *crm.Error {
		return &crm.Error{Reason: crm.ReasonValidation, Status: 400, Message: "bad\x1b[31m name"}
	}
	sum, _ := runToEnd(t, f.e, mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	o := outcomesByRaw(t, f.db, sum.RunID)["14155550103"]
	if o.NameFilled || o.Status != store.OutcomeSkipped || o.Reason != "exists" || !strings.Contains(o.ReasonText, "failed") {
		t.Errorf("fill failure outcome %+v: want skipped, exists, failed, not filled", o)
	}
	if strings.ContainsRune(o.ReasonText, 0x1b) {
		t.Errorf("CRM text stored unsanitized: %q", o.ReasonText)
	}
	if got, err := f.db.NamesFilled(context.Background(), sum.RunID); err != nil || len(got) != 0 {
		t.Errorf("NamesFilled = %v, %v; want none", got, err)
	}
}

// In a synctest bubble: the server errors leave creates in doubt, and each
// doubt is judged only after the search lag and the resolve margin, which
// pass on the bubble's clock.
func TestCreateItemResults(t *testing.T) { synctest.Test(t, createItemResults) }

func createItemResults(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, []contactSpec{
		{"14155550201", "permanent"}, {"14155550202", "flaky"}, {"14155550203", "always"}, {"14155550204", "conflict"},
	})
	fc := newFakeCRM()
	fc.existing["+14155550204"] = "rec-existing"
	fc.itemErr = func(ref string, attempt int) *crm.Error {
		switch {
		case ref == "+14155550201":
			return &crm.Error{Reason: crm.ReasonInvalidPhone, Status: 400, Message: "INVALID_PHONE"}
		case ref == "+14155550202" && attempt == 1, ref == "+14155550203":
			return &crm.Error{Reason: crm.ReasonServerError, Status: 500}
		}
		return nil
	}
	e := &Engine{Store: db, CRM: fc}
	sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	outs := outcomesByRaw(t, db, sum.RunID)

	if o := outs["14155550201"]; o.Status != store.OutcomeFailed || o.Reason != "invalid_phone" || !strings.Contains(o.ReasonText, "INVALID_PHONE") {
		t.Errorf("permanent: %+v", o)
	}
	if o := outs["14155550202"]; o.Status != store.OutcomeCreated || o.Attempts != 2 {
		t.Errorf("flaky: %+v", o)
	}
	if o := outs["14155550203"]; o.Status != store.OutcomeFailed || o.Reason != "server_error" || o.Attempts != maxCreateAttempts {
		t.Errorf("always failing: %+v", o)
	}
	if o := outs["14155550204"]; o.Status != store.OutcomeSkipped || o.Reason != "exists" || o.CRMID != "rec-existing" {
		t.Errorf("conflict: %+v", o)
	}
	if pend, _ := db.PendingIntents(context.Background(), fc.Target()); len(pend) != 0 {
		t.Errorf("pending intents left: %+v", pend)
	}
	if got, _ := db.CreatedRecords(context.Background(), fc.Target(), []string{"+14155550204"}); len(got) != 0 {
		t.Errorf("ledger claims a record coexsync did not create: %v", got)
	}
}

// In a synctest bubble, as TestCreateItemResults: the failed calls' creates
// are searched again only after the search lag and the resolve margin.
func TestTemporaryCallFailureIsRecheckedNotCreatedTwice(t *testing.T) {
	synctest.Test(t, temporaryCallFailureIsRecheckedNotCreatedTwice)
}

func temporaryCallFailureIsRecheckedNotCreatedTwice(t *testing.T) {
	db := openStore(t)
	specs := make([]contactSpec, 25)
	for i := range specs {
		specs[i] = contactSpec{fmt.Sprintf("1415301%04d", i*7), "x"}
	}
	saveContacts(t, db, specs)
	fc := newFakeCRM()
	fc.onCreate = func(_ context.Context, n int) (bool, error) {
		switch n {
		case 1: // the records were made, the answer got lost
			return true, &crm.Error{Reason: crm.ReasonTimeout}
		case 2: // refused outright
			return false, &crm.Error{Reason: crm.ReasonServerError, Status: 503}
		}
		return false, nil
	}
	e := &Engine{Store: db, CRM: fc, Concurrency: 1}
	sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if sum.Created != 25 || sum.Failed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	for phone, n := range fc.byPhone() {
		if n != 1 {
			t.Errorf("%s held by %d records", phone, n)
		}
	}
	if fc.count("find") < 2 {
		t.Errorf("no re-check search after the failed calls")
	}
}

func TestRefusedTokenFailsTheRun(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, []contactSpec{{"14155550301", "a"}, {"14155550302", "b"}, {"14155550303", "c"}})
	fc := newFakeCRM()
	fc.limits.CreateBatch = 1
	fc.onCreate = func(context.Context, int) (bool, error) {
		return false, &crm.Error{Reason: crm.ReasonUnauthorized, Status: 401, Message: "expired"}
	}
	e := &Engine{Store: db, CRM: fc, Concurrency: 1}
	sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if sum.Status != store.RunFailed || sum.Failed != 3 || fc.count("create") != 1 {
		t.Errorf("status %s failed %d after %d create calls", sum.Status, sum.Failed, fc.count("create"))
	}
	for _, o := range sum.Failures {
		if o.Reason != "unauthorized" {
			t.Errorf("failure reason %q", o.Reason)
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	p := mustPlan(t, f.e)
	sum, _ := runToEnd(t, f.e, p, RunOptions{Mode: store.ModeDryRun})
	if f.crm.count("create") != 0 || f.crm.count("names") != 0 {
		t.Error("dry run called the CRM")
	}
	if sum.Created != p.Counts[StatusCreate] || sum.Failed != p.Counts[StatusInvalid] || sum.RunID != 0 {
		t.Errorf("dry run summary %+v", sum)
	}
	runs, err := f.db.Runs(context.Background(), 10, 0)
	if err != nil || len(runs) != 1 { // the fixture's own earlier run only
		t.Errorf("runs %v %v", runs, err)
	}
}

func TestRetryPlansOnlyFailedContacts(t *testing.T) {
	f := newFixture(t)
	first, _ := runToEnd(t, f.e, mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	p, err := f.e.PlanRetry(context.Background(), first.RunID, "US")
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's failures are all unreadable numbers: none is sent
	// again, all are accounted for.
	if first.Failed == 0 || len(p.Rows) != 0 || p.LeftOut.Count != first.Failed {
		t.Fatalf("retry of %d failures: %d rows, %d left out", first.Failed, len(p.Rows), p.LeftOut.Count)
	}
}
