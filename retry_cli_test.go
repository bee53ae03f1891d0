package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
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
