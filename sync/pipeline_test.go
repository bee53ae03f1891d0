package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/store"
)

// pipelineWorld is a store and a fake CRM holding every case a sync meets:
// the fixture's statuses (create, exists with and without a name to fill,
// ambiguous, duplicate, invalid, no phone, the ledger, a candidate match),
// more contacts than one lookup batch holds, and the claims a killed run
// left: one create that landed, one sent and lost, one never sent.
type pipelineWorld struct {
	db      *store.DB
	crm     *fakeCRM
	e       *Engine
	deadRun int64
	landed  string // the killed run's create that lands late
}

func newPipelineWorld(t *testing.T) *pipelineWorld {
	t.Helper()
	f := newFixture(t)
	w := &pipelineWorld{db: f.db, crm: f.crm, e: f.e}
	// Small batches: the lookups, creates and fills span many calls.
	w.crm.limits.FindBatch, w.crm.limits.CreateBatch, w.crm.limits.UpdateBatch = 4, 3, 2
	more := numberedContacts(30, "1415308%04d")
	for i := range more {
		if i%5 == 1 {
			name := ""
			if i%10 == 1 {
				name = "Known"
			}
			w.crm.seed(name, fmt.Sprintf("(415) 308-%04d", i))
		}
	}
	// The CRM refuses one create for good, once: the retry sends it again.
	refused := "+14153080004"
	w.crm.itemErr = func(ref string, attempt int) *crm.Error {
		if ref == refused && attempt == 1 {
			return &crm.Error{Reason: crm.ReasonValidation, Status: 400, Message: "refused once"}
		}
		return nil
	}
	cs := saveContacts(t, w.db, more)
	dead := cs[len(cs)-3:]
	ctx := context.Background()
	var err error
	w.deadRun, err = w.db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: "fake", Target: w.crm.Target(), Mode: store.ModeLive, Total: len(cs)})
	if err != nil {
		t.Fatal(err)
	}
	var claims []store.Claim
	var sent []string
	for i, c := range dead {
		n := "+" + c.Phone
		claims = append(claims, store.Claim{Number: n, RunID: w.deadRun, ContactID: c.ID, Owner: "gone-process"})
		if i < 2 {
			sent = append(sent, n)
		}
	}
	if _, err := w.db.ClaimCreates(ctx, w.crm.Target(), claims); err != nil {
		t.Fatal(err)
	}
	if err := w.db.MarkSent(ctx, w.crm.Target(), "gone-process", sent, time.Now().Add(w.crm.limits.RequestTimeout)); err != nil {
		t.Fatal(err)
	}
	w.landed = sent[0]
	return w
}

// drain reads job's events to the end. The killed run's first create
// lands while the sync waits to confirm the creates in doubt: after every
// lookup, so no lookup can have seen it, whatever their timing.
func (w *pipelineWorld) drain(t *testing.T, job *Job) (RunSummary, []Event) {
	t.Helper()
	var evs []Event
	for ev := range job.Events() {
		evs = append(evs, ev)
		if p, ok := ev.(Phase); ok && strings.HasPrefix(p.Name, "confirming") && w.landed != "" {
			w.crm.mu.Lock()
			w.crm.add(crm.Record{Name: "landed", Phones: []string{w.landed}}, time.Now())
			w.crm.mu.Unlock()
			w.landed = ""
		}
	}
	if _, ok := evs[len(evs)-1].(Done); !ok {
		t.Fatalf("last event is %T, want Done", evs[len(evs)-1])
	}
	return job.Wait(), evs
}

// syncRun is what a sync left: its summary, every outcome of it and of the
// killed run, and the CRM calls it made.
type syncRun struct {
	sum   RunSummary
	evs   []Event
	outs  []store.Outcome
	dead  []store.Outcome
	calls map[string]int
}

func (w *pipelineWorld) run(t *testing.T, job *Job) syncRun {
	t.Helper()
	sum, evs := w.drain(t, job)
	res := syncRun{sum: sum, evs: evs, calls: map[string]int{}}
	var err error
	if res.outs, _, err = w.db.Outcomes(context.Background(), store.OutcomeFilter{RunID: sum.RunID}); err != nil {
		t.Fatal(err)
	}
	if res.dead, _, err = w.db.Outcomes(context.Background(), store.OutcomeFilter{RunID: w.deadRun}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"find", "names"} {
		res.calls[m] = w.crm.count(m)
	}
	assertNoDuplicateFake(t, w.crm)
	if pend, _ := w.db.PendingIntents(context.Background(), w.crm.Target()); len(pend) != 0 {
		t.Errorf("claims left pending: %+v", pend)
	}
	return res
}

// sameSync fails unless two syncs of the same data ended alike: status,
// counts, failures, every contact's outcome (the ids of records made
// during the sync depend on the order of the creates, so only that one
// was made is compared), and as many lookups and name fills. How many
// create calls go out depends on which contacts share a batch: a batch
// whose numbers are all held elsewhere sends nothing.
func sameSync(t *testing.T, got, want syncRun) {
	t.Helper()
	g, w := got.sum, want.sum
	if g.Status != w.Status || g.Total != w.Total || g.Created != w.Created || g.Skipped != w.Skipped || g.Failed != w.Failed ||
		fmt.Sprint(g.Err) != fmt.Sprint(w.Err) {
		t.Errorf("summary %s total %d: %d created, %d skipped, %d failed, err %v; want %s total %d: %d/%d/%d, err %v",
			g.Status, g.Total, g.Created, g.Skipped, g.Failed, g.Err, w.Status, w.Total, w.Created, w.Skipped, w.Failed, w.Err)
	}
	sameOutcomes(t, "failures", g.Failures, w.Failures)
	sameOutcomes(t, "outcomes", got.outs, want.outs)
	sameOutcomes(t, "the killed run's outcomes", got.dead, want.dead)
	if fmt.Sprint(got.calls) != fmt.Sprint(want.calls) {
		t.Errorf("CRM calls %v, want %v", got.calls, want.calls)
	}
}

func sameOutcomes(t *testing.T, what string, got, want []store.Outcome) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Status == store.OutcomeCreated && w.Status == store.OutcomeCreated && g.CRMID != "" && w.CRMID != "" {
			g.CRMID = w.CRMID
		}
		g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("%s of contact %d:\n got %+v\nwant %+v", what, w.ContactID, g, w)
		}
	}
}

func lastProgress(t *testing.T, evs []Event) Progress {
	t.Helper()
	for i := len(evs) - 1; i >= 0; i-- {
		if p, ok := evs[i].(Progress); ok {
			return p
		}
	}
	t.Fatal("no progress event")
	return Progress{}
}

// The headless sync writes while it looks contacts up, yet ends exactly as
// the plan and then its run end on the same data: same statuses, counts,
// failures, outcomes (the killed run's claims resolved the same way) and
// CRM calls. Its retry of the failures does too. In a synctest bubble:
// both syncs wait out the killed run's creates in doubt (the request
// timeout, the search lag and the resolve margin) on the bubble's clock.
func TestPipelinedSyncMatchesPlanThenRun(t *testing.T) {
	t.Parallel()
	synctest.Test(t, pipelinedSyncMatchesPlanThenRun)
}

func pipelinedSyncMatchesPlanThenRun(t *testing.T) {
	var planned, piped, plannedRetry, pipedRetry syncRun
	var deadRun int64
	var wg gosync.WaitGroup
	wg.Go(func() {
		w := newPipelineWorld(t)
		deadRun = w.deadRun
		job, err := w.e.Start(context.Background(), mustPlan(t, w.e), RunOptions{Mode: store.ModeLive})
		if err != nil {
			t.Error(err)
			return
		}
		planned = w.run(t, job)
		p, err := w.e.PlanRetry(context.Background(), planned.sum.RunID, "US")
		if err == nil {
			job, err = w.e.Start(context.Background(), p, RunOptions{Mode: store.ModeRetry, ParentRunID: planned.sum.RunID})
		}
		if err != nil {
			t.Error(err)
			return
		}
		plannedRetry = w.run(t, job)
	})
	wg.Go(func() {
		w := newPipelineWorld(t)
		job, err := w.e.StartSync(context.Background(), testNumber, "US")
		if err != nil {
			t.Error(err)
			return
		}
		piped = w.run(t, job)
		if job, _, err = w.e.StartRetry(context.Background(), piped.sum.RunID, "US"); err != nil {
			t.Error(err)
			return
		}
		pipedRetry = w.run(t, job)
	})
	wg.Wait()
	if t.Failed() {
		return
	}
	if s := planned.sum; s.Status != store.RunFinished || s.Created == 0 || s.Skipped == 0 || s.Failed == 0 {
		t.Fatalf("the data does not cover every outcome: %+v", s)
	}
	resolved := 0
	for _, o := range planned.outs {
		if strings.Contains(o.ReasonText, fmt.Sprintf("Created by run #%d", deadRun)) {
			resolved++
		}
	}
	if resolved != 1 || len(planned.dead) != 1 {
		t.Fatalf("%d contacts skipped as created by the killed run (%d outcomes of it), want its one landed create", resolved, len(planned.dead))
	}
	sameSync(t, piped, planned)
	if p := lastProgress(t, piped.evs); p.Done != p.Total || p.Total != planned.sum.Total {
		t.Errorf("last progress %+v, want all %d done", p, planned.sum.Total)
	}
	if s := pipedRetry.sum; s.Total != 1 || s.Created != 1 {
		t.Errorf("retry of the refused create (the invalid numbers left out): %+v", s)
	}
	sameSync(t, pipedRetry, plannedRetry)
}

// With the local index the headless sync decides a contact nothing matched
// at once and the others as their records are confirmed, and still ends as
// the plan and its run do: here 300 contacts, 180 held by records of which
// some are deleted since, some share a number, some have no name. In a
// synctest bubble with the fakes served in memory: the CRM calls of the
// two syncs are compared, and on the machine's clock a loaded machine
// could stretch a call past the client's timeout in one of them only.
func TestPipelinedIndexSyncMatchesPlanThenRun(t *testing.T) {
	t.Parallel()
	type fake struct {
		srv    *hubspottest.Server
		client crm.Client
	}
	var fakes [2]fake
	for i := range fakes {
		fakes[i].srv, fakes[i].client = bubbleHubSpot(t, 1, 0)
	}
	synctest.Test(t, func(t *testing.T) {
		pipelinedIndexSyncMatchesPlanThenRun(t, fakes[0].srv, fakes[0].client, fakes[1].srv, fakes[1].client)
	})
}

func pipelinedIndexSyncMatchesPlanThenRun(t *testing.T, srvA *hubspottest.Server, clientA crm.Client, srvB *hubspottest.Server, clientB crm.Client) {
	type world struct {
		srv *hubspottest.Server
		db  *store.DB
		e   *Engine
	}
	build := func(t *testing.T, srv *hubspottest.Server, client crm.Client) world {
		var recs []hubspottest.Record
		var specs []contactSpec
		for i := range 300 {
			s := fmt.Sprintf("%07d", 3000000+i*11)
			specs = append(specs, contactSpec{"1415" + s, fmt.Sprintf("Person %d", i)})
			switch {
			case i%5 < 3: // held by one record, a third of them nameless
				rec := hubspottest.Record{Phone: "(415) " + s[:3] + "-" + s[3:], Modified: time.Now().Add(-time.Hour)}
				if i%3 != 0 {
					rec.FirstName = "Named"
				}
				recs = append(recs, rec)
				if i%50 == 2 { // and by a second one: ambiguous
					recs = append(recs, hubspottest.Record{Mobile: "+1 415 " + s, Modified: time.Now().Add(-time.Hour)})
				}
			case i == 3:
				specs[i].phone = "12" // invalid
			case i == 4:
				specs[i].phone = specs[0].phone // duplicate
			}
		}
		ids := srv.SeedRecords(recs...)
		db := openStore(t)
		saveContacts(t, db, specs)
		e := &Engine{Store: db, CRM: client, CRMRegion: "US", Lookup: LookupIndex}
		if _, err := e.RefreshIndex(context.Background(), "US", false); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids[:10] { // deleted since the index was built
			srv.Purge(id)
		}
		return world{srv, db, e}
	}
	result := func(t *testing.T, w world, job *Job) syncRun {
		sum, evs := drain(t, job)
		res := syncRun{sum: sum, evs: evs, calls: callsSince(w.srv, nil)}
		var err error
		if res.outs, _, err = w.db.Outcomes(context.Background(), store.OutcomeFilter{RunID: sum.RunID}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := build(t, srvA, clientA), build(t, srvB, clientB)
	// The index was built a moment before the syncs, as outside a bubble:
	// an index listed before the lookup has its matches confirmed by reads.
	time.Sleep(time.Second)
	before := callsSince(a.srv, nil)
	job, err := a.e.Start(context.Background(), mustPlan(t, a.e), RunOptions{Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	planned := result(t, a, job)
	if job, err = b.e.StartSync(context.Background(), testNumber, "US"); err != nil {
		t.Fatal(err)
	}
	piped := result(t, b, job)
	if s := planned.sum; s.Status != store.RunFinished || s.Created < 100 || s.Skipped < 150 || s.Failed != 1 {
		t.Fatalf("the data does not cover every outcome: %+v", s)
	}
	if planned.calls[hubspottest.EndpointRead]-before[hubspottest.EndpointRead] < 2 {
		t.Fatalf("the matches were confirmed in %d reads, want several", planned.calls[hubspottest.EndpointRead])
	}
	sameSync(t, piped, planned)
}

// heldLookups is a CRM whose lookups after the first window (four
// searches of four numbers) wait for release; its creates take three
// contacts a call. created is closed at the first create call.
func heldLookups(t *testing.T, n int, release func(ctx context.Context) error) (*store.DB, *fakeCRM, chan struct{}) {
	t.Helper()
	db := openStore(t)
	saveContacts(t, db, numberedContacts(n, "1415309%04d"))
	fc := newFakeCRM()
	fc.limits.FindBatch, fc.limits.CreateBatch = 4, 3
	created := make(chan struct{})
	var once gosync.Once
	fc.onCreate = func(context.Context, int) (bool, error) {
		once.Do(func() { close(created) })
		return false, nil
	}
	fc.onFind = func(ctx context.Context, n int) error {
		if n > 4 {
			return release(ctx)
		}
		return nil
	}
	return db, fc, created
}

func untilDone(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// Creates go out while contacts are still being looked up; a cancel then
// stops both, leaves the contacts not looked up without an outcome and
// the run cancelled; its resume ends every contact, none created twice.
func TestPipelineCreatesWhileLookingUpAndCancels(t *testing.T) {
	db, fc, created := heldLookups(t, 40, untilDone)
	e := &Engine{Store: db, CRM: fc}
	job, err := e.StartSync(context.Background(), testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	<-created // while lookups are held: the writes did not wait for them
	job.Cancel()
	sum, _ := drain(t, job)
	if sum.Status != store.RunCancelled || !errors.Is(sum.Err, context.Canceled) {
		t.Fatalf("summary %+v", sum)
	}
	outs := outcomesByRaw(t, db, sum.RunID)
	if len(outs) == 0 || len(outs) > 16 {
		t.Errorf("%d outcomes; want some, and only for the 16 contacts looked up", len(outs))
	}
	for raw := range outs {
		if raw >= "14153090016" {
			t.Errorf("%s has an outcome but was never looked up", raw)
		}
	}
	if n := fc.count("find"); n > 8 {
		t.Errorf("%d searches after the cancel: want the first window and those held", n)
	}
	fc.onFind = nil
	resumed, err := e.Resume(context.Background(), sum.RunID, "")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := drain(t, resumed); s.Status != store.RunFinished || s.Created != 40 {
		t.Fatalf("resume: %+v", s)
	}
	assertEveryContactFinal(t, db, sum.RunID, fc)
}

// A token refused at a create, while contacts are still being looked up:
// no further lookup or create is sent, and the run ends as a run of a
// plan does, failed with every contact failed for that refusal.
func TestPipelineRefusedTokenFailsTheRest(t *testing.T) {
	refused := &crm.Error{Reason: crm.ReasonUnauthorized, Status: 401, Message: "expired"}
	run := func(start func(*Engine) (*Job, error), release func(context.Context) error) (*fakeCRM, *Job) {
		db, fc, _ := heldLookups(t, 40, release)
		// The refusal comes once the fifth search is out (held by release
		// in the pipelined run): without the wait, a refusal known before
		// that search is sent would stop the lookups at four.
		fifth := make(chan struct{})
		var once gosync.Once
		find := fc.onFind
		fc.onFind = func(ctx context.Context, n int) error {
			if n == 5 {
				once.Do(func() { close(fifth) })
			}
			return find(ctx, n)
		}
		fc.onCreate = func(ctx context.Context, _ int) (bool, error) {
			select {
			case <-fifth:
				return false, refused
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
		// One call at a time: the first create is refused before another goes.
		job, err := start(&Engine{Store: db, CRM: fc, Concurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		return fc, job
	}
	result := func(job *Job, evs []Event) syncRun {
		res := syncRun{sum: job.Wait(), evs: evs}
		res.outs = res.sum.Failures // every contact fails
		return res
	}
	_, job := run(func(e *Engine) (*Job, error) {
		return e.Start(context.Background(), mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	}, func(context.Context) error { return nil })
	_, evs := drain(t, job)
	planned := result(job, evs)

	// The lookups after the first window wait until a failure is
	// recorded: the refusal is known by then.
	failedSeen := make(chan struct{})
	fc, job := run(func(e *Engine) (*Job, error) { return e.StartSync(context.Background(), testNumber, "US") },
		func(context.Context) error { <-failedSeen; return nil })
	evs = nil
	var once gosync.Once
	for ev := range job.Events() {
		evs = append(evs, ev)
		if o, ok := ev.(OutcomeEvent); ok && o.Outcome.Status == store.OutcomeFailed {
			once.Do(func() { close(failedSeen) })
		}
	}
	piped := result(job, evs)
	var ce *crm.Error
	if s := piped.sum; s.Status != store.RunFailed || !errors.As(s.Err, &ce) || ce.Reason != crm.ReasonUnauthorized || s.Failed != 40 {
		t.Fatalf("summary %+v", s)
	}
	if fc.count("create") != 1 || fc.count("find") != 5 {
		t.Errorf("%d creates and %d searches; want the refused create and the five searches sent before it was known",
			fc.count("create"), fc.count("find"))
	}
	sameSync(t, piped, planned)
}

// Another process takes the write lease while the sync still looks
// contacts up: the sync stops at its next heartbeat, interrupted.
func TestPipelineStopsWhenItsLeaseIsTaken(t *testing.T) {
	t.Parallel()
	db, fc, created := heldLookups(t, 40, untilDone)
	e := &Engine{Store: db, CRM: fc}
	job, err := e.StartSync(context.Background(), testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	<-created
	now := time.Now()
	usurper := store.Lease{Target: fc.Target(), NumberID: testNumber, Owner: "usurper", PID: 1, Host: "elsewhere", StartedAt: now, HeartbeatAt: now}
	if _, ok, err := db.AcquireLease(context.Background(), usurper, func(store.Lease) bool { return true }); err != nil || !ok {
		t.Fatal(ok, err)
	}
	sum, _ := drain(t, job)
	if sum.Status != store.RunInterrupted || !errors.Is(sum.Err, errLeaseLost) {
		t.Fatalf("summary %+v", sum)
	}
}

// The CRM fails a lookup after some contacts were synced: what was decided
// is synced, the rest keeps no outcome, and the run fails saying why. The
// next sync takes up the rest and creates nothing twice.
func TestPipelineLookupFailureEndsTheRun(t *testing.T) {
	down := &crm.Error{Reason: crm.ReasonServerError, Status: 503, Message: "down"}
	db, fc, _ := heldLookups(t, 40, func(context.Context) error { return down })
	e := &Engine{Store: db, CRM: fc}
	job, err := e.StartSync(context.Background(), testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := drain(t, job)
	if sum.Status != store.RunFailed || !errors.Is(sum.Err, down) || !strings.Contains(sum.Err.Error(), "look up existing records") {
		t.Fatalf("summary %+v", sum)
	}
	if sum.Created != 16 || sum.Failed != 0 || len(outcomesByRaw(t, db, sum.RunID)) != 16 {
		t.Errorf("summary %+v: want the 16 contacts looked up created, the others without an outcome", sum)
	}
	fc.onFind = nil
	next, err := e.StartSync(context.Background(), testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := drain(t, next); s.Status != store.RunFinished || s.Created != 24 || s.Skipped != 16 {
		t.Fatalf("the next sync: %+v", s)
	}
	assertNoDuplicateFake(t, fc)
}

// A CRM that fails the first lookups fails the sync as the plan did:
// with the same error and no run recorded.
func TestPipelineFirstLookupFailureRecordsNoRun(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, numberedContacts(10, "1415309%04d"))
	fc := newFakeCRM()
	fc.onFind = func(context.Context, int) error {
		return &crm.Error{Reason: crm.ReasonUnauthorized, Status: 401, Message: "bad token"}
	}
	e := &Engine{Store: db, CRM: fc}
	_, planErr := e.Plan(context.Background(), testNumber, "US")
	_, err := e.StartSync(context.Background(), testNumber, "US")
	if err == nil || planErr == nil || err.Error() != planErr.Error() {
		t.Fatalf("error %v, want the plan's %v", err, planErr)
	}
	if runs, err := db.Runs(context.Background(), 10, 0); err != nil || len(runs) != 0 {
		t.Fatalf("runs %+v %v", runs, err)
	}
}
