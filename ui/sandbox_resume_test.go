package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/sandbox"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/sync/normalize"
	"coexsync/ui/common"
)

// sandboxNumber is the sandbox's Coexistence number without contacts yet.
const sandboxNumber = "100000000000004"

// duplicates reads HubSpot: the numbers held by two records the sync
// created, and those where a created record joined one already there.
func duplicates(recs []hubspottest.Contact) (twice, overExisting map[string]bool, created int) {
	byAPI, seeded := map[string]int{}, map[string]int{}
	for _, rec := range recs {
		e164 := normalize.Number(rec.Properties["phone"], "").E164
		if rec.CreatedByAPI {
			byAPI[e164]++
			created++
		} else {
			seeded[e164]++
		}
	}
	twice, overExisting = map[string]bool{}, map[string]bool{}
	for e164, n := range byAPI {
		if n > 1 {
			twice[e164] = true
		}
		if seeded[e164] > 0 {
			overExisting[e164] = true
		}
	}
	return twice, overExisting, created
}

// baseline is what a run that was never cancelled leaves in HubSpot: the
// engine alone syncs the same sandbox data in one go, in the background
// while the test drives the console.
type baseline struct {
	done chan struct{}
	recs []hubspottest.Contact
	err  error
}

func startBaseline(t *testing.T, ctx context.Context) *baseline {
	b := &baseline{done: make(chan struct{})}
	path := filepath.Join(t.TempDir(), "baseline.db")
	go func() {
		defer close(b.done)
		b.recs, b.err = uninterruptedRun(ctx, path)
	}()
	t.Cleanup(func() { <-b.done }) // before the directory goes
	return b
}

// records waits for the baseline run and returns HubSpot's records.
func (b *baseline) records(t *testing.T) []hubspottest.Contact {
	t.Helper()
	<-b.done
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.recs
}

// uninterruptedRun opens a database at path, starts the sandbox on it as
// the test does (resumeOptions), and syncs the number with the engine alone.
func uninterruptedRun(ctx context.Context, path string) ([]hubspottest.Contact, error) {
	db, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	sb, err := sandbox.StartWith(ctx, db, resumeOptions)
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	b := backend.New(sb.Config())
	if _, err := b.Numbers(ctx); err != nil {
		return nil, err
	}
	if err := b.RequestContactSync(ctx, sandboxNumber); err != nil {
		return nil, err
	}
	if err := sb.Graph.WaitDelivered(ctx); err != nil {
		return nil, err
	}
	eng, err := b.Engine("hubspot")
	if err != nil {
		return nil, err
	}
	plan, err := eng.Plan(ctx, sandboxNumber, b.Region(sandboxNumber))
	if err != nil {
		return nil, err
	}
	job, err := eng.Start(ctx, plan, engine.RunOptions{Mode: store.ModeLive})
	if err != nil {
		return nil, err
	}
	if sum := job.Wait(); sum.Status != store.RunFinished {
		return nil, fmt.Errorf("baseline run %s: %v", sum.Status, sum.Err)
	}
	return sb.HubSpot.Records(), nil
}

// heldCRM lets creates reach the CRM but, until opened, keeps their
// answers until the run is cancelled: the creates are made and the run
// cannot know it, the case where a careless resume creates duplicates.
type heldCRM struct {
	crm.Client
	held     chan struct{} // closed once a create is being held
	holdOnce sync.Once
	mu       sync.Mutex
	open     bool
}

func (h *heldCRM) Create(ctx context.Context, cs []crm.NewContact) ([]crm.ItemResult, error) {
	h.mu.Lock()
	open := h.open
	h.mu.Unlock()
	if open {
		return h.Client.Create(ctx, cs)
	}
	if _, err := h.Client.Create(context.WithoutCancel(ctx), cs); err != nil {
		return nil, err
	}
	h.holdOnce.Do(func() { close(h.held) })
	<-ctx.Done()
	return nil, ctx.Err()
}

// The engine lists the CRM to match locally; the wrapper must not hide
// that, or the two runs compared below would match differently.
func (h *heldCRM) ListPage(ctx context.Context, cursor string) (crm.Page, error) {
	return h.Client.(crm.Lister).ListPage(ctx, cursor)
}

func (h *heldCRM) ChangedPage(ctx context.Context, since time.Time, cursor string) (crm.Page, error) {
	return h.Client.(crm.Lister).ChangedPage(ctx, since, cursor)
}

func (h *heldCRM) ReadByIDs(ctx context.Context, ids []string) ([]crm.IndexedRecord, error) {
	return h.Client.(crm.Lister).ReadByIDs(ctx, ids)
}

func (h *heldCRM) release() {
	h.mu.Lock()
	h.open = true
	h.mu.Unlock()
}

// resumeOptions are sandboxOptions with a request timeout of 2 s instead of
// 5 s. The resume waits out the cancelled creates until they could have
// landed (their send, the request timeout, the search lag and the engine's
// margin): the shorter bound shortens that wait, and the in-process fakes
// still answer far within it. The baseline run uses the same options.
var resumeOptions = func() sandbox.Options {
	o := sandboxOptions
	o.RequestTimeout = 2 * time.Second
	return o
}()

// TestSandboxCancelThenResumeNoDuplicates cancels a real sandbox run while
// its creates are in flight, resumes it from the summary, and checks that
// the run completes, no number was created twice, and the resume made no
// record an uninterrupted run would not have made.
func TestSandboxCancelThenResumeNoDuplicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := startBaseline(t, ctx)
	db, sb := startSandbox(t, ctx, resumeOptions)
	cfg := sb.Config()
	gate := &heldCRM{Client: cfg.CRMs["hubspot"], held: make(chan struct{})}
	cfg.CRMs["hubspot"] = gate
	app := New(common.Wire(backend.New(cfg)), Options{
		PollEvery: 20 * time.Millisecond, ExportDir: t.TempDir(), Styles: NewStyles(true), Keys: DefaultKeyMap(),
	})
	s := start(t, app, 100, 30)
	s.timeout = 30 * time.Second // real rate limits: HubSpot search is 4 requests a second

	s.shows("API only").keys("down", "enter").shows("Sync into which CRM?").keys("enter")
	s.shows("ONCE").keys("enter").shows("(y/n)").keys("y").shows("Contacts received so far")
	if err := sb.Graph.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	stored, err := db.CountContacts(ctx, sandboxNumber)
	if err != nil || stored == 0 {
		t.Fatalf("contacts stored from the webhook: %d, %v", stored, err)
	}
	s.shows("Contacts received so far: "+strconv.Itoa(stored)).keys("p").shows("ambiguous", "sort: plan")
	s.keys("S").shows("Start writing to hubspot?").keys("y")
	select {
	case <-gate.held:
	case <-time.After(s.timeout):
		t.Fatal("the run never sent a create")
	}
	s.keys("x").shows("Cancel the run?").keys("y").shows("Run #1 cancelled", "press u to resume")

	// The held creates reached HubSpot unconfirmed: the ledger has them.
	cut, err := db.Run(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if open, err := db.PendingIntents(ctx, cut.Target); err != nil || len(open) == 0 {
		t.Fatalf("the cancel left no unconfirmed creates to resolve: %d, %v", len(open), err)
	}
	gate.release()
	s.keys("u").shows("Resume run #1 (cancelled)", "Resume writing to hubspot? (y/n)").keys("y")
	s.shows("Run #1 finished")
	s.final()

	run, err := db.Run(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.RunFinished || run.Pending != 0 || run.Created+run.Skipped+run.Failed != run.Total || run.Total != stored {
		t.Fatalf("resumed run does not account for every contact: %+v (stored %d)", run, stored)
	}
	twice, overExisting, created := duplicates(sb.HubSpot.Records())
	if len(twice) != 0 {
		t.Errorf("numbers created twice across the cancel and the resume: %v", twice)
	}
	if created == 0 || created != run.Created {
		t.Errorf("HubSpot holds %d created records, the run says %d", created, run.Created)
	}
	// Matching a record already in the CRM is the engine's work; a resume
	// must not do worse than a run that was never stopped.
	_, baseline, baseCreated := duplicates(base.records(t))
	for e164 := range overExisting {
		if !baseline[e164] {
			t.Errorf("%s: the resume created a record next to an existing one", e164)
		}
	}
	if created != baseCreated {
		t.Errorf("cancel and resume created %d records, an uninterrupted run %d", created, baseCreated)
	}
}
