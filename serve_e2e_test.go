package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"coexsync/sandbox"
)

// Plain coexsync (real clients, not sandbox mode) syncs against a served
// sandbox in another process: every contact the plan meant to create is
// created exactly once, no number ends up held by two records, and a
// second run creates nothing. The server stops cleanly on SIGTERM.
func TestServedSandboxOutOfProcessSync(t *testing.T) {
	t.Parallel() // child processes only: beside the trials
	bin := buildBinary(t)
	sv := startServe(t, bin, "--contacts", "150", "--seed", "7", "--window", "1s", "--search-lag", "100ms")
	for _, key := range []string{"GRAPH_API_URL", "WABA_ID", "WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET", "HUBSPOT_API_URL",
		"HUBSPOT_TOKEN", "INTERCOM_API_URL", "INTERCOM_TOKEN", "COEXSYNC_CRM_ACCOUNT", "COEXSYNC_DB", serveControlEnv} {
		if sv.Env[key] == "" {
			t.Fatalf("sandbox.env lacks %s", key)
		}
	}
	for _, key := range []string{"WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET", "HUBSPOT_TOKEN", "INTERCOM_TOKEN"} {
		if strings.Contains(sv.Output.String(), sv.Env[key]) {
			t.Fatalf("sandbox serve printed %s", key)
		}
	}
	if !fileExists(filepath.Join(sv.Dir, servePIDFile)) {
		t.Fatal("no pid file")
	}
	before := sv.State(t)
	if r := sv.Run(t, "import", filepath.Join(sv.Dir, serveContactsFile)); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.err)
	}

	for _, c := range []struct {
		crm, number string
		of          func(st sandbox.State) sandbox.CRMState
	}{
		{"hubspot", "100000000000004", func(st sandbox.State) sandbox.CRMState { return st.HubSpot }},
		{"intercom", "100000000000002", func(st sandbox.State) sandbox.CRMState { return st.Intercom }},
	} {
		r := sv.Run(t, "sync", "--number", c.number, "--crm", c.crm, "--dry-run", "--json")
		var plan planJSON
		if r.code != 0 || json.Unmarshal([]byte(r.out), &plan) != nil || plan.Sandbox || plan.Counts["create"] == 0 {
			t.Fatalf("%s dry run: exit %d %s %s", c.crm, r.code, r.err, r.out)
		}
		var sum runJSON
		r = sv.Run(t, "sync", "--number", c.number, "--crm", c.crm, "--json")
		if r.code > 1 || json.Unmarshal([]byte(r.out), &sum) != nil {
			t.Fatalf("%s sync: exit %d %s %s", c.crm, r.code, r.err, r.out)
		}
		if sum.Sandbox || sum.Status != "finished" || sum.Created != plan.Counts["create"] {
			t.Fatalf("%s sync: %+v, plan meant %d creates", c.crm, sum, plan.Counts["create"])
		}
		was, now := c.of(before), c.of(sv.State(t))
		if now.Created != was.Created+sum.Created || now.Records != was.Records+sum.Created {
			t.Fatalf("%s holds %d records (%d created), want %d more than %d", c.crm, now.Records, now.Created, sum.Created, was.Records)
		}
		if now.NumbersHeldTwiceByAPI != 0 || now.NumbersHeldTwice != was.NumbersHeldTwice {
			t.Fatalf("%s: %d numbers held twice after the sync (%d by created records), %d before",
				c.crm, now.NumbersHeldTwice, now.NumbersHeldTwiceByAPI, was.NumbersHeldTwice)
		}
		var again runJSON
		r = sv.Run(t, "sync", "--number", c.number, "--crm", c.crm, "--json")
		if r.code > 1 || json.Unmarshal([]byte(r.out), &again) != nil || again.Created != 0 || c.of(sv.State(t)).Records != now.Records {
			t.Fatalf("%s second sync created something: exit %d %+v", c.crm, r.code, again)
		}
		before = sv.State(t)
	}

	if err := sv.Stop(t); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, sv.Output.String())
	}
	for _, f := range []string{servePIDFile, serveEnvFile} {
		if fileExists(filepath.Join(sv.Dir, f)) {
			t.Errorf("%s left behind after a clean stop", f)
		}
	}
}
