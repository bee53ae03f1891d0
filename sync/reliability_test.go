package sync

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/internal/testexit"
	"coexsync/store"
)

// The reliability test runs syncs in child processes (this test binary,
// re-executed) and kills them at random points. These variables tell a
// child what to do.
// The killed syncs run against a fake slowed to slowCalls per slowWindow
// so that a sync lasts long enough to be killed in every phase.
const (
	slowCalls  = 8
	slowWindow = 100 * time.Millisecond
)

const (
	envChildDB  = "COEXSYNC_TEST_CHILD_DB"
	envChildURL = "COEXSYNC_TEST_CHILD_CRM"
	envChildRun = "COEXSYNC_TEST_CHILD_RUN"
)

func TestMain(m *testing.M) {
	if os.Getenv(envChildDB) != "" {
		if err := childSync(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		testexit.Exit(0)
	}
	testexit.Exit(m.Run())
}

// childSync starts a sync of the stored contacts into the parent's fake,
// or resumes the run named in the environment, and waits for its end.
func childSync() error {
	db, err := store.Open(os.Getenv(envChildDB))
	if err != nil {
		return err
	}
	defer db.Close()
	client := hubspotClient(os.Getenv(envChildURL), slowCalls, slowWindow, 10*time.Millisecond)
	e := &Engine{Store: db, CRM: client}
	ctx := context.Background()
	var job *Job
	if run := os.Getenv(envChildRun); run != "" {
		id, err := strconv.ParseInt(run, 10, 64)
		if err != nil {
			return err
		}
		job, err = e.Resume(ctx, id, "US")
		if err != nil {
			return err
		}
	} else {
		p, err := e.Plan(ctx, testNumber, "US")
		if err != nil {
			return err
		}
		if job, err = e.Start(ctx, p, RunOptions{Mode: store.ModeLive}); err != nil {
			return err
		}
	}
	for range job.Events() {
	}
	if s := job.Wait(); s.Err != nil {
		return s.Err
	}
	return nil
}

// TestKilledSyncsResumeWithoutDuplicates kills syncing processes at 20+
// random points (new contacts arrive between runs, so every run has work),
// resumes each killed run, and then checks that no number was created
// twice and every contact has a final outcome.
func TestKilledSyncsResumeWithoutDuplicates(t *testing.T) {
	t.Parallel() // its children are the ones at work
	srv := hubspottest.New(hubspottest.Options{
		Token: "test-token", GeneralPer10s: slowCalls, Window: slowWindow, SearchWindow: 10 * time.Millisecond,
		SearchLag: testLag, Seed: 11,
	})
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "killed.db")
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(42, 1))

	kills, unconfirmed := 0, 0 // unconfirmed: kills that left creates to resolve
	target := "hubspot " + srv.URL
	pending := func() bool {
		pend, _ := db.PendingIntents(context.Background(), target)
		return len(pend) > 0
	}
	for round := 0; kills < 20 && round < 40; round++ {
		realisticContacts(t, db, srv, 300*round, 300*(round+1))
		before, runID := latestRun(t, db), int64(0) // a new run
		for {
			var kill func(time.Duration) bool
			if kills < 20 {
				kill = randomKill(rng, pending)
			}
			if runChild(t, path, srv.URL, runID, kill) {
				break
			}
			kills++
			if pending() {
				unconfirmed++
			}
			if id := latestRun(t, db); id != before {
				runID = id // the run was recorded before the kill: resume it
			}
		}
	}
	if kills < 20 {
		t.Fatalf("only %d kills landed", kills)
	}
	run, err := db.Run(context.Background(), latestRun(t, db))
	if err != nil || run.Status != store.RunFinished {
		t.Fatalf("run after the kills: %+v %v", run, err)
	}
	assertAllFinal(t, db, run.ID)
	assertNoDuplicateRecords(t, srv.Records())
	if pend, _ := db.PendingIntents(context.Background(), run.Target); len(pend) != 0 {
		t.Errorf("%d intents left pending", len(pend))
	}
	assertLedgerKnowsCreates(t, db, run.Target, srv.Records())
	t.Logf("%d kills (%d with unconfirmed creates) over %d runs; last run created %d skipped %d failed %d; %d records",
		kills, unconfirmed, run.ID, run.Created, run.Skipped, run.Failed, len(srv.Records()))
}

// latestRun is the id of the newest run (0 when none was recorded yet).
func latestRun(t *testing.T, db *store.DB) int64 {
	t.Helper()
	runs, err := db.Runs(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) == 0 {
		return 0
	}
	return runs[0].ID
}

// randomKill picks a kill point: half the time at a random moment, half
// the time a random moment after the child has written create intents
// (the window a crash is most dangerous in).
func randomKill(rng *rand.Rand, pending func() bool) func(time.Duration) bool {
	at := time.Duration(20+rng.IntN(400)) * time.Millisecond
	if rng.IntN(2) == 0 {
		return func(elapsed time.Duration) bool { return elapsed >= at }
	}
	extra := time.Duration(rng.IntN(40)) * time.Millisecond
	var seen time.Duration = -1
	return func(elapsed time.Duration) bool {
		if seen < 0 && pending() {
			seen = elapsed
		}
		return (seen >= 0 && elapsed >= seen+extra) || elapsed >= 4*at
	}
}

// runChild runs one child sync (a resume when runID is set). kill is asked
// every few milliseconds with the time since the start; when it says so
// the child is SIGKILLed. runChild reports whether the child ran to its end.
func runChild(t *testing.T, dbPath, url string, runID int64, kill func(time.Duration) bool) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// A race-enabled child sleeps a second at exit unless told otherwise.
	cmd.Env = append(os.Environ(), envChildDB+"="+dbPath, envChildURL+"="+url, "GORACE="+childGORACE())
	if runID != 0 {
		cmd.Env = append(cmd.Env, envChildRun+"="+strconv.FormatInt(runID, 10))
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("child failed: %v", err)
			}
			return true
		case <-tick.C:
			if kill != nil && kill(time.Since(start)) {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				<-done
				return false
			}
		}
	}
}

// childGORACE keeps the parent's race options (a child's report still
// fails it: the child exits non-zero) without the pause at exit.
func childGORACE() string {
	return strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
}

// assertLedgerKnowsCreates fails when a record coexsync created is missing
// from the ledger (under its id): a resume must confirm, not forget, the
// creates a killed process sent.
func assertLedgerKnowsCreates(t *testing.T, db *store.DB, target string, records []hubspottest.Contact) {
	t.Helper()
	want := map[string]string{}
	for _, r := range records {
		if r.CreatedByAPI {
			want[r.Properties[hubspot.PropPhone]] = r.ID
		}
	}
	numbers := slices.Collect(maps.Keys(want))
	got, err := db.CreatedRecords(context.Background(), target, numbers)
	if err != nil {
		t.Fatal(err)
	}
	for e164, id := range want {
		if got[e164] != id {
			t.Errorf("ledger has %s as %q, the CRM created %s", e164, got[e164], id)
		}
	}
}
