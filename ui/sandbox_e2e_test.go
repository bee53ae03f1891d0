package ui

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"coexsync/backend"
	"coexsync/sandbox"
	"coexsync/store"
	"coexsync/sync/normalize"
	"coexsync/ui/common"
)

// TestSandboxFlowEndToEnd drives the real console over the real sandbox —
// fake Graph API, signed webhooks into SQLite, the engine and the HubSpot
// fake — with keys in and screens out: pick a number, request the
// contacts, preview, sync, browse the failures. Then it checks what
// landed, and on the same console retries and undoes the run
// (retryThenUndo): one sandbox and one sync serve both.
func TestSandboxFlowEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, sb := startSandbox(t, ctx, sandboxOptions)
	s, stored := syncInSandbox(t, ctx, db, sb)
	s.keys("r").waitFor("reason: all").keys("esc").waitFor("Started")
	run := checkLanded(t, ctx, db, sb, stored)
	retryThenUndo(t, ctx, s, db, sb, run)
}

// checkLanded checks the one run the sync made and what it created in
// HubSpot, and returns the run.
func checkLanded(t *testing.T, ctx context.Context, db *store.DB, sb *sandbox.Sandbox, stored int) store.Run {
	t.Helper()
	runs, err := db.Runs(ctx, 10, 0)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	run := runs[0]
	if run.Status != store.RunFinished || run.Total != stored || run.Created+run.Skipped+run.Failed != stored || run.Pending != 0 {
		t.Fatalf("run does not account for every contact: %+v (stored %d)", run, stored)
	}
	if run.Skipped == 0 {
		t.Fatalf("the dataset no longer holds contacts the CRM has: %+v", run)
	}
	seen := map[string]bool{}
	created := 0
	for _, rec := range sb.HubSpot.Records() {
		if !rec.CreatedByAPI {
			continue
		}
		created++
		e164 := normalize.Number(rec.Properties["phone"], "").E164
		if seen[e164] {
			t.Errorf("two records created for %s", e164)
		}
		seen[e164] = true
	}
	if created != run.Created {
		t.Fatalf("HubSpot holds %d created records, the run says %d", created, run.Created)
	}
	return run
}

// syncInSandbox drives the console over the sandbox from the numbers list
// to a finished sync of the Coexistence number into HubSpot: pick, request
// the contacts, preview, confirm. It returns the session on the summary
// and how many contacts the webhook stored.
func syncInSandbox(t *testing.T, ctx context.Context, db *store.DB, sb *sandbox.Sandbox) (*session, int) {
	t.Helper()
	app := New(common.Wire(backend.New(sb.Config())), Options{
		PollEvery: 20 * time.Millisecond, ExportDir: t.TempDir(), Styles: NewStyles(true), Keys: DefaultKeyMap(),
	})
	s := start(t, app, 100, 30)
	s.timeout = 30 * time.Second // real rate limits: HubSpot search is 4 requests a second

	s.waitFor("API only")
	s.keys("down", "enter").waitFor("Sync into which CRM?").keys("enter")
	s.waitFor("ONCE").keys("enter").waitFor("(y/n)").keys("y").waitFor("Contacts received so far")
	if err := sb.Graph.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	stored, err := db.CountContacts(ctx, "100000000000004")
	if err != nil || stored == 0 {
		t.Fatalf("contacts stored from the webhook: %d, %v", stored, err)
	}
	// The counts show while the preview is prepared, before S works: wait
	// for the table.
	s.waitFor(strconv.Itoa(stored)).keys("p").waitFor("ambiguous").shows("sort: plan")
	s.keys("S").waitFor("Start writing to hubspot?").keys("y")
	return s.waitFor("finished"), stored
}

// sandboxOptions are the sandbox of these tests: a fixed dataset, sized
// (100 contacts a number, the way --sandbox-contacts opens the console)
// so that it still holds every kind of row but syncs in a third of the
// default's time, and a short search lag.
var sandboxOptions = sandbox.Options{Seed: 7, SearchLag: 50 * time.Millisecond, Contacts: 100}

// startSandbox opens a fresh database and starts the sandbox on it with
// opts; both close with the test.
func startSandbox(t *testing.T, ctx context.Context, opts sandbox.Options) (*store.DB, *sandbox.Sandbox) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sb, err := sandbox.StartWith(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return db, sb
}
