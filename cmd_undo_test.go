package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"coexsync/sandbox"
)

// liveCreated lists the records a sync created in the served sandbox's
// CRM that are still live, sorted.
func liveCreated(sv *sandbox.Served, crmName string) []string {
	var ids []string
	switch crmName {
	case "hubspot":
		for _, r := range sv.HubSpot.Records() {
			if r.CreatedByAPI && !sv.HubSpot.IsArchived(r.ID) {
				ids = append(ids, r.ID)
			}
		}
	case "intercom":
		for _, r := range sv.Intercom.Records() {
			if r.ViaAPI && !r.Archived {
				ids = append(ids, r.ID)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// Sync into the sandbox's CRM, then undo it: the preview lists what it
// will archive, nothing happens without the typed confirmation, then
// every record the sync created is archived and a second undo has
// nothing left to do.
func TestUndoCommandArchivesWhatTheSyncCreated(t *testing.T) {
	t.Parallel()
	for _, crmName := range []string{"hubspot", "intercom"} {
		t.Run(crmName, func(t *testing.T) {
			t.Parallel()
			sv, env := servedEnv(t, 20)
			number := "100000000000004"
			r := runCLI(t, env, "", "sync", "--number", number, "--crm", crmName, "--json")
			var synced runJSON
			if err := json.Unmarshal([]byte(r.out), &synced); err != nil || r.code == 2 || synced.Created == 0 {
				t.Fatalf("sync: exit %d %q %v", r.code, r.out, err)
			}
			created := liveCreated(sv, crmName)
			if len(created) != synced.Created {
				t.Fatalf("%d records created in the fake, the sync says %d", len(created), synced.Created)
			}
			run := fmt.Sprint(synced.RunID)

			r = runCLI(t, env, "undo 1\n", "undo", "--run", run)
			if r.code != 2 || !strings.Contains(r.err, "not confirmed") {
				t.Fatalf("wrong confirmation: exit %d %q", r.code, r.err)
			}
			if !strings.Contains(r.out, fmt.Sprintf("%d to archive", len(created))) || !strings.Contains(r.out, created[0]) {
				t.Fatalf("preview %q does not list the %d records", r.out, len(created))
			}
			if got := liveCreated(sv, crmName); !slices.Equal(got, created) {
				t.Fatalf("an unconfirmed undo archived: %d left of %d", len(got), len(created))
			}

			r = runCLI(t, env, fmt.Sprintf("undo %d\n", len(created)), "undo", "--run", run)
			if r.code != 0 || !strings.Contains(r.out, fmt.Sprintf("%d archived", len(created))) {
				t.Fatalf("undo: exit %d %q %s", r.code, r.out, r.err)
			}
			if got := liveCreated(sv, crmName); len(got) != 0 {
				t.Fatalf("%d records the sync created are still live", len(got))
			}

			r = runCLI(t, env, "", "undo", "--run", run, "--json")
			var again undoJSON
			if err := json.Unmarshal([]byte(r.out), &again); err != nil || r.code != 0 {
				t.Fatalf("second undo: exit %d %q %v", r.code, r.out, err)
			}
			if again.Status != "nothing_to_undo" || len(again.ToArchive) != 0 || again.RunID != 0 {
				t.Fatalf("second undo: %+v", again)
			}
			undone := 0
			for _, k := range again.Kept {
				switch {
				case k.Message == "":
					t.Errorf("kept without a reason: %+v", k)
				case k.Reason == "undone":
					undone++
				case k.Reason != "not_created": // records the sync matched
					t.Errorf("second undo keeps %+v", k)
				}
			}
			if undone != len(created) {
				t.Fatalf("second undo: %d kept as undone, want %d", undone, len(created))
			}
			if _, out := runs(t, env); strings.Count(out, " undo ") != 1 {
				t.Fatalf("runs: %q", out)
			}
		})
	}
}

// With --sandbox each coexsync process starts its own fake CRM, so an
// undo in a later process finds the records gone: it says so and archives
// nothing. Flags that cannot work are refused before anything runs.
func TestUndoCommandOnThePerProcessSandbox(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "s.db")
	if r := runCLI(t, nil, "", "import", "--sandbox", "--db", db, smallPayload(t)); r.code != 0 {
		t.Fatal(r.err)
	}
	r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot")
	if r.code != 0 {
		t.Fatalf("sync: exit %d %s", r.code, r.err)
	}
	r = runCLI(t, nil, "", "undo", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--run", "1", "--yes")
	if r.code != 0 || !strings.HasPrefix(r.out, "SANDBOX undo of run 1") || !strings.Contains(r.out, "SANDBOX nothing to archive") {
		t.Fatalf("undo: exit %d %q %s", r.code, r.out, r.err)
	}
	for _, args := range [][]string{
		{"undo", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db},
		{"undo", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--run", "1", "--offline"},
		{"undo", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--run", "9"},
		{"undo", "--run", "1"},
	} {
		if r := runCLI(t, nil, "", args...); r.code != 2 || r.err == "" {
			t.Errorf("%v: exit %d %q", args, r.code, r.err)
		}
	}
}
