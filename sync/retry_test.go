package sync

import (
	"context"
	"strings"
	"testing"

	"coexsync/crm"
	"coexsync/store"
)

// A retry sends again only failures that can change: a CRM refusal is
// retried, a number that still cannot be read is left out and counted,
// and a national number that reads in the retry's region is retried.
func TestRetryLeavesOutNumbersThatStillCannotBeRead(t *testing.T) {
	db := openStore(t)
	saveContacts(t, db, []contactSpec{
		{"+1 415 555 0201", "Refused"},
		{"+1 415 555 0202", "Created"},
		{"12", "Too Short"},
		{"user:US.1349", "No Phone"},
		{"020 7946 0321", "London"}, // national: unreadable as US, fine as GB
	})
	fc := newFakeCRM()
	fc.itemErr = func(ref string, _ int) *crm.Error {
		if ref == "+14155550201" {
			return &crm.Error{Reason: crm.ReasonValidation, Status: 400, Message: "property invalid"}
		}
		return nil
	}
	e := &Engine{Store: db, CRM: fc}
	p, err := e.Plan(context.Background(), testNumber, "US")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := runToEnd(t, e, p, RunOptions{Mode: store.ModeLive})
	if first.Failed != 4 || first.Created != 1 {
		t.Fatalf("first run: created %d failed %d, want 1 and 4", first.Created, first.Failed)
	}

	cases := []struct {
		region string
		retry  []string // names in the retry plan
		left   int
	}{
		{"US", []string{"Refused"}, 3},
		{"GB", []string{"Refused", "London"}, 2},
	}
	for _, c := range cases {
		rp, err := e.PlanRetry(context.Background(), first.RunID, c.region)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range rp.Rows {
			names = append(names, r.Contact.FullName)
		}
		if strings.Join(names, ",") != strings.Join(c.retry, ",") {
			t.Errorf("region %s: retry plan holds %v, want %v", c.region, names, c.retry)
		}
		if rp.LeftOut.Count != c.left || rp.LeftOut.ByReason["no_phone_number"] != 1 {
			t.Errorf("region %s: left out %+v, want %d with one no_phone_number", c.region, rp.LeftOut, c.left)
		}
		if txt := rp.LeftOut.Text(); !strings.Contains(txt, "left out") || !strings.Contains(txt, "Business App") {
			t.Errorf("left-out text %q does not say what happened and what to do", txt)
		}
	}

	// The CRM accepts the refused contact now: the retry creates it and
	// the run's total is the contacts retried, not the failures.
	fc.itemErr = nil
	rp, err := e.PlanRetry(context.Background(), first.RunID, "US")
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := runToEnd(t, e, rp, RunOptions{Mode: store.ModeRetry, ParentRunID: first.RunID})
	if sum.Created != 1 || sum.Failed != 0 || sum.Total != 1 {
		t.Errorf("retry run: %+v", sum)
	}
}

func TestLeftOutText(t *testing.T) {
	if got := (LeftOut{}).Text(); got != "" {
		t.Errorf("nothing left out says %q", got)
	}
	one := LeftOut{Count: 1, ByReason: map[string]int{"too_short": 1}}
	if got := one.Text(); !strings.HasPrefix(got, "1 contact left out: its number still cannot be read (1 too short).") {
		t.Errorf("one left out: %q", got)
	}
	two := LeftOut{Count: 3, ByReason: map[string]int{"too_short": 1, "no_phone_number": 2}}
	if got := two.Text(); !strings.HasPrefix(got, "3 contacts left out: their numbers still cannot be read (2 no phone number, 1 too short).") {
		t.Errorf("three left out: %q", got)
	}
}
