package sync

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

func numberedContacts(n int, format string) []contactSpec {
	specs := make([]contactSpec, n)
	for i := range specs {
		specs[i] = contactSpec{fmt.Sprintf(format, i), fmt.Sprintf("Contact %d", i)}
	}
	return specs
}

// assertEveryContactFinal checks that each stored contact has a created,
// skipped or failed outcome in runID and that no number is held twice.
func assertEveryContactFinal(t *testing.T, db *store.DB, runID int64, fc *fakeCRM) {
	t.Helper()
	cs, err := db.Contacts(context.Background(), testNumber)
	if err != nil {
		t.Fatal(err)
	}
	outs := outcomesByRaw(t, db, runID)
	for _, c := range cs {
		if o, ok := outs[c.Phone]; !ok || o.Status == store.OutcomePending {
			t.Errorf("contact %s has no final outcome (%+v)", c.Phone, o)
		}
	}
	for phone, n := range fc.byPhone() {
		if n != 1 {
			t.Errorf("%s held by %d records", phone, n)
		}
	}
}

func TestCancelMidRunThenResume(t *testing.T) { synctest.Test(t, cancelMidRunThenResume) }

func cancelMidRunThenResume(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, numberedContacts(30, "1415302%04d"))
	fc := newFakeCRM()
	inFlight := make(chan struct{})
	fc.onCreate = func(ctx context.Context, n int) (bool, error) {
		if n != 2 {
			return false, nil
		}
		close(inFlight)
		<-ctx.Done()
		return true, ctx.Err() // created, but the answer never arrives
	}
	e := &Engine{Store: db, CRM: fc, Concurrency: 1}
	job, err := e.Start(context.Background(), mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	<-inFlight
	job.Cancel()
	sum, _ := drain(t, job)
	if sum.Status != store.RunCancelled || sum.Created != 10 {
		t.Fatalf("after cancel: %+v", sum)
	}
	if pend, _ := db.PendingIntents(context.Background(), fc.Target()); len(pend) != 10 {
		t.Fatalf("%d pending intents, want the 10 in flight", len(pend))
	}
	if fc.count("create") != 2 {
		t.Errorf("%d create calls: sending went on after cancel", fc.count("create"))
	}

	fc.mu.Lock()
	fc.onCreate = nil
	fc.mu.Unlock()
	job, err = e.Resume(context.Background(), sum.RunID, "US")
	if err != nil {
		t.Fatal(err)
	}
	sum, evs := drain(t, job)
	if sum.Status != store.RunFinished || sum.Created != 30 || sum.RunID != job.ID {
		t.Fatalf("after resume: %+v", sum)
	}
	if !hasPhase(evs, "resolving 10 unconfirmed creates") {
		t.Error("no resolving phase")
	}
	assertEveryContactFinal(t, db, sum.RunID, fc)
}

func hasPhase(evs []Event, name string) bool {
	for _, ev := range evs {
		if p, ok := ev.(Phase); ok && strings.Contains(p.Name, name) {
			return true
		}
	}
	return false
}

// A process killed after AddIntents leaves the run running and intents
// pending; some creates reached the CRM, some did not.
func TestResumeResolvesPendingIntentsWithoutDuplicates(t *testing.T) {
	synctest.Test(t, resumeResolvesPendingIntentsWithoutDuplicates)
}

func resumeResolvesPendingIntentsWithoutDuplicates(t *testing.T) {
	db := openStore(t)
	cs := saveContacts(t, db, numberedContacts(8, "1415303%04d"))
	fc := newFakeCRM()
	ctx := context.Background()
	runID, err := db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: "fake", Target: fc.Target(), Mode: store.ModeLive, Total: 8})
	if err != nil {
		t.Fatal(err)
	}
	var intents []store.Intent
	reached := map[string]string{}
	for i, c := range cs[:4] {
		e164 := "+" + c.Phone
		intents = append(intents, store.Intent{Target: fc.Target(), E164: e164, RunID: runID, ContactID: c.ID, State: store.IntentPending, CreatedAt: time.Now()})
		if i%2 == 0 {
			reached[e164] = fc.seed(c.FullName, e164)
		}
	}
	if err := db.AddIntents(ctx, intents); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Store: db, CRM: fc}
	job, err := e.Resume(ctx, runID, "US")
	if err != nil {
		t.Fatal(err)
	}
	sum, evs := drain(t, job)
	if sum.Status != store.RunFinished || sum.Created != 8 {
		t.Fatalf("summary %+v", sum)
	}
	if !hasPhase(evs, "resolving 4 unconfirmed creates") {
		t.Error("no resolving phase")
	}
	outs := outcomesByRaw(t, db, runID)
	for e164, id := range reached {
		if o := outs[e164[1:]]; o.CRMID != id {
			t.Errorf("%s: outcome points at %s, the CRM has it as %s", e164, o.CRMID, id)
		}
	}
	assertEveryContactFinal(t, db, runID, fc)
	if pend, _ := db.PendingIntents(ctx, fc.Target()); len(pend) != 0 {
		t.Errorf("pending intents left: %v", pend)
	}
}

// Nobody reads the events while the run makes three times what the buffer
// holds (one per outcome): the run ends all the same, the buffer full.
func TestEventsNeverBlockTheRun(t *testing.T) {
	t.Parallel() // busy, but waits for nothing
	const contacts = 3 * eventBuffer
	db := openStore(t)
	saveContacts(t, db, numberedContacts(contacts, "1415304%04d"))
	fc := newFakeCRM()
	fc.limits.CreateBatch = 100
	e := &Engine{Store: db, CRM: fc}
	job, err := e.Start(context.Background(), mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	sum := job.Wait() // nobody reads the events meanwhile
	if sum.Created != contacts {
		t.Fatalf("summary %+v", sum)
	}
	var evs []Event
	for ev := range job.Events() {
		evs = append(evs, ev)
	}
	if len(evs) != eventBuffer {
		// Fewer: the buffer never filled, and nothing was shown.
		t.Errorf("%d events buffered, want the buffer full (%d)", len(evs), eventBuffer)
	}
	if d, ok := evs[len(evs)-1].(Done); !ok || d.Summary.Created != contacts {
		t.Errorf("last event %#v", evs[len(evs)-1])
	}
}

func TestCRMNoticesBecomeEvents(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, numberedContacts(3, "1415305%04d"))
	fc := newFakeCRM()
	fc.onCreate = func(ctx context.Context, n int) (bool, error) {
		crm.Notify(ctx, crm.Notice{Kind: crm.NoticeWait, Endpoint: "batch/create", Wait: time.Second, Reason: crm.ReasonRateLimited, Detail: "TEN_SECONDLY_ROLLING"})
		crm.Notify(ctx, crm.Notice{Kind: crm.NoticeRetry, Endpoint: "batch/create", Attempt: 2, Reason: crm.ReasonServerError, Detail: "down\x1b]0;pwned\x07"})
		return false, nil
	}
	e := &Engine{Store: db, CRM: fc}
	_, evs := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	var limited, retrying bool
	for _, ev := range evs {
		switch ev := ev.(type) {
		case RateLimited:
			limited = ev.Detail == "TEN_SECONDLY_ROLLING" && ev.Wait == time.Second
		case Retrying:
			retrying = ev.Attempt == 2 && !strings.ContainsAny(ev.Detail, "\x1b\x07")
		}
	}
	if !limited || !retrying {
		t.Errorf("rate limited %v, retrying %v", limited, retrying)
	}
}

// In a synctest bubble: the run lasts exactly its creates' waits.
func TestProgressIsCoalesced(t *testing.T) { synctest.Test(t, progressIsCoalesced) }

func progressIsCoalesced(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, numberedContacts(400, "1415306%04d"))
	fc := newFakeCRM()
	fc.onCreate = func(context.Context, int) (bool, error) {
		time.Sleep(50 * time.Millisecond) // 40 creates: ten ticks
		return false, nil
	}
	e := &Engine{Store: db, CRM: fc, Concurrency: 1}
	start := time.Now()
	_, evs := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	elapsed := time.Since(start)
	progress := 0
	for _, ev := range evs {
		if _, ok := ev.(Progress); ok {
			progress++
		}
	}
	if limit := int(elapsed/progressEvery) + 2; progress > limit || elapsed < 5*progressEvery {
		t.Errorf("%d Progress events in %s (at most %d, over at least five ticks)", progress, elapsed, limit)
	}
	if last := evs[len(evs)-2].(Progress); last.Done != 400 || last.Created != 400 {
		t.Errorf("final progress %+v", last)
	}
}
