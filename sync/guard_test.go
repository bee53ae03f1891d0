package sync

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

// A plan kept after its run (the console's old confirm screen, a script
// holding it) is sent again: the claims stop every create, even though
// search never shows the records.
func TestStalePlanRunAgainCreatesNothing(t *testing.T) {
	f := newFixture(t)
	f.crm.hidden = 1e12
	p := mustPlan(t, f.e)
	first, _ := runToEnd(t, f.e, p, RunOptions{Mode: store.ModeLive})
	creates := f.crm.count("create")
	second, _ := runToEnd(t, f.e, p, RunOptions{Mode: store.ModeLive})
	if f.crm.count("create") != creates || second.Created != 0 {
		t.Fatalf("the same plan ran twice: %d more create calls, %d created", f.crm.count("create")-creates, second.Created)
	}
	if second.Skipped != first.Created+first.Skipped {
		t.Errorf("second run skipped %d, want %d", second.Skipped, first.Created+first.Skipped)
	}
	firstOuts := outcomesByRaw(t, f.db, first.RunID)
	for raw, o := range outcomesByRaw(t, f.db, second.RunID) {
		if firstOuts[raw].Status == store.OutcomeCreated && !strings.Contains(o.ReasonText, fmt.Sprintf("Created by run #%d", first.RunID)) {
			t.Errorf("%s: %q does not name the run that created it", raw, o.ReasonText)
		}
	}
	assertNoDuplicateFake(t, f.crm)
}

// A process died with creates in flight: some reached the CRM (not yet
// searchable), some did not. A new sync, not a resume, must confirm them
// before sending anything for those numbers.
func TestNewSyncAfterKilledRunConfirmsItsCreates(t *testing.T) {
	synctest.Test(t, newSyncAfterKilledRunConfirmsItsCreates)
}

func newSyncAfterKilledRunConfirmsItsCreates(t *testing.T) {
	db := openStore(t)
	cs := saveContacts(t, db, numberedContacts(6, "1415304%04d"))
	fc := newFakeCRM()
	fc.hidden, fc.limits.SearchLag = 300*time.Millisecond, 300*time.Millisecond
	ctx := context.Background()
	deadRun, err := db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: "fake", Target: fc.Target(), Mode: store.ModeLive, Total: 6})
	if err != nil {
		t.Fatal(err)
	}
	var claims []store.Claim
	var numbers []string
	for _, c := range cs[:4] {
		n := "+" + c.Phone
		claims = append(claims, store.Claim{Number: n, RunID: deadRun, ContactID: c.ID, Owner: "gone-process"})
		numbers = append(numbers, n)
	}
	if _, err := db.ClaimCreates(ctx, fc.Target(), claims); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, fc.Target(), "gone-process", numbers[:3], time.Now().Add(fc.limits.RequestTimeout)); err != nil {
		t.Fatal(err)
	}
	landed := map[string]string{}
	for _, n := range numbers[:2] { // sent and made; the third was sent and lost
		landed[n] = fc.add(crm.Record{Name: "landed", Phones: []string{n}}, time.Now())
	}
	// numbers[3] was claimed but its process died before sending.

	e := &Engine{Store: db, CRM: fc}
	p := mustPlan(t, e)
	flagged := 0
	for _, row := range p.Rows {
		if row.PendingRun == deadRun {
			flagged++
		}
	}
	if flagged != 4 {
		t.Errorf("the preview flags %d rows as pending in run #%d, want 4", flagged, deadRun)
	}
	sum, evs := runToEnd(t, e, p, RunOptions{Mode: store.ModeLive})
	if sum.Status != store.RunFinished {
		t.Fatalf("summary %+v", sum)
	}
	if !hasPhase(evs, "confirming") {
		t.Error("no phase says creates in doubt are being confirmed")
	}
	assertNoDuplicateFake(t, fc)
	outs := outcomesByRaw(t, db, sum.RunID)
	for n, id := range landed {
		o := outs[n[1:]]
		if o.Status != store.OutcomeSkipped || o.CRMID != id || !strings.Contains(o.ReasonText, "run #1") {
			t.Errorf("%s: %+v, want skipped as record %s created by run #1", n, o, id)
		}
	}
	if sum.Created != 4 {
		t.Errorf("created %d, want the 4 numbers nobody made", sum.Created)
	}
	old := outcomesByRaw(t, db, deadRun)
	for n, id := range landed {
		if o := old[n[1:]]; o.Status != store.OutcomeCreated || o.CRMID != id {
			t.Errorf("the dead run's outcome of %s: %+v, want created as %s", n, o, id)
		}
	}
	if pend, _ := db.PendingIntents(ctx, fc.Target()); len(pend) != 0 {
		t.Errorf("claims left pending: %+v", pend)
	}
}

// Two writers for one number and CRM account: the second is refused with
// a sentence naming the run that writes, and may start once it is over.
func TestSecondWriterIsRefused(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	f.crm.onCreate = func(ctx context.Context, n int) (bool, error) {
		if n == 1 {
			<-release
		}
		return false, nil
	}
	job, err := f.e.Start(context.Background(), mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	other := &Engine{Store: f.db, CRM: f.crm}
	_, err = other.Start(context.Background(), mustPlan(t, other), RunOptions{Mode: store.ModeLive})
	var held *LeaseHeldError
	if !errors.As(err, &held) || held.Holder.RunID != job.ID || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second start: %v", err)
	}
	if _, err := other.Resume(context.Background(), job.ID, ""); !errors.As(err, &held) {
		t.Fatalf("resume of a running run: %v", err)
	}
	close(release)
	drain(t, job)
	sum, _ := runToEnd(t, other, mustPlan(t, other), RunOptions{Mode: store.ModeLive})
	if sum.Created != 0 || sum.Status != store.RunFinished {
		t.Errorf("the sync after the first: %+v", sum)
	}
	assertNoDuplicateFake(t, f.crm)
}

// The refusal tells the agent what works: a live holder on this host is
// stopped first (a gone one would have lost its lease without --force);
// only a holder elsewhere, which this host cannot check, is for --force.
func TestLeaseRefusalSaysWhatToDo(t *testing.T) {
	here := (&LeaseHeldError{Holder: store.Lease{RunID: 3, PID: 4242, Host: hostname()}}).Error()
	if !strings.Contains(here, "kill 4242") || strings.Contains(here, "if that process is gone") || !strings.Contains(here, "run #3") {
		t.Errorf("holder on this host: %q", here)
	}
	there := (&LeaseHeldError{Holder: store.Lease{RunID: 3, PID: 4242, Host: "elsewhere"}}).Error()
	if !strings.Contains(there, "--force if that process is gone") || strings.Contains(there, "kill") {
		t.Errorf("holder on another host: %q", there)
	}
}

// A lease whose process is gone (same host, pid exited) is taken over at
// once, and the run's log says so.
func TestLeaseOfAGoneProcessIsTakenOver(t *testing.T) {
	f := newFixture(t)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	gone := store.Lease{Target: f.crm.Target(), NumberID: testNumber, RunID: 77, Owner: "gone", PID: cmd.Process.Pid,
		Host: hostname(), StartedAt: time.Now(), HeartbeatAt: time.Now()}
	if _, ok, err := f.db.AcquireLease(ctx, gone, nil); err != nil || !ok {
		t.Fatal(ok, err)
	}
	sum, _ := runToEnd(t, f.e, mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	if sum.Status != store.RunFinished {
		t.Fatalf("summary %+v", sum)
	}
	notes, err := f.db.RunNotes(ctx, sum.RunID)
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0].Text, "run #77") {
		t.Fatalf("run notes %+v, %v", notes, err)
	}
}

// Killed (here: cancelled) while a create was in flight that the CRM makes
// only later, within the client's timeout: the resume waits until it could
// show in search, finds it and records it as created, never twice.
func TestResumeWaitsForCreatesStillLanding(t *testing.T) {
	synctest.Test(t, resumeWaitsForCreatesStillLanding)
}

func resumeWaitsForCreatesStillLanding(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, numberedContacts(20, "1415305%04d"))
	fc := newFakeCRM()
	// The create lands later than search lag plus margin, but within the
	// client's timeout: only a wait counted from the timeout sees it.
	fc.limits.RequestTimeout = 4 * time.Second
	inFlight := make(chan struct{})
	fc.onCreate = func(ctx context.Context, n int) (bool, error) {
		if n != 2 {
			return false, nil
		}
		close(inFlight)
		<-ctx.Done()
		return true, ctx.Err()
	}
	fc.landLate = resolveMargin + time.Second // the CRM is still working on it
	fc.landed = make(chan struct{})
	e := &Engine{Store: db, CRM: fc, Concurrency: 1}
	job, err := e.Start(context.Background(), mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	<-inFlight
	job.Cancel()
	drain(t, job)
	fc.onCreate = nil

	job, err = e.Resume(context.Background(), job.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := drain(t, job)
	if sum.Status != store.RunFinished || sum.Created != 20 {
		t.Fatalf("summary %+v", sum)
	}
	<-fc.landed
	assertNoDuplicateFake(t, fc)
	assertEveryContactFinal(t, db, job.ID, fc)
}

// Resume without a region reads national numbers in the business number's
// country, as the run did, whatever cache the caller has.
func TestResumeReadsNumbersInTheRunsRegion(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	if err := db.UpsertNumbers(ctx, []store.Number{{ID: testNumber, DisplayPhoneNumber: "+44 20 7946 0000"}}); err != nil {
		t.Fatal(err)
	}
	saveContacts(t, db, []contactSpec{{"020 7946 0101", "A"}, {"020 7946 0102", "B"}, {"+1 415 555 0103", "C"}})
	fc := newFakeCRM()
	e := &Engine{Store: db, CRM: fc}
	p, err := e.Plan(ctx, testNumber, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Region != "GB" || p.Counts[StatusInvalid] != 0 {
		t.Fatalf("plan region %q, counts %v", p.Region, p.Counts)
	}
	release := make(chan struct{})
	fc.onCreate = func(ctx context.Context, n int) (bool, error) {
		<-ctx.Done()
		return false, ctx.Err()
	}
	job, err := e.Start(ctx, p, RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	job.Cancel()
	close(release)
	drain(t, job)
	fc.onCreate = nil
	job, err = e.Resume(ctx, job.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := drain(t, job)
	if sum.Failed != 0 || sum.Created != 3 {
		t.Fatalf("resume without a region: %+v", sum)
	}
}

func assertNoDuplicateFake(t *testing.T, fc *fakeCRM) {
	t.Helper()
	for phone, n := range fc.byPhone() {
		if n != 1 {
			t.Errorf("%s held by %d records", phone, n)
		}
	}
}

// --force takes the lease from a live holder; the holder learns at its next
// heartbeat, stops writing and ends interrupted, and nothing is created
// twice.
func TestForceTakesOverAndTheHolderStops(t *testing.T) {
	synctest.Test(t, forceTakesOverAndTheHolderStops)
}

func forceTakesOverAndTheHolderStops(t *testing.T) {
	f := newFixture(t)
	stuck := make(chan struct{})
	f.crm.onCreate = func(ctx context.Context, n int) (bool, error) {
		if n == 1 {
			close(stuck)
			<-ctx.Done() // the first writer is stuck in its first create
			return false, ctx.Err()
		}
		return false, nil
	}
	first, err := f.e.Start(context.Background(), mustPlan(t, f.e), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	<-stuck // the second writer starts while the first is mid-create
	forced := &Engine{Store: f.db, CRM: f.crm, Force: true}
	second, err := forced.Start(context.Background(), mustPlan(t, forced), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatalf("forced start: %v", err)
	}
	gone, _ := drain(t, first)
	if gone.Status != store.RunInterrupted || !errors.Is(gone.Err, errLeaseLost) {
		t.Errorf("the displaced run ended %s (%v), want interrupted by the lost lease", gone.Status, gone.Err)
	}
	sum, _ := drain(t, second)
	if sum.Status != store.RunFinished {
		t.Fatalf("forced run: %+v", sum)
	}
	notes, _ := f.db.RunNotes(context.Background(), sum.RunID)
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "--force") {
		t.Errorf("run notes %+v", notes)
	}
	assertNoDuplicateFake(t, f.crm)
}

// The dead process had a longer request timeout than this one: its create
// may land later than this process's own timeout would allow. The wait
// follows the land-by time the sender recorded.
func TestWaitFollowsTheSendersTimeout(t *testing.T) { synctest.Test(t, waitFollowsTheSendersTimeout) }

func waitFollowsTheSendersTimeout(t *testing.T) {
	db := openStore(t)
	cs := saveContacts(t, db, numberedContacts(3, "1415306%04d"))
	fc := newFakeCRM() // this process: 50 ms timeout
	n := "+" + cs[0].Phone
	late := resolveMargin + time.Second
	claimedByGoneProcess(t, db, fc, cs[0], time.Now().Add(late+500*time.Millisecond))
	landed := make(chan struct{})
	go func() {
		time.Sleep(late) // the slow process's create is still on its way
		fc.mu.Lock()
		fc.add(crm.Record{Name: "late", Phones: []string{n}}, time.Now())
		fc.mu.Unlock()
		close(landed)
	}()
	e := &Engine{Store: db, CRM: fc}
	sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	<-landed
	if sum.Status != store.RunFinished || sum.Created != 2 || sum.Skipped != 1 {
		t.Errorf("summary %+v", sum)
	}
	assertNoDuplicateFake(t, fc)
}

// A create in doubt is confirmed only by a record holding exactly the
// E.164 that was sent: a stranger's record whose digits read as the same
// number (a Maine "(207) 946-0958" for a London +44 20 7946 0958) is not
// that create, and the contact is created rather than recorded as created.
func TestDoubtIsNotSettledByAStrangersRecord(t *testing.T) {
	synctest.Test(t, doubtIsNotSettledByAStrangersRecord)
}

func doubtIsNotSettledByAStrangersRecord(t *testing.T) {
	db := openStore(t)
	cs := saveContacts(t, db, []contactSpec{{"442079460958", "London"}})
	fc := newFakeCRM()
	fc.hidden, fc.limits.SearchLag = 300*time.Millisecond, 300*time.Millisecond
	n := "+442079460958"
	claimedByGoneProcess(t, db, fc, cs[0], time.Now())
	fc.mu.Lock()
	maine := fc.add(crm.Record{Name: "Maine", Phones: []string{"(207) 946-0958"}}, time.Now())
	fc.mu.Unlock()
	e := &Engine{Store: db, CRM: fc}
	sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	o := outcomesByRaw(t, db, sum.RunID)["442079460958"]
	if o.Status != store.OutcomeCreated || o.CRMID == maine || o.CRMID == "" {
		t.Fatalf("London's outcome %+v: want created as a record of its own, not Maine's %s", o, maine)
	}
	if rec, ok := fc.record(o.CRMID); !ok || len(rec.Phones) != 1 || rec.Phones[0] != n {
		t.Fatalf("created record %+v", rec)
	}
}

// A desk line holding the number with an extension (HubSpot's calculated
// copy drops the extension) is not the create in doubt either.
func TestDoubtIsNotSettledByADeskLine(t *testing.T) { synctest.Test(t, doubtIsNotSettledByADeskLine) }

func doubtIsNotSettledByADeskLine(t *testing.T) {
	db := openStore(t)
	cs := saveContacts(t, db, []contactSpec{{"14155550177", "Desk owner"}})
	fc := newFakeCRM()
	// Hidden from the plan, so the plan says create; shown by the time the
	// doubt is searched (lag plus margin later).
	fc.hidden, fc.limits.SearchLag = 1500*time.Millisecond, 1500*time.Millisecond
	n := "+14155550177"
	claimedByGoneProcess(t, db, fc, cs[0], time.Now())
	fc.mu.Lock()
	desk := fc.add(crm.Record{Name: "Front desk", Phones: []string{"+1 415 555 0177 x12", n}}, time.Now())
	fc.mu.Unlock()
	e := &Engine{Store: db, CRM: fc}
	sum, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if o := outcomesByRaw(t, db, sum.RunID)["14155550177"]; o.Status != store.OutcomeCreated || o.CRMID == desk {
		t.Fatalf("outcome %+v: want created as its own record, not the desk line %s", o, desk)
	}
}

// claimedByGoneProcess leaves what a killed process leaves: a run, a
// pending claim of c's number under an owner holding no lease, and the
// time by which its create, sent, could land.
func claimedByGoneProcess(t *testing.T, db *store.DB, fc *fakeCRM, c store.Contact, landBy time.Time) int64 {
	t.Helper()
	return sentByGoneProcess(t, db, fc, c, landBy)
}

// sentByGoneProcess is claimedByGoneProcess into any CRM client.
func sentByGoneProcess(t *testing.T, db *store.DB, client crm.Client, c store.Contact, landBy time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	runID, err := db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: client.Name(), Target: client.Target(), Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	n := "+" + c.Phone
	if _, err := db.ClaimCreates(ctx, client.Target(), []store.Claim{{Number: n, RunID: runID, ContactID: c.ID, Owner: "gone"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, client.Target(), "gone", []string{n}, landBy); err != nil {
		t.Fatal(err)
	}
	return runID
}

// A resume looks for the creates its run's dead process sent; one the
// CRM's search does not show at once (it did, under load, moments later)
// is looked for again before its claim is freed: otherwise the landed
// record would be taken for somebody else's and the contact skipped as
// existing, and an undo of the run would never archive it.
func TestResumeSearchesAgainBeforeFreeingASentCreate(t *testing.T) {
	synctest.Test(t, resumeSearchesAgainBeforeFreeingASentCreate)
}

func resumeSearchesAgainBeforeFreeingASentCreate(t *testing.T) {
	db := openStore(t)
	cs := saveContacts(t, db, []contactSpec{{"14155550142", "Late"}})
	fc := newFakeCRM()
	fc.limits.SearchLag = time.Second
	landBy := time.Now()
	runID := claimedByGoneProcess(t, db, fc, cs[0], landBy)
	fc.mu.Lock() // shows in search a second after the first look
	id := fc.add(crm.Record{Phones: []string{"+14155550142"}}, landBy.Add(fc.limits.SearchLag+resolveMargin+time.Second))
	fc.mu.Unlock()
	job, err := (&Engine{Store: db, CRM: fc}).Resume(context.Background(), runID, "US")
	if err != nil {
		t.Fatal(err)
	}
	if sum, _ := drain(t, job); sum.Status != store.RunFinished {
		t.Fatalf("resume: %+v", sum)
	}
	if o := outcomesByRaw(t, db, runID)["14155550142"]; o.Status != store.OutcomeCreated || o.CRMID != id {
		t.Errorf("outcome %+v: want created as %s, the dead process's create", o, id)
	}
	if n := fc.count("create"); n != 0 {
		t.Errorf("%d creates sent for a number already created", n)
	}
}
