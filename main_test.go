package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"coexsync/crm"
	"coexsync/store"
	"coexsync/sync/normalize"
)

// run executes the CLI with args and returns stdout and the exit status
// main would use.
func run(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	r := runCLI(t, nil, stdin, args...)
	return r.out, r.code
}

// cliResult is one in-process run of the CLI.
type cliResult struct {
	out, errOut string
	code        int
	err         string // the error main would print ("" on success)
}

var dataHomes sync.Map // *testing.T → its XDG_DATA_HOME

// smallSandboxSize is --sandbox-contacts for the tests whose point is not
// the default dataset: a sandbox of 60 contacts a number (and the CRM
// records generated from them) starts and syncs at a fraction of the
// default one's cost, through the sized sandbox's own loading path.
const smallSandboxSize = "60"

// runCLI runs the CLI in an environment of env alone, with the default
// database in the test's own data directory: the developer's variables
// never reach it, and tests run side by side.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	root := newRootCommand(cliEnv(t, env))
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	err := root.ExecuteContext(context.Background())
	res := cliResult{out: out.String(), errOut: errOut.String()}
	if err != nil {
		var ec exitCode
		res.code, res.err = 2, err.Error()
		if errors.As(err, &ec) {
			res.code = ec.code
		}
		t.Logf("coexsync %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// cliEnv is the environment of one run: env, and XDG_DATA_HOME set to
// the test's data directory.
func cliEnv(t *testing.T, env map[string]string) func(string) (string, bool) {
	t.Helper()
	home, ok := dataHomes.Load(t)
	if !ok {
		home = t.TempDir()
		dataHomes.Store(t, home)
		t.Cleanup(func() { dataHomes.Delete(t) })
	}
	vars := map[string]string{"XDG_DATA_HOME": home.(string)}
	for k, v := range env {
		vars[k] = v
	}
	return lookupIn(vars)
}

// lookupIn is vars as an environment: the names it lacks are unset.
func lookupIn(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// dataHome is the test's XDG_DATA_HOME (set by its first runCLI).
func dataHome(t *testing.T) string {
	t.Helper()
	home, ok := dataHomes.Load(t)
	if !ok {
		t.Fatal("dataHome before runCLI")
	}
	return home.(string)
}

func TestNormalizeCommandPrintsOneObjectPerNumber(t *testing.T) {
	t.Parallel()
	out, code := run(t, "", "normalize", "--region", "MX", "5215512345678", "call me", "+55 11 8765-4321")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines, got %q", out)
	}
	var mx, bad, br normalize.Result
	for i, dst := range []*normalize.Result{&mx, &bad, &br} {
		if err := json.Unmarshal([]byte(lines[i]), dst); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	if mx.E164 != "+525512345678" || !mx.Valid || len(mx.Candidates) < 2 {
		t.Errorf("MX 521 form: %+v", mx)
	}
	if bad.Valid || bad.Reason == "" || bad.Message == "" {
		t.Errorf("text: %+v", bad)
	}
	if br.E164 != "+5511987654321" {
		t.Errorf("BR without ninth digit: %+v", br)
	}
}

func TestNormalizeCommandReadsStdinAndRejectsBadRegion(t *testing.T) {
	t.Parallel()
	out, code := run(t, "4155552671\n\n(415) 555-2672\n", "normalize", "--region", "us")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"+14155552672"`) {
		t.Fatalf("exit %d, out %q", code, out)
	}
	if _, code := run(t, "", "normalize", "--region", "USA", "1"); code != 2 {
		t.Fatalf("bad region: exit %d, want 2", code)
	}
}

// TestHeadlessSandboxSync runs the headless sync twice on the sandbox: the
// first run accounts for every contact, the second creates nothing.
func TestHeadlessSandboxSync(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "sandbox.db")
	out, code := run(t, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot", "--request", "--json")
	if code != 1 { // the sandbox holds invalid numbers: some contacts fail
		t.Fatalf("first run: exit %d, want 1; out %s", code, out)
	}
	var first runJSON
	if err := json.Unmarshal([]byte(out), &first); err != nil {
		t.Fatalf("summary: %v: %s", err, out)
	}
	if first.Status != "finished" || first.Created == 0 || first.Skipped == 0 ||
		first.Created+first.Skipped+first.Failed != first.Total || len(first.Failures) != first.Failed {
		t.Fatalf("first run summary: %+v", first)
	}
	for _, f := range first.Failures {
		if f.Reason == "" || f.Message == "" {
			t.Errorf("failure without an actionable reason: %+v", f)
		}
	}

	// The sandbox's CRM fakes are new each process, so the second run's
	// "nothing to create" comes from the local ledger, not from search.
	out, code = run(t, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "hubspot", "--json")
	var second runJSON
	if err := json.Unmarshal([]byte(out), &second); err != nil {
		t.Fatalf("second summary: %v: %s", err, out)
	}
	if code != 1 || second.Total != first.Total || second.Failed != first.Failed ||
		second.Created != 0 || second.Skipped != first.Created+first.Skipped {
		t.Fatalf("second run must create nothing: exit %d %+v (first %+v)", code, second, first)
	}

	csvPath := filepath.Join(t.TempDir(), "failures.csv")
	if _, code := run(t, "", "export", "--db", db, "--run", "1", "--status", "failed", "--out", csvPath); code != 0 {
		t.Fatalf("export: exit %d", code)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != first.Failed+1 || rows[0][0] != "run_id" {
		t.Fatalf("export has %d rows for %d failures", len(rows), first.Failed)
	}
	out, _ = run(t, "", "runs", "--db", db)
	if strings.Count(out, "\n") != 3 || !strings.HasPrefix(out, runHeader) {
		t.Fatalf("runs (a header and two runs): %q", out)
	}
}

func TestHeadlessSyncCannotRun(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "sandbox.db")
	cases := [][]string{
		{"sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--crm", "hubspot"},                               // no number
		{"sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004"},                    // no contacts stored yet
		{"sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000003", "--request"},       // not on the Business App
		{"sync", "--offline", "--db", db, "--number", "100000000000004"},                                                            // offline has no CRM
		{"sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", t.TempDir(), "--number", "100000000000004", "--json"}, // the db path is a directory
	}
	for _, args := range cases {
		if out, code := run(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (out %q)", args, code, out)
		}
	}
}

func TestImportThenDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	payload := `{"object":"whatsapp_business_account","entry":[{"id":"200000000000001","changes":[{"field":"smb_app_state_sync","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"442079460321","phone_number_id":"100000000000004"},"state_sync":[` +
		`{"type":"contact","contact":{"full_name":"Ana Lima","first_name":"Ana","phone_number":"447911123456"},"action":"add","metadata":{"timestamp":"1732450000"}},` +
		`{"type":"contact","contact":{"full_name":"Bo","phone_number":"07911 123457"},"action":"add","metadata":{"timestamp":"1732450000"}}]}}]}]}`
	file := filepath.Join(dir, "payload.json")
	if err := os.WriteFile(file, []byte(payload), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, "", "import", "--db", db, file); code != 0 || !strings.Contains(out, "2") {
		t.Fatalf("import: exit %d %q", code, out)
	}
	out, code := run(t, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--db", db, "--number", "100000000000004", "--crm", "intercom", "--dry-run", "--json")
	if code != 0 {
		t.Fatalf("dry run: exit %d", code)
	}
	var plan planJSON
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Rows) != 2 || plan.Counts["create"] != 2 || plan.Region != "GB" {
		t.Fatalf("plan: %+v", plan)
	}
	if plan.Rows[1].E164 != "+447911123457" {
		t.Errorf("national number with the business's region: %+v", plan.Rows[1])
	}
}

// The ledger is keyed by CRM account: one database serves many customers,
// and HubSpot's one base URL serves every portal.
func TestLedgerAccountSeparatesCustomers(t *testing.T) {
	t.Parallel()
	a := &config{wabaID: "111"}
	b := &config{wabaID: "222"}
	if a.ledgerAccount() == b.ledgerAccount() {
		t.Fatalf("two WhatsApp Business Accounts share the ledger account %q", a.ledgerAccount())
	}
	if got := (&config{wabaID: "111", crmAccount: "portal 42"}).ledgerAccount(); got != "portal 42" {
		t.Fatalf("--crm-account ignored: %q", got)
	}
	ta := crm.TargetOf("hubspot", a.ledgerAccount(), "https://api.hubapi.com")
	tb := crm.TargetOf("hubspot", b.ledgerAccount(), "https://api.hubapi.com")
	if ta == tb || crm.TargetOf("hubspot", "", "https://x") != "hubspot https://x" {
		t.Fatalf("targets: %q %q", ta, tb)
	}
}

// The default database follows the command's environment, by the rule
// the store uses for the process's own.
func TestDefaultDBPathReadsTheCommandsEnvironment(t *testing.T) {
	t.Parallel()
	homeVar := map[bool]string{true: "USERPROFILE", false: "HOME"}[runtime.GOOS == "windows"]
	for _, c := range []struct {
		vars map[string]string
		want string // "" : an error
	}{
		{map[string]string{"XDG_DATA_HOME": "/data", homeVar: "/home/ana"}, filepath.Join("/data", "coexsync", "coexsync.db")},
		{map[string]string{"XDG_DATA_HOME": "rel", homeVar: "/home/ana"}, filepath.Join("/home/ana", ".local", "share", "coexsync", "coexsync.db")},
		{map[string]string{homeVar: "/home/ana"}, filepath.Join("/home/ana", ".local", "share", "coexsync", "coexsync.db")},
		{map[string]string{"XDG_DATA_HOME": "rel"}, ""},
		{nil, ""},
	} {
		got, err := (&config{getenv: lookupIn(c.vars)}).defaultDBPath()
		if c.want == "" && err == nil || c.want != "" && (err != nil || got != c.want) {
			t.Errorf("%v: %q %v, want %q", c.vars, got, err, c.want)
		}
	}
	// Given the process's environment, it is the store's own default.
	got, err := (&config{getenv: os.LookupEnv}).defaultDBPath()
	want, wantErr := store.DefaultPath()
	if got != want || (err == nil) != (wantErr == nil) {
		t.Errorf("process environment: %q %v, store %q %v", got, err, want, wantErr)
	}
}
