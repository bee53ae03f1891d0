package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom"
	"coexsync/sandbox"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/whatsapp/whatsapptest"
)

// servedEnv starts the fakes in this process and returns the environment
// that points plain coexsync (real clients, not sandbox mode) at them,
// with the contacts of every number imported into its database.
func servedEnv(t *testing.T, perNumber int) (*sandbox.Served, map[string]string) {
	t.Helper()
	sv, err := sandbox.Serve(sandbox.ServeOptions{Seed: 5, Contacts: perNumber})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sv.Close)
	dir := t.TempDir()
	env := map[string]string{"COEXSYNC_DB": filepath.Join(dir, "c.db")}
	for _, kv := range sv.Env() {
		env[kv[0]] = kv[1]
	}
	payload := filepath.Join(dir, "contacts.json")
	f, err := os.Create(payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.WriteContacts(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if r := runCLI(t, env, "", "import", payload); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.err)
	}
	return sv, env
}

// A dry run sends nothing: --request (which would spend Meta's one-time
// contact sync) and --resume (which writes) are refused before any call,
// and a plain dry run reads but never creates or updates a CRM record.
func TestDryRunSendsNothing(t *testing.T) {
	t.Parallel()
	sv, env := servedEnv(t, 20)
	number := "100000000000004"
	for _, args := range [][]string{
		{"sync", "--number", number, "--crm", "hubspot", "--dry-run", "--request"},
		{"sync", "--crm", "hubspot", "--dry-run", "--resume", "1"},
	} {
		r := runCLI(t, env, "", args...)
		if r.code != 2 || !strings.Contains(r.err, "--dry-run") {
			t.Errorf("%v: exit %d, error %q; want 2 and a sentence naming --dry-run", args, r.code, r.err)
		}
	}
	st := sv.State()
	if n := st.Graph.Calls[whatsapptest.CallSyncRequest] + st.Graph.Calls[whatsapptest.CallPhoneNumbers]; n != 0 {
		t.Fatalf("refused dry runs called Graph %d times: %v", n, st.Graph.Calls)
	}
	if len(st.HubSpot.Calls) != 0 {
		t.Fatalf("refused dry runs called HubSpot: %v", st.HubSpot.Calls)
	}

	r := runCLI(t, env, "", "sync", "--number", number, "--crm", "hubspot", "--dry-run", "--json")
	if r.code != 0 {
		t.Fatalf("dry run: exit %d %s", r.code, r.err)
	}
	var plan planJSON
	if err := json.Unmarshal([]byte(r.out), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Sandbox || plan.Counts["create"] == 0 {
		t.Fatalf("plan against served fakes: %+v", plan)
	}
	st = sv.State()
	if st.HubSpot.Calls[hubspottest.EndpointSearch] == 0 {
		t.Fatalf("the dry run did not even look: %v", st.HubSpot.Calls)
	}
	if st.HubSpot.Calls[hubspottest.EndpointCreate]+st.HubSpot.Calls[hubspottest.EndpointUpdate] != 0 || st.HubSpot.Created != 0 ||
		st.Graph.Calls[whatsapptest.CallSyncRequest] != 0 {
		t.Fatalf("the dry run wrote: hubspot %v created %d, graph %v", st.HubSpot.Calls, st.HubSpot.Created, st.Graph.Calls)
	}
	if _, out := runs(t, env); !strings.Contains(out, "no runs yet") {
		t.Fatalf("the dry run recorded a run: %q", out)
	}
}

func runs(t *testing.T, env map[string]string, args ...string) (cliResult, string) {
	t.Helper()
	r := runCLI(t, env, "", append([]string{"runs"}, args...)...)
	if r.code != 0 {
		t.Fatalf("runs: exit %d %s", r.code, r.err)
	}
	return r, r.out
}

// A headless sync never falls back to the fakes by itself: without
// credentials it needs --sandbox, and then every output says SANDBOX.
func TestHeadlessSyncNeedsSandboxFlagAndSaysSandbox(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "sync", "--number", "100000000000004", "--crm", "hubspot")
	if r.code != 2 || !strings.Contains(r.err, "--sandbox") {
		t.Fatalf("no credentials: exit %d %q, want 2 and a sentence naming --sandbox", r.code, r.err)
	}
	if _, err := os.Stat(filepath.Join(dataHome(t), "coexsync", "sandbox.db")); !os.IsNotExist(err) {
		t.Fatalf("the refused sync created sandbox.db: %v", err)
	}

	db := filepath.Join(t.TempDir(), "s.db")
	payload := smallPayload(t)
	if r := runCLI(t, nil, "", "import", "--sandbox", "--db", db, payload); r.code != 0 {
		t.Fatal(r.err)
	}
	base := []string{"sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot"}
	if r := runCLI(t, nil, "", append(base, "--dry-run")...); r.code != 0 || !strings.HasPrefix(r.out, "SANDBOX plan for number") {
		t.Fatalf("dry run text: exit %d %q", r.code, r.out)
	}
	var plan map[string]any
	if r := runCLI(t, nil, "", append(base, "--dry-run", "--json")...); json.Unmarshal([]byte(r.out), &plan) != nil || plan["sandbox"] != true {
		t.Fatalf("dry run JSON: %q", r.out)
	}
	if plan["lookup"] != "index" || plan["crm_region"] != "GB" || plan["index_records"] == nil {
		t.Errorf("the plan does not say how it matched: lookup %v, crm_region %v, index_records %v",
			plan["lookup"], plan["crm_region"], plan["index_records"])
	}
	r = runCLI(t, nil, "", base...)
	if r.code != 0 || !strings.HasPrefix(r.out, "SANDBOX run 1 finished") {
		t.Fatalf("sync text: exit %d %q", r.code, r.out)
	}
	var sum map[string]any
	if r := runCLI(t, nil, "", append(base, "--json")...); json.Unmarshal([]byte(r.out), &sum) != nil || sum["sandbox"] != true || sum["created"] != float64(0) {
		t.Fatalf("sync JSON: %q", r.out)
	}
}

// smallPayload is two contacts of the sandbox's London number.
func smallPayload(t *testing.T) string {
	t.Helper()
	payload := `{"object":"whatsapp_business_account","entry":[{"id":"200000000000001","changes":[{"field":"smb_app_state_sync","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"442079460321","phone_number_id":"100000000000004"},"state_sync":[` +
		`{"type":"contact","contact":{"full_name":"Ana Lima","first_name":"Ana","phone_number":"447911123456"},"action":"add","metadata":{"timestamp":"1732450000"}},` +
		`{"type":"contact","contact":{"full_name":"Bo","phone_number":"07911 123457"},"action":"add","metadata":{"timestamp":"1732450000"}}]}}]}]}`
	file := filepath.Join(t.TempDir(), "payload.json")
	if err := os.WriteFile(file, []byte(payload), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// Only --sandbox (or the console with nothing configured) means the
// sandbox's database: import and webhook with real secrets, or with none,
// write the real one.
func TestWritingCommandsUseSandboxDBOnlyWithSandbox(t *testing.T) {
	t.Parallel()
	payload := smallPayload(t)
	r := runCLI(t, map[string]string{"WHATSAPP_APP_SECRET": "real-secret", "WHATSAPP_VERIFY_TOKEN": "real-vt"}, "", "import", payload)
	if r.code != 0 {
		t.Fatal(r.err)
	}
	dir := filepath.Join(dataHome(t), "coexsync")
	if !fileExists(filepath.Join(dir, "coexsync.db")) || fileExists(filepath.Join(dir, "sandbox.db")) {
		t.Fatalf("import with real secrets: want coexsync.db only in %s", dir)
	}
	if got := readLastSession(dir); got != sessionLive {
		t.Errorf("last session %q, want %q", got, sessionLive)
	}
	if r := runCLI(t, nil, "", "import", "--sandbox", payload); r.code != 0 || !fileExists(filepath.Join(dir, "sandbox.db")) {
		t.Fatalf("import --sandbox: exit %d, sandbox.db made: %t", r.code, fileExists(filepath.Join(dir, "sandbox.db")))
	}

	webhook := &config{appSecret: "s", verifyToken: "v", getenv: cliEnv(t, nil)}
	ch, err := webhook.chooseDB(dbWrite)
	if err != nil || filepath.Base(ch.path) != "coexsync.db" || ch.sandbox {
		t.Fatalf("webhook with real secrets: %+v %v", ch, err)
	}
	for _, c := range []struct {
		cfg  config
		want bool
	}{
		{config{}, true},
		{config{appSecret: "s"}, false},
		{config{verifyToken: "v"}, false},
		{config{hubspotToken: "h"}, false},
		{config{offline: true}, false},
		{config{sandboxSet: true}, false}, // --sandbox=false
	} {
		if got := c.cfg.consoleDefaultsToSandbox(); got != c.want {
			t.Errorf("console sandbox default for %+v: %t, want %t", c.cfg, got, c.want)
		}
	}
}

// Browsing without --sandbox opens the database the last session wrote
// and says so, naming the flag that opens the other one.
func TestBrowsingFollowsTheLastSession(t *testing.T) {
	t.Parallel()
	payload := smallPayload(t)
	if r := runCLI(t, nil, "", "import", "--sandbox", payload); r.code != 0 {
		t.Fatal(r.err)
	}
	if r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--number", "100000000000004", "--crm", "hubspot"); r.code != 0 {
		t.Fatalf("sandbox sync: exit %d %s", r.code, r.err)
	}
	r, out := runs(t, nil)
	if strings.Count(out, "\n") != 2 || !strings.Contains(r.errOut, "sandbox") || !strings.Contains(r.errOut, "--sandbox=false") {
		t.Fatalf("after a sandbox session: runs %q, note %q", out, r.errOut)
	}
	if _, out := runs(t, nil, "--sandbox=false"); !strings.Contains(out, "no runs yet") {
		t.Fatalf("--sandbox=false: %q", out)
	}
	// A real session (here an import) makes the real database the default.
	if r := runCLI(t, nil, "", "import", payload); r.code != 0 {
		t.Fatal(r.err)
	}
	r, out = runs(t, nil)
	if !strings.Contains(out, "no runs yet") || !strings.Contains(r.errOut, "add --sandbox") {
		t.Fatalf("after a real session: runs %q, note %q", out, r.errOut)
	}
	cfg := &config{offline: true, getenv: cliEnv(t, nil)}
	b, closeAll, err := cfg.openBackend(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	if b.Mode() != backend.ModeOffline || filepath.Base(b.Store().Path()) != "coexsync.db" {
		t.Fatalf("--offline opened %s in mode %s", b.Store().Path(), b.Mode())
	}
}

// A database the user may only read can still be browsed: it is opened
// read-only, and its mode is never widened.
func TestReadOnlyDatabaseCanBeBrowsed(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "s.db")
	if r := runCLI(t, nil, "", "import", "--db", db, smallPayload(t)); r.code != 0 {
		t.Fatal(r.err)
	}
	if r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot"); r.code != 0 {
		t.Fatalf("sync: exit %d %s", r.code, r.err)
	}
	if err := os.Chmod(db, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, out := runs(t, nil, "--db", db); strings.Count(out, "\n") != 2 || !strings.Contains(out, "Camden Bikes") {
		t.Fatalf("runs on a read-only database: %q", out)
	}
	r := runCLI(t, nil, "", "export", "--db", db, "--run", "1")
	if r.code != 0 || !strings.HasPrefix(r.out, "run_id,") || strings.Count(r.out, "\n") != 3 {
		t.Fatalf("export on a read-only database: exit %d %q", r.code, r.out)
	}
	cfg := &config{dbPath: db, offline: true}
	b, closeAll, err := cfg.openBackend(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ro := b.Store().ReadOnly()
	closeAll()
	if !ro {
		t.Error("--offline opened the database writable")
	}
	if info, err := os.Stat(db); err != nil || info.Mode().Perm() != 0o400 {
		t.Fatalf("mode after browsing: %v %v, want 400", info.Mode().Perm(), err)
	}
}

func TestRateFlagsAreChecked(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "c.db")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"runs", "--db", db, "--hubspot-rate", "150"}, 2, "190"},
		{[]string{"runs", "--db", db, "--hubspot-rate", "0"}, 2, "capacity pack"},
		{[]string{"runs", "--db", db, "--intercom-rate", "-1"}, 2, "per minute"},
		{[]string{"runs", "--db", db, "--hubspot-rate", "190", "--intercom-rate", "0"}, 0, ""},
		{[]string{"runs", "--db", db, "--hubspot-rate", "250", "--intercom-rate", "2000"}, 0, ""},
		{[]string{"runs", "--db", db, "--crm-region", "XX"}, 2, "two-letter ISO code"},
		{[]string{"runs", "--db", db, "--crm-region", "gb"}, 0, ""},
	} {
		r := runCLI(t, nil, "", c.args...)
		if r.code != c.code || !strings.Contains(r.err, c.want) {
			t.Errorf("%v: exit %d %q, want %d and %q", c.args, r.code, r.err, c.code, c.want)
		}
	}
}

// --force reaches the engine, which then takes over a stale write lease.
func TestForceFlagSetsEngineForce(t *testing.T) {
	t.Parallel()
	b := backend.New(backend.Config{Mode: backend.ModeLive, CRMs: map[string]crm.Client{"hubspot": hubspot.New(hubspot.Config{Token: "x"})}})
	cfg := &config{crm: "hubspot"}
	for _, force := range []bool{false, true} {
		eng, err := newEngine(cfg, b, syncFlags{force: force})
		if err != nil || eng.Force != force {
			t.Fatalf("force %t: engine %+v %v", force, eng, err)
		}
	}
	fl := newSyncCommand(cfg).Flags().Lookup("force")
	if fl == nil || !strings.Contains(fl.Usage, "lease") {
		t.Fatalf("--force flag: %+v", fl)
	}
}

// With both CRMs configured, --resume writes into the CRM the run used,
// not the default one.
func TestResumeUsesTheRunsCRM(t *testing.T) {
	t.Parallel()
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id, err := db.CreateRun(context.Background(), store.Run{NumberID: "n", CRM: "intercom", Target: "t", Mode: store.ModeLive})
	if err != nil {
		t.Fatal(err)
	}
	b := backend.New(backend.Config{Mode: backend.ModeLive, Store: db, CRMs: map[string]crm.Client{
		"hubspot":  hubspot.New(hubspot.Config{Token: "x"}),
		"intercom": intercom.New(intercom.Config{Token: "y"}),
	}})
	eng, err := newEngine(&config{}, b, syncFlags{resume: id})
	if err != nil || eng.CRM.Name() != "intercom" {
		t.Fatalf("resume engine: %v, %v", eng, err)
	}
	if eng, _ := newEngine(&config{}, b, syncFlags{}); eng.CRM.Name() != "hubspot" {
		t.Errorf("a new sync without --crm should keep the default, got %s", eng.CRM.Name())
	}
}

// An undo's count is of records archived, and the runs list says so; a
// run shows its number as agents know it, not the Graph id.
func TestRunLineSaysArchivedForUndo(t *testing.T) {
	t.Parallel()
	undo := listedRun{ID: 9, Mode: string(store.ModeUndo), Status: "finished", Created: 179, CRM: "hubspot",
		NumberID: "100000000000004", Number: "+44 20 7946 0321", Business: "Camden Bikes"}.line()
	live := listedRun{ID: 8, Mode: string(store.ModeLive), Status: "finished", Created: 179, CRM: "hubspot", NumberID: "42"}.line()
	if !strings.Contains(undo, "archived 179") || strings.Contains(undo, "created") || !strings.Contains(live, "created  179") ||
		!strings.Contains(undo, "+44 20 7946 0321 Camden Bikes") || strings.Contains(undo, "100000000000004") ||
		!strings.Contains(live, "(number not in the database)") {
		t.Fatalf("undo line %q, live line %q", undo, live)
	}
}

// `runs --json` lists runs with the number as agents know it and the names
// filled.
func TestRunsJSON(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "s.db")
	if r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot", "--request"); r.code > 1 {
		t.Fatalf("sync: exit %d %s", r.code, r.err)
	}
	r := runCLI(t, nil, "", "runs", "--db", db, "--json")
	var got struct{ Runs []listedRun }
	if r.code != 0 || json.Unmarshal([]byte(r.out), &got) != nil || len(got.Runs) != 1 {
		t.Fatalf("runs --json: exit %d %q", r.code, r.out)
	}
	run := got.Runs[0]
	if run.Number != "+44 20 7946 0321" || run.Business != "Camden Bikes" || run.Created == 0 || run.Status != "finished" {
		t.Fatalf("run %+v", run)
	}
}

// comparedSandboxSize is the sandbox the two ways of syncing are compared
// on: big enough to hold every outcome, small enough to sync four times.
const comparedSandboxSize = "150"

// A headless sync writes while it still looks contacts up, yet on the same
// data it ends exactly as the plan and then its run (the console's way)
// end: the same JSON summary, so the same printed one, and the same
// outcome for every contact. Both lookups: the index and search.
func TestHeadlessSyncMatchesPlanThenRun(t *testing.T) {
	t.Parallel()
	const number = "100000000000004"
	for _, lookup := range []string{"", "search"} {
		t.Run("lookup="+lookup, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			piped := filepath.Join(t.TempDir(), "piped.db")
			args := []string{"sync", "--sandbox", "--sandbox-contacts", comparedSandboxSize, "--db", piped,
				"--number", number, "--crm", "hubspot", "--request", "--json"}
			if lookup != "" {
				args = append(args, "--lookup", lookup)
			}
			r := runCLI(t, nil, "", args...)
			var got runJSON
			if r.code > 1 || json.Unmarshal([]byte(r.out), &got) != nil {
				t.Fatalf("headless sync: exit %d %q %s", r.code, r.out, r.err)
			}

			size, _ := strconv.Atoi(comparedSandboxSize)
			cfg := &config{sandbox: true, sandboxContacts: size, dbPath: filepath.Join(t.TempDir(), "planned.db"),
				crm: "hubspot", seed: 1, lookup: lookup}
			b, closeAll, err := cfg.openBackend(ctx, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll()
			f := syncFlags{number: number, request: true, wait: 2 * time.Minute}
			eng, err := newEngine(cfg, b, f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Numbers(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ensureContacts(ctx, b, f, io.Discard); err != nil {
				t.Fatal(err)
			}
			plan, err := eng.Plan(ctx, number, b.Region(number))
			if err != nil {
				t.Fatal(err)
			}
			job, err := eng.Start(ctx, plan, engine.RunOptions{Mode: store.ModeLive})
			if err != nil {
				t.Fatal(err)
			}
			want := summaryJSON(followJob(job, io.Discard, false), true)
			got.Seconds, want.Seconds = 0, 0
			if !reflect.DeepEqual(got, want) {
				t.Errorf("headless summary\n%+v\nplan then run\n%+v", got, want)
			}
			if want.Created == 0 || want.Skipped == 0 || want.Failed == 0 {
				t.Errorf("the sandbox's contacts no longer cover every outcome: %+v", want)
			}

			db, err := store.Open(piped)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			gotOuts, _, err := db.Outcomes(ctx, store.OutcomeFilter{RunID: got.RunID})
			if err != nil {
				t.Fatal(err)
			}
			wantOuts, _, err := b.Store().Outcomes(ctx, store.OutcomeFilter{RunID: want.RunID})
			if err != nil {
				t.Fatal(err)
			}
			if len(gotOuts) != len(wantOuts) {
				t.Fatalf("%d outcomes, plan then run %d", len(gotOuts), len(wantOuts))
			}
			for i := range gotOuts {
				g, w := gotOuts[i], wantOuts[i]
				g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
				if g.Status == store.OutcomeCreated && g.CRMID != "" && w.CRMID != "" {
					g.CRMID = w.CRMID // ids of new records follow the order of the creates
				}
				if g != w {
					t.Errorf("contact %d:\n headless     %+v\n plan then run %+v", w.ContactID, g, w)
				}
			}
		})
	}
}

// A headless sync whose plan waits on the sandbox (a sized one still
// making the CRM's records) says why before it waits, and says nothing
// when nothing holds the plan.
func TestHeadlessSaysWhyThePlanWaits(t *testing.T) {
	t.Parallel()
	const number = "100000000000004"
	for _, held := range []bool{false, true} {
		ctx := context.Background()
		db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		sb, err := sandbox.StartWith(ctx, db, sandbox.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
		events := []store.ContactEvent{{NumberID: number, Phone: "447700900123", FullName: "Ana Lima", Action: store.ActionAdd, Timestamp: time.Unix(1700000000, 0)}}
		if _, err := db.SaveContactEvents(ctx, "test", []byte(`{}`), events); err != nil {
			t.Fatal(err)
		}
		bc := sb.Config()
		var asked []string
		bc.Preparing = func(crm string) string {
			asked = append(asked, crm)
			if held {
				return "still making the " + crm + " records"
			}
			return ""
		}
		b := backend.New(bc)
		f := syncFlags{number: number, dryRun: true}
		eng, err := newEngine(&config{crm: "intercom"}, b, f)
		if err != nil {
			t.Fatal(err)
		}
		var notes strings.Builder
		if _, plan, err := startHeadless(ctx, b, eng, f, &notes); err != nil || plan == nil || len(plan.Rows) != 1 {
			t.Fatalf("held %t: plan %v, %v", held, plan, err)
		}
		if want := "still making the intercom records\n"; held != (notes.String() == want) || len(asked) != 1 {
			t.Errorf("held %t: notes %q (asked for %v), want %q only when held", held, notes.String(), asked, want)
		}
	}
}
