package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func record(t *testing.T, db *DB, target string, outs ...Outcome) {
	t.Helper()
	if err := db.RecordOutcomes(context.Background(), target, outs); err != nil {
		t.Fatal(err)
	}
}

func TestRecordOutcomesUpsertsAndKeepsAttempts(t *testing.T) {
	db, ids, runID := runFixture(t, 1)
	ctx := context.Background()
	record(t, db, "", Outcome{RunID: runID, ContactID: ids[0], Name: "Ana", Status: OutcomeFailed,
		Reason: "rate_limited", Attempts: 3})
	when := time.Unix(1_800_000_000, 0)
	record(t, db, "", Outcome{RunID: runID, ContactID: ids[0], Name: "Ana", E164: "+5511987654321",
		Status: OutcomeCreated, CRMID: "c-1", UpdatedAt: when})
	outs, total, err := db.Outcomes(ctx, OutcomeFilter{RunID: runID})
	if err != nil || total != 1 || len(outs) != 1 {
		t.Fatalf("Outcomes = %+v, %d, %v", outs, total, err)
	}
	o := outs[0]
	if o.Status != OutcomeCreated || o.CRMID != "c-1" || o.Reason != "" || o.Attempts != 3 || !o.UpdatedAt.Equal(when) {
		t.Errorf("upserted outcome = %+v", o)
	}
}

func TestRecordOutcomesKeepsLedgerInStep(t *testing.T) {
	db, ids, runID := runFixture(t, 4)
	ctx := context.Background()
	const target = "hubspot:42"
	numbers := []string{"+551100000000", "+551100000001", "+551100000002", "+551100000003"}
	var intents []Intent
	for i, n := range numbers {
		intents = append(intents, Intent{Target: target, E164: n, RunID: runID, ContactID: ids[i]})
	}
	if err := db.AddIntents(ctx, intents); err != nil {
		t.Fatal(err)
	}
	record(t, db, target,
		Outcome{RunID: runID, ContactID: ids[0], E164: numbers[0], Status: OutcomeCreated, CRMID: "101"},
		Outcome{RunID: runID, ContactID: ids[1], E164: numbers[1], Status: OutcomeFailed, Reason: "invalid"},
		Outcome{RunID: runID, ContactID: ids[2], E164: numbers[2], Status: OutcomePending})
	// Another target's ledger is never touched.
	record(t, db, "intercom:x",
		Outcome{RunID: runID, ContactID: ids[3], E164: numbers[3], Status: OutcomeFailed})

	pending, err := db.PendingIntents(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	var pendingE164 []string
	for _, p := range pending {
		pendingE164 = append(pendingE164, p.E164)
	}
	if want := []string{numbers[2], numbers[3]}; !reflect.DeepEqual(pendingE164, want) {
		t.Errorf("pending = %v, want %v", pendingE164, want)
	}
	created, err := db.CreatedRecords(ctx, target, numbers)
	if err != nil || !reflect.DeepEqual(created, map[string]string{numbers[0]: "101"}) {
		t.Errorf("created = %v, %v", created, err)
	}
	// A later failure for a created number leaves the created row alone.
	record(t, db, target, Outcome{RunID: runID, ContactID: ids[0], E164: numbers[0], Status: OutcomeFailed})
	if created, _ := db.CreatedRecords(ctx, target, numbers[:1]); created[numbers[0]] != "101" {
		t.Errorf("failure dropped a created record: %v", created)
	}
	// Created without a pending intent first still lands in the ledger.
	record(t, db, target, Outcome{RunID: runID, ContactID: ids[3], E164: "+19995550000", Status: OutcomeCreated, CRMID: "202"})
	if created, _ := db.CreatedRecords(ctx, target, []string{"+19995550000"}); created["+19995550000"] != "202" {
		t.Errorf("created without intent = %v", created)
	}
}

func TestRecordOutcomesRepeatsInOneBatchApplyInOrder(t *testing.T) {
	db, ids, runID := runFixture(t, 2)
	ctx := context.Background()
	record(t, db, "t",
		Outcome{RunID: runID, ContactID: ids[0], E164: "+1", Status: OutcomePending},
		Outcome{RunID: runID, ContactID: ids[0], E164: "+1", Status: OutcomeCreated, CRMID: "a"},
		Outcome{RunID: runID, ContactID: ids[1], E164: "+1", Status: OutcomeCreated, CRMID: "b"},
		Outcome{RunID: runID, ContactID: ids[1], E164: "+1", Status: OutcomeFailed})
	outs, _, err := db.Outcomes(ctx, OutcomeFilter{RunID: runID})
	if err != nil || len(outs) != 2 || outs[0].Status != OutcomeCreated || outs[1].Status != OutcomeFailed {
		t.Fatalf("outcomes = %+v, %v", outs, err)
	}
	if created, _ := db.CreatedRecords(ctx, "t", []string{"+1"}); created["+1"] != "b" {
		t.Errorf("ledger = %v, want the last created id", created)
	}
}

func TestRecordOutcomesRejectsBadInputAtomically(t *testing.T) {
	db, ids, runID := runFixture(t, 1)
	good := Outcome{RunID: runID, ContactID: ids[0], Status: OutcomeCreated}
	bads := []Outcome{
		{RunID: runID, ContactID: ids[0], Status: "maybe"},
		{RunID: 0, ContactID: ids[0], Status: OutcomeFailed},
		{RunID: runID, ContactID: 12345, Status: OutcomeFailed}, // no such contact
	}
	for _, bad := range bads {
		if err := db.RecordOutcomes(context.Background(), "", []Outcome{good, bad}); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if _, total, err := db.Outcomes(context.Background(), OutcomeFilter{}); err != nil || total != 0 {
		t.Errorf("rejected batches stored %d outcomes (%v)", total, err)
	}
}

// filterFixture records ten outcomes in one run and one in another.
func filterFixture(t *testing.T) (*DB, int64) {
	db := openTemp(t)
	ids := seedContacts(t, db, "n1", 10)
	runID, other := newRun(t, db, "n1"), newRun(t, db, "n1")
	var outs []Outcome
	for i, id := range ids {
		o := Outcome{RunID: runID, ContactID: id, Name: fmt.Sprintf("Name %d", i),
			Raw: fmt.Sprintf("55119%08d", i), Status: OutcomeCreated, CRMID: fmt.Sprintf("crm-%d", i)}
		if i%3 == 0 {
			o.Status, o.CRMID, o.Reason, o.ReasonText = OutcomeFailed, "", "too_short", "Number is 100% too short"
		}
		outs = append(outs, o)
	}
	outs[1].Name = "Under_score"
	outs = append(outs, Outcome{RunID: other, ContactID: ids[0], Name: "Name 0", Status: OutcomeFailed, Reason: "too_short"})
	record(t, db, "", outs...)
	return db, runID
}

func contactNumbers(outs []Outcome) []int64 {
	var ns []int64
	for _, o := range outs {
		ns = append(ns, o.ContactID)
	}
	return ns
}

func TestOutcomesFiltersAndPaging(t *testing.T) {
	db, runID := filterFixture(t)
	ctx := context.Background()
	cases := []struct {
		name      string
		f         OutcomeFilter
		wantIDs   []int64
		wantTotal int
	}{
		{"run", OutcomeFilter{RunID: runID}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10},
		{"all runs", OutcomeFilter{}, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1}, 11},
		{"status", OutcomeFilter{RunID: runID, Status: OutcomeFailed}, []int64{1, 4, 7, 10}, 4},
		{"reason", OutcomeFilter{Reason: "too_short"}, []int64{1, 4, 7, 10, 1}, 5},
		{"page", OutcomeFilter{RunID: runID, Limit: 3, Offset: 3}, []int64{4, 5, 6}, 10},
		{"past the end", OutcomeFilter{RunID: runID, Limit: 3, Offset: 30}, nil, 10},
		{"text in name", OutcomeFilter{RunID: runID, Text: "name 5"}, []int64{6}, 1},
		{"text in raw", OutcomeFilter{RunID: runID, Text: "00000007"}, []int64{8}, 1},
		{"text in crm id", OutcomeFilter{RunID: runID, Text: "crm-8"}, []int64{9}, 1},
		{"percent is literal", OutcomeFilter{RunID: runID, Text: "100%"}, []int64{1, 4, 7, 10}, 4},
		{"percent alone", OutcomeFilter{RunID: runID, Text: "%"}, []int64{1, 4, 7, 10}, 4},
		{"underscore is literal", OutcomeFilter{RunID: runID, Text: "_"}, []int64{2}, 1},
		{"quote is data", OutcomeFilter{RunID: runID, Text: "' OR 1=1 --"}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outs, total, err := db.Outcomes(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := contactNumbers(outs); !reflect.DeepEqual(got, c.wantIDs) || total != c.wantTotal {
				t.Errorf("ids %v total %d, want %v total %d", got, total, c.wantIDs, c.wantTotal)
			}
		})
	}
}

func TestReasonCounts(t *testing.T) {
	db, runID := filterFixture(t)
	ctx := context.Background()
	got, err := db.ReasonCounts(ctx, runID, OutcomeFailed)
	if err != nil || !reflect.DeepEqual(got, map[string]int{"too_short": 4}) {
		t.Errorf("failed reasons = %v, %v", got, err)
	}
	got, err = db.ReasonCounts(ctx, runID, "")
	if err != nil || !reflect.DeepEqual(got, map[string]int{"too_short": 4, "": 6}) {
		t.Errorf("all reasons = %v, %v", got, err)
	}
}

// containsFoldASCII is what SQLite's LIKE does: ASCII letters fold, the rest
// compare exactly.
func containsFoldASCII(s, sub string) bool {
	lower := func(x string) string {
		b := []byte(x)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	return strings.Contains(lower(s), lower(sub))
}

// FuzzOutcomeTextFilter checks that filter text is always a literal
// substring: wildcards, quotes and escapes in it never widen a match.
func FuzzOutcomeTextFilter(f *testing.F) {
	db, ids, runID := runFixture(f, 1)
	const name = `Ana_Lima 100% \x 'q'`
	if err := db.RecordOutcomes(context.Background(), "", []Outcome{{RunID: runID, ContactID: ids[0],
		Name: name, Status: OutcomeFailed}}); err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"ana", "%", "_", `\`, `\x`, "a_l", "100%", "10_%", "'", "%%", "z", "é"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if text == "" {
			return // no filter
		}
		_, total, err := db.Outcomes(context.Background(), OutcomeFilter{RunID: runID, Text: text})
		if strings.ContainsRune(text, 0) {
			if err == nil {
				t.Errorf("text %q with NUL accepted", text)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := containsFoldASCII(name, text); (total == 1) != want {
			t.Errorf("text %q matched %d, want match=%v", text, total, want)
		}
	})
}
