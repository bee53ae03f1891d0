package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"charm.land/fang/v2"

	"coexsync/crm"
	"coexsync/store"
	engine "coexsync/sync"
)

// A run that stopped early says how many contacts it did not reach and
// how to continue; a finished run and a dry run do not.
func TestSummarySaysWhatIsLeft(t *testing.T) {
	t.Parallel()
	cases := []struct {
		s    engine.RunSummary
		want string
	}{
		{engine.RunSummary{RunID: 4, Status: store.RunCancelled, Total: 10, Created: 2, Skipped: 3, Failed: 1},
			"4 contacts not processed yet: continue with coexsync sync --resume 4"},
		{engine.RunSummary{RunID: 4, Status: store.RunFailed, Total: 10, Created: 2}, "8 contacts not processed yet"},
		{engine.RunSummary{RunID: 4, Status: store.RunFinished, Total: 10, Created: 10}, ""},
		{engine.RunSummary{Status: store.RunCancelled, Total: 10}, ""}, // a dry run has no run to resume
	}
	for _, c := range cases {
		var b bytes.Buffer
		printSummary(&b, c.s, false)
		got := b.String()
		if c.want == "" && strings.Contains(got, "not processed") || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s run: %q, want %q", c.s.Status, got, c.want)
		}
	}
}

// A CRM failure that stops a command ends with what the agent can do, on
// one sanitised line; other errors print as they are.
func TestPrintErrorAddsWhatToDo(t *testing.T) {
	var b bytes.Buffer
	ce := &crm.Error{Reason: crm.ReasonBadResponse, Status: 200, Message: "unreadable answer: unexpected EOF\x1b[2J"}
	printError(&b, fang.Styles{}, fmt.Errorf("plan: read the CRM's records: %w", ce))
	got := b.String()
	if !strings.HasSuffix(got, crm.ReasonBadResponse.Sentence()+"\n") || strings.Contains(got, "\x1b") || strings.Count(got, "\n") != 1 {
		t.Errorf("CRM failure printed %q", got)
	}
	b.Reset()
	printError(&b, fang.Styles{}, errors.New("--number is required"))
	if b.String() != "coexsync: --number is required\n" {
		t.Errorf("plain error printed %q", b.String())
	}
}
