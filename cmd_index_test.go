package main

import (
	"encoding/json"
	"strings"
	"testing"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot"
	engine "coexsync/sync"
)

// indexOut is the documented shape of index --json.
type indexOut struct {
	Sandbox          bool   `json:"sandbox"`
	CRM              string `json:"crm"`
	Region           string `json:"region"`
	Complete         bool   `json:"complete"`
	Records          int    `json:"records"`
	Unreadable       int    `json:"unreadable"`
	BuiltAt          string `json:"built_at"`
	Watermark        string `json:"watermark"`
	UnreadableValues []struct {
		RecordID string `json:"record_id"`
		Raw      string `json:"raw"`
		Reason   string `json:"reason"`
	} `json:"unreadable_values"`
}

func TestIndexSandbox(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"hubspot", "intercom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, "", "index", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--crm", name, "--json")
			if r.code != 0 {
				t.Fatalf("index: exit %d %s", r.code, r.err)
			}
			var first indexOut
			if err := json.Unmarshal([]byte(r.out), &first); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.out)
			}
			if !first.Sandbox || first.CRM != name || !first.Complete || first.Records == 0 || first.BuiltAt == "" ||
				first.Region == "" || first.UnreadableValues == nil || len(first.UnreadableValues) > maxUnreadableShown {
				t.Fatalf("index state: %+v", first)
			}
			if !strings.Contains(r.errOut, "listing every record: ") || !strings.Contains(r.errOut, "records, ") {
				t.Errorf("no progress on stderr: %q", r.errOut)
			}

			// Again: only the changes are read, the build time stays.
			r = runCLI(t, nil, "", "index", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--crm", name, "--json")
			var again indexOut
			if err := json.Unmarshal([]byte(r.out), &again); err != nil || r.code != 0 {
				t.Fatalf("refresh: exit %d %v", r.code, err)
			}
			if again.BuiltAt != first.BuiltAt || again.Records != first.Records || !strings.Contains(r.errOut, "reading changes") {
				t.Errorf("refresh: %+v after %+v; stderr %q", again, first, r.errOut)
			}

			// --rebuild lists everything again, in text.
			r = runCLI(t, nil, "", "index", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--crm", name, "--rebuild")
			if r.code != 0 || !strings.Contains(r.errOut, "listing every record") {
				t.Fatalf("rebuild: exit %d %s; stderr %q", r.code, r.err, r.errOut)
			}
			for _, want := range []string{"SANDBOX", name + " index: ", " records, ", "unreadable phone values", "built at ", "took "} {
				if !strings.Contains(r.out, want) {
					t.Errorf("summary lacks %q:\n%s", want, r.out)
				}
			}
		})
	}
}

func TestIndexRegionFollowsNumber(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "index", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--crm", "hubspot", "--number", "100000000000002", "--json")
	var got indexOut
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != 0 || got.Region != "MX" {
		t.Fatalf("exit %d %v %+v", r.code, err, got)
	}
	r = runCLI(t, nil, "", "index", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--crm", "hubspot", "--crm-region", "US", "--json")
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != 0 || got.Region != "US" {
		t.Fatalf("exit %d %v %+v", r.code, err, got)
	}
}

func TestIndexCannotRun(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "index")
	if r.code != 2 || !strings.Contains(r.err, "--sandbox") {
		t.Errorf("index without credentials: exit %d %q", r.code, r.err)
	}
}

func TestLookupFlag(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--number", "100000000000004", "--lookup", "fuzzy")
	if r.code != 2 || !strings.Contains(r.err, `--lookup "fuzzy": want index`) || !strings.Contains(r.err, "search") {
		t.Fatalf("bad --lookup: exit %d %q", r.code, r.err)
	}
	file := smallPayload(t)
	if r := runCLI(t, nil, "", "import", "--sandbox", file); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.err)
	}
	for _, l := range []string{"search", "index"} {
		r := runCLI(t, nil, "", "sync", "--sandbox", "--sandbox-contacts", smallSandboxSize, "--number", "100000000000004", "--crm", "hubspot", "--dry-run", "--json", "--lookup", l)
		var plan planJSON
		if err := json.Unmarshal([]byte(r.out), &plan); err != nil || r.code != 0 {
			t.Fatalf("--lookup %s: exit %d %v %s", l, r.code, err, r.err)
		}
		if plan.Lookup != l {
			t.Errorf("--lookup %s: plan used %q", l, plan.Lookup)
		}
	}
	// The backend hands the override to every engine it makes.
	b := backend.New(backend.Config{Mode: backend.ModeLive, Lookup: engine.LookupSearch,
		CRMs: map[string]crm.Client{"hubspot": hubspot.New(hubspot.Config{Token: "x"})}})
	eng, err := b.Engine("hubspot")
	if err != nil || eng.Lookup != engine.LookupSearch {
		t.Fatalf("engine lookup %q %v", eng.Lookup, err)
	}
}
