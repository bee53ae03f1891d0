package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/store"
)

// archiveCounter stands in front of a fake CRM and counts, per record id,
// the archive requests that reached the fake.
type archiveCounter struct {
	next http.Handler
	ids  func(r *http.Request, body []byte) []string // ids an archive request names; nil: not an archive

	mu    gosync.Mutex
	calls map[string]int
	seen  int // archive requests so far
	// hold, when set, is called with the number of an archive request
	// (1, 2, …) after the fake served it; true keeps its answer from the
	// client until the client gives up on it.
	hold func(n int) bool
}

func (c *archiveCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	ids := c.ids(r, body)
	if ids == nil {
		c.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	c.mu.Lock()
	c.seen++
	n, hold := c.seen, c.hold
	if rec.Code < 300 {
		for _, id := range ids {
			c.calls[id]++
		}
	}
	c.mu.Unlock()
	if hold != nil && hold(n) {
		<-r.Context().Done() // archived, but the answer never arrives
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (c *archiveCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

func (c *archiveCounter) setHold(fn func(n int) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hold = fn
}

// undoVendor is one fake CRM behind an archiveCounter, with what the
// tests do to its records outside coexsync. The client reaches the fake
// in memory (see bubbleHTTP), so the tests run in synctest bubbles: make
// the vendor outside the bubble, use it inside.
type undoVendor struct {
	client  crm.Client
	counter *archiveCounter
	seed    func(phone string) string          // a record the account already holds
	modify  func(id string, at time.Time) bool // an edit in the CRM at a time; false: no such record
	remove  func(id string)                    // archived or deleted outside coexsync
	live    func(id string) bool               // exists and is not archived
}

var testRetry = crm.RetryPolicy{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond}

func undoHubSpot(t *testing.T) undoVendor {
	t.Helper()
	srv := hubspottest.New(hubspottest.Options{Token: "test-token", Window: 100 * time.Millisecond,
		SearchWindow: 10 * time.Millisecond, SearchLag: testLag})
	t.Cleanup(srv.Close)
	c := &archiveCounter{next: srv, calls: map[string]int{}, ids: func(r *http.Request, body []byte) []string {
		if r.Method != http.MethodPost || r.URL.Path != hubspot.PathBatchArchive {
			return nil
		}
		var req hubspot.BatchIDsRequest
		if err := json.Unmarshal(body, &req); err != nil {
			return []string{}
		}
		ids := []string{}
		for _, in := range req.Inputs {
			ids = append(ids, in.ID)
		}
		return ids
	}}
	hc := bubbleHTTP(c, clientTimeout, 0, 0)
	return undoVendor{
		client:  hubspot.New(hubspotConfig(srv.URL, 0, 100*time.Millisecond, 10*time.Millisecond, hc)),
		counter: c,
		seed: func(phone string) string {
			return srv.SeedRecords(hubspottest.Record{FirstName: "Seeded", Phone: phone})[0]
		},
		modify: func(id string, at time.Time) bool {
			return srv.Modify(id, map[string]string{hubspot.PropFirstName: "Edited"}, at)
		},
		remove: func(id string) { srv.Archive(id) },
		live: func(id string) bool {
			for _, r := range srv.Records() {
				if r.ID == id {
					return !srv.IsArchived(id)
				}
			}
			return false
		},
	}
}

func undoIntercom(t *testing.T) undoVendor {
	t.Helper()
	const perMinute, window = 30000, 100 * time.Millisecond
	srv := intercomtest.New(intercomtest.Options{Token: "test-token", PerMinute: perMinute, Window: window, SearchLag: testLag})
	t.Cleanup(srv.Close)
	c := &archiveCounter{next: srv.Handler(), calls: map[string]int{}, ids: func(r *http.Request, _ []byte) []string {
		id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/contacts/"), "/archive")
		if r.Method != http.MethodPost || !ok || !strings.HasPrefix(r.URL.Path, "/contacts/") {
			return nil
		}
		return []string{id}
	}}
	client := intercom.New(intercom.Config{
		BaseURL: srv.URL(), Token: "test-token", HTTP: bubbleHTTP(c, clientTimeout, 0, 0),
		PerMinute: perMinute, Window: window, SearchLag: testLag, Retry: testRetry,
	})
	find := func(id string) (intercomtest.Contact, bool) {
		for _, r := range srv.Records() {
			if r.ID == id {
				return r, true
			}
		}
		return intercomtest.Contact{}, false
	}
	return undoVendor{
		client:  client,
		counter: c,
		seed: func(phone string) string {
			return srv.Seed(intercomtest.Contact{Role: "lead", Name: "Seeded", Phone: phone})[0]
		},
		modify: func(id string, at time.Time) bool { return srv.Touch(id, at) },
		remove: func(id string) { srv.Delete(id) },
		live: func(id string) bool {
			r, ok := find(id)
			return ok && !r.Archived
		},
	}
}

var undoVendors = []struct {
	name  string
	setup func(*testing.T) undoVendor
}{{"hubspot", undoHubSpot}, {"intercom", undoIntercom}}

// onUndoVendors runs body against each vendor's fake, side by side, each
// in a synctest bubble.
func onUndoVendors(t *testing.T, body func(t *testing.T, vendor string, crmv undoVendor)) {
	for _, v := range undoVendors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			crmv := v.setup(t)
			synctest.Test(t, func(t *testing.T) { body(t, v.name, crmv) })
		})
	}
}

// createdByRun maps the raw number of each contact run created to its
// outcome.
func createdByRun(t *testing.T, db *store.DB, runID int64) map[string]store.Outcome {
	t.Helper()
	out := map[string]store.Outcome{}
	for raw, o := range outcomesByRaw(t, db, runID) {
		if o.Status == store.OutcomeCreated {
			out[raw] = o
		}
	}
	return out
}

func mustPlanUndo(t *testing.T, e *Engine, runID int64) *UndoPlan {
	t.Helper()
	p, err := e.PlanUndo(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func undoToEnd(t *testing.T, e *Engine, p *UndoPlan) RunSummary {
	t.Helper()
	job, err := e.StartUndo(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := drain(t, job)
	return sum
}

func itemIDs(items []UndoItem) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.RecordID
	}
	slices.Sort(ids)
	return ids
}

func keptBy(items []UndoItem) map[KeepReason][]string {
	m := map[KeepReason][]string{}
	for _, it := range items {
		m[it.Keep] = append(m[it.Keep], it.RecordID)
	}
	for _, ids := range m {
		slices.Sort(ids)
	}
	return m
}

// The undo archives exactly the records the run created that nobody
// touched since: not the records it matched, not one edited after the
// create, not one already gone. A change within the tolerance (the CRM's
// own updates right after a create) does not keep a record. The ledger
// forgets the numbers whose records are gone, so a later sync creates
// them again, and a second undo archives nothing.
func TestUndoArchivesOnlyUntouchedRecordsItCreated(t *testing.T) {
	t.Parallel()
	onUndoVendors(t, undoArchivesOnlyUntouchedRecordsItCreated)
}

func undoArchivesOnlyUntouchedRecordsItCreated(t *testing.T, _ string, crmv undoVendor) {
	ctx := context.Background()
	db := openStore(t)
	specs := numberedContacts(12, "1415302%04d")
	saveContacts(t, db, specs)
	existing := []string{crmv.seed("+14153020000"), crmv.seed("+14153020001")}
	e := &Engine{Store: db, CRM: crmv.client}
	sync1, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if sync1.Status != store.RunFinished || sync1.Created != 10 || sync1.Skipped != 2 {
		t.Fatalf("sync: %+v", sync1)
	}
	created := createdByRun(t, db, sync1.RunID)
	tol := undoTolerance(crmv.client.Name())
	edited, settled, gone := created["14153020002"], created["14153020003"], created["14153020004"]
	if !crmv.modify(edited.CRMID, edited.UpdatedAt.Add(2*tol)) || // a person edited it afterwards
		!crmv.modify(settled.CRMID, settled.UpdatedAt.Add(tol/2)) { // the CRM's own post-create update
		t.Fatalf("records %s and %s: one is not in the CRM", edited.CRMID, settled.CRMID)
	}
	crmv.remove(gone.CRMID)

	p := mustPlanUndo(t, e, sync1.RunID)
	var want []string
	for _, o := range created {
		if o.CRMID != edited.CRMID && o.CRMID != gone.CRMID {
			want = append(want, o.CRMID)
		}
	}
	slices.Sort(want)
	if got := itemIDs(p.Archive); !slices.Equal(got, want) {
		t.Fatalf("to archive %v, want %v", got, want)
	}
	slices.Sort(existing)
	kept := keptBy(p.Kept)
	if !slices.Equal(kept[KeepModified], []string{edited.CRMID}) || !slices.Equal(kept[KeepGone], []string{gone.CRMID}) ||
		!slices.Equal(kept[KeepNotCreated], existing) || len(p.Kept) != 4 {
		t.Fatalf("kept %v", kept)
	}
	if p.KeptCounts[KeepModified] != 1 || p.Confirmation() != "undo 8" || p.UndoRunID != 0 {
		t.Fatalf("plan %+v", p)
	}
	for _, it := range p.Kept {
		if it.Reason == "" {
			t.Errorf("kept without a reason: %+v", it)
		}
	}

	// A sync writing the number holds its lease: the undo waits.
	syncing := store.Lease{Target: crmv.client.Target(), NumberID: testNumber, RunID: 99, Owner: "a-sync",
		PID: os.Getpid(), Host: hostname(), StartedAt: time.Now(), HeartbeatAt: time.Now()}
	if _, ok, err := db.AcquireLease(ctx, syncing, nil); err != nil || !ok {
		t.Fatal(ok, err)
	}
	var held *LeaseHeldError
	if _, err := e.StartUndo(ctx, p); !errors.As(err, &held) {
		t.Fatalf("undo beside a sync: %v, want LeaseHeldError", err)
	}
	if undos, _ := db.UndoRuns(ctx, sync1.RunID); len(undos) != 0 {
		t.Fatalf("a refused undo recorded a run: %+v", undos)
	}
	if err := db.ReleaseLease(ctx, "a-sync"); err != nil {
		t.Fatal(err)
	}

	sum := undoToEnd(t, e, p)
	if sum.Status != store.RunFinished || sum.Created != 8 || sum.Skipped != 4 || sum.Failed != 0 {
		t.Fatalf("undo: %+v", sum)
	}
	run, err := db.Run(ctx, sum.RunID)
	if err != nil || run.Mode != store.ModeUndo || run.ParentRunID != sync1.RunID || run.Pending != 0 {
		t.Fatalf("undo run %+v, %v", run, err)
	}
	counts := crmv.counter.counts()
	for _, id := range want {
		if counts[id] != 1 || crmv.live(id) {
			t.Errorf("record %s: archived %d times, live %t", id, counts[id], crmv.live(id))
		}
	}
	for _, id := range append([]string{edited.CRMID}, existing...) {
		if counts[id] != 0 || !crmv.live(id) {
			t.Errorf("kept record %s: archived %d times, live %t", id, counts[id], crmv.live(id))
		}
	}
	if len(counts) != len(want) {
		t.Errorf("archive calls %v", counts)
	}
	for raw, o := range outcomesByRaw(t, db, sum.RunID) {
		switch o.CRMID {
		case edited.CRMID, gone.CRMID:
			if o.Status != store.OutcomeSkipped || o.Reason == "" || o.ReasonText == "" {
				t.Errorf("%s: %+v", raw, o)
			}
		default:
			if slices.Contains(want, o.CRMID) && (o.Status != store.OutcomeCreated || o.Reason != reasonArchived) {
				t.Errorf("%s: %+v", raw, o)
			}
		}
	}

	// The ledger no longer says the archived (or gone) numbers
	// were created here; the edited one still is.
	var numbers []string
	for _, o := range created {
		numbers = append(numbers, o.E164)
	}
	ledger, err := db.CreatedRecords(ctx, crmv.client.Target(), numbers)
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != 1 || ledger[edited.E164] != edited.CRMID {
		t.Fatalf("ledger after the undo: %v", ledger)
	}
	// A plan made later: in the bubble no time passes unless a test
	// waits, and the engine tells an index listed by this plan from one
	// listed earlier by its build time.
	time.Sleep(time.Second)
	again := mustPlan(t, e)
	for _, row := range again.Rows {
		o, wasCreated := created[row.Contact.Phone]
		reason, _ := row.Why()
		switch {
		case wasCreated && o.CRMID != edited.CRMID && row.Status != StatusCreate:
			t.Errorf("%s after the undo: %s (%s), want create", row.Contact.Phone, row.Status, reason)
		case o.CRMID == edited.CRMID && row.Status != StatusExists:
			t.Errorf("the edited record's number: %s (%s) %+v", row.Status, reason, row)
		}
	}

	// A second undo has nothing left to archive.
	second := mustPlanUndo(t, e, sync1.RunID)
	if len(second.Archive) != 0 || second.KeptCounts[KeepUndone] != 8 || second.UndoRunID != 0 {
		t.Fatalf("second plan: %d to archive, kept %v, continues %d", len(second.Archive), second.KeptCounts, second.UndoRunID)
	}
	if _, err := e.StartUndo(ctx, second); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("second undo: %v", err)
	}
	if _, err := e.PlanUndo(ctx, sum.RunID); err == nil {
		t.Fatal("an undo run was offered for undo")
	}
}

// A killed undo is continued by planning the same undo again: the records
// it archived (even those whose answer it never got) are not sent again,
// the rest are, and the undo stays one run.
func TestUndoKilledMidwayResumesWithoutArchivingTwice(t *testing.T) {
	onUndoVendors(t, undoKilledMidwayResumesWithoutArchivingTwice)
}

func undoKilledMidwayResumesWithoutArchivingTwice(t *testing.T, vendor string, crmv undoVendor) {
	ctx := context.Background()
	db := openStore(t)
	saveContacts(t, db, numberedContacts(250, "1415304%04d"))
	e := &Engine{Store: db, CRM: crmv.client, Concurrency: 1}
	sync1, _ := runToEnd(t, e, mustPlan(t, e), RunOptions{Mode: store.ModeLive})
	if sync1.Status != store.RunFinished || sync1.Created != 250 {
		t.Fatalf("sync: %+v", sync1)
	}
	p := mustPlanUndo(t, e, sync1.RunID)
	if len(p.Archive) != 250 {
		t.Fatalf("%d to archive", len(p.Archive))
	}

	// An archive request of the second batch lands in the CRM, but
	// the process dies before it hears the answer; later batches
	// never go out. (Batches go one at a time: HubSpot archives a
	// batch in one request, Intercom one record per request.)
	holdAt := 2
	if vendor == "intercom" {
		holdAt = intercom.ArchiveBatch + 3
	}
	var job *Job
	started := make(chan struct{})
	crmv.counter.setHold(func(n int) bool {
		if n != holdAt {
			return false
		}
		<-started
		job.Cancel()
		return true
	})
	job, err := e.StartUndo(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	close(started)
	first, _ := drain(t, job)
	if first.Status != store.RunCancelled || first.Created < len(p.Archive)/5 || first.Created >= 250 {
		t.Fatalf("killed undo: %+v", first)
	}
	run, err := db.Run(ctx, first.RunID)
	if err != nil || run.Pending == 0 {
		t.Fatalf("killed undo left nothing pending: %+v %v", run, err)
	}
	// Make it look killed, not cancelled: the run still says
	// running and its lease belongs to a process that is gone.
	if err := db.ReopenRun(ctx, first.RunID); err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	gone := store.Lease{Target: crmv.client.Target(), NumberID: testNumber, RunID: first.RunID, Owner: "killed",
		PID: dead.Process.Pid, Host: hostname(), StartedAt: time.Now(), HeartbeatAt: time.Now()}
	if _, ok, err := db.AcquireLease(ctx, gone, nil); err != nil || !ok {
		t.Fatal(ok, err)
	}
	crmv.counter.setHold(nil)

	var sum RunSummary
	if vendor == "hubspot" {
		// Through the generic Resume the console and `sync --resume`
		// use: it must continue the undo, never sync.
		job, err := e.Resume(ctx, first.RunID, "")
		if err != nil {
			t.Fatal(err)
		}
		sum, _ = drain(t, job)
	} else {
		resume := mustPlanUndo(t, e, sync1.RunID)
		if resume.UndoRunID != first.RunID || resume.Done != first.Created || resume.Done+len(resume.Archive) != 250 {
			t.Fatalf("resume plan: continues %d, done %d, %d to archive (first: %+v)", resume.UndoRunID, resume.Done, len(resume.Archive), first)
		}
		sum = undoToEnd(t, e, resume)
	}
	if _, err := e.PlanRetry(ctx, first.RunID, ""); err == nil {
		t.Error("an undo run was offered for retry")
	}
	if sum.RunID != first.RunID || sum.Status != store.RunFinished || sum.Created != 250 || sum.Failed != 0 || sum.Skipped != 0 {
		t.Fatalf("resumed undo: %+v", sum)
	}
	counts := crmv.counter.counts()
	for _, o := range createdByRun(t, db, sync1.RunID) {
		if counts[o.CRMID] != 1 || crmv.live(o.CRMID) {
			t.Errorf("record %s archived %d times, live %t", o.CRMID, counts[o.CRMID], crmv.live(o.CRMID))
		}
	}
	if len(counts) != 250 {
		t.Errorf("%d records archived, want 250", len(counts))
	}
	if undos, err := db.UndoRuns(ctx, sync1.RunID); err != nil || len(undos) != 1 || undos[0].Pending != 0 {
		t.Fatalf("undo runs %+v, %v", undos, err)
	}
	if ledger, _ := db.CreatedRecords(ctx, crmv.client.Target(), []string{"+14153040000", "+14153040249"}); len(ledger) != 0 {
		t.Errorf("ledger after the undo: %v", ledger)
	}
}

// Runs that cannot be undone say why before anything is sent.
func TestUndoRefusesRunsItCannotUndo(t *testing.T) {
	ctx := context.Background()
	crmv := undoHubSpot(t)
	db := openStore(t)
	saveContacts(t, db, numberedContacts(2, "1415306%04d"))
	e := &Engine{Store: db, CRM: crmv.client}
	target := crmv.client.Target()
	mk := func(r store.Run) int64 {
		t.Helper()
		r.NumberID, r.CRM = testNumber, "hubspot"
		if r.Target == "" {
			r.Target = target
		}
		id, err := db.CreateRun(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != store.RunRunning {
			if err := db.FinishRun(ctx, id, store.RunFinished, ""); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	live := mk(store.Run{Mode: store.ModeLive})
	for name, id := range map[string]int64{
		"dry run":       mk(store.Run{Mode: store.ModeDryRun}),
		"undo":          mk(store.Run{Mode: store.ModeUndo, ParentRunID: live}),
		"other account": mk(store.Run{Mode: store.ModeLive, Target: "hubspot account other"}),
		"running":       mk(store.Run{Mode: store.ModeLive, Status: store.RunRunning}),
	} {
		if _, err := e.PlanUndo(ctx, id); err == nil {
			t.Errorf("%s: planned", name)
		}
	}
	if _, err := db.CreateRun(ctx, store.Run{NumberID: testNumber, CRM: "hubspot", Target: target, Mode: store.ModeUndo}); err == nil {
		t.Error("an undo run without the run it undoes was recorded")
	}
	noArchive := &Engine{Store: db, CRM: newFakeCRM()}
	if _, err := noArchive.PlanUndo(ctx, live); err == nil {
		t.Error("a client that cannot archive planned an undo")
	}
	p := mustPlanUndo(t, e, live) // a run with no outcomes
	if len(p.Archive)+len(p.Kept) != 0 {
		t.Fatalf("plan of an empty run: %+v", p)
	}
	if _, err := e.StartUndo(ctx, p); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("start of an empty undo: %v", err)
	}
	if len(crmv.counter.counts()) != 0 {
		t.Fatal("a refused undo archived")
	}
}
