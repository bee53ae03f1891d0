package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"coexsync/store"
)

// A headless retry of a sandbox run whose failures are all unreadable
// numbers sends nothing, says how many were left out and why, records no
// run and exits 1: the failures stand.
func TestHeadlessRetryLeavesOutUnreadableNumbers(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "sandbox.db")
	r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot", "--request", "--json")
	var first runJSON
	if err := json.Unmarshal([]byte(r.out), &first); err != nil || r.code != 1 || first.Failed == 0 {
		t.Fatalf("first run: exit %d %+v %v", r.code, first, err)
	}
	r = runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--retry", fmt.Sprint(first.RunID), "--crm", "hubspot", "--json")
	if r.code != 1 || r.out != "" {
		t.Fatalf("retry: exit %d, out %q; want 1 and no summary", r.code, r.out)
	}
	want := fmt.Sprintf("%d contacts left out: their numbers still cannot be read", first.Failed)
	if !strings.Contains(r.errOut, want) || !strings.Contains(r.err, "nothing to retry") {
		t.Fatalf("retry says %q / %q, want %q and nothing to retry", r.errOut, r.err, want)
	}
	out := runCLI(t, nil, "", "runs", "--db", db).out
	if n := strings.Count(out, "\n"); n != 2 {
		t.Fatalf("runs after a retry with nothing to send (a header and one run): %q", out)
	}
}

// A retry of a run that sends nothing says what would: a run that did not
// finish is resumed (exit 1: its contacts stand unsynced); a run without
// failures has nothing to do (exit 0).
func TestHeadlessRetrySaysWhatWouldHelp(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "sandbox.db")
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ids := map[store.RunStatus]int64{}
	for _, status := range []store.RunStatus{store.RunInterrupted, store.RunFinished} {
		id, err := s.CreateRun(ctx, store.Run{NumberID: "100000000000004", CRM: "hubspot", Target: "t", Mode: store.ModeLive})
		if err == nil {
			err = s.FinishRun(ctx, id, status, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		ids[status] = id
	}
	s.Close()
	for status, want := range map[store.RunStatus]struct {
		code int
		says string
	}{
		store.RunInterrupted: {1, fmt.Sprintf("did not finish (interrupted), and its contacts not sent yet are not failures: resume it with coexsync sync --number 100000000000004 --resume %d", ids[store.RunInterrupted])},
		store.RunFinished:    {0, fmt.Sprintf("run %d has no failed contacts", ids[store.RunFinished])},
	} {
		r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--retry", fmt.Sprint(ids[status]), "--crm", "hubspot")
		if r.code != want.code || !strings.Contains(r.err+r.errOut, want.says) {
			t.Errorf("retry of a %s run: exit %d %q / %q, want %d and %q", status, r.code, r.err, r.errOut, want.code, want.says)
		}
	}
}
