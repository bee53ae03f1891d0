package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

func TestAddIntentsLeavesCreatedAndRefreshesPending(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	ids := seedContacts(t, db, "n1", 2)
	first, second := newRun(t, db, "n1"), newRun(t, db, "n1")
	const target = "hubspot:1"
	if err := db.AddIntents(ctx, []Intent{
		{Target: target, E164: "+1", RunID: first, ContactID: ids[0]},
		{Target: target, E164: "+2", RunID: first, ContactID: ids[1]},
	}); err != nil {
		t.Fatal(err)
	}
	record(t, db, target, Outcome{RunID: first, ContactID: ids[0], E164: "+1", Status: OutcomeCreated, CRMID: "x1"})
	if err := db.AddIntents(ctx, []Intent{
		{Target: target, E164: "+1", RunID: second, ContactID: ids[0]},
		{Target: target, E164: "+2", RunID: second, ContactID: ids[1]},
	}); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingIntents(ctx, target)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	p := pending[0]
	if p.E164 != "+2" || p.RunID != second || p.State != IntentPending || p.CreatedAt.IsZero() || p.UpdatedAt.Before(p.CreatedAt) {
		t.Errorf("refreshed intent = %+v", p)
	}
	if created, _ := db.CreatedRecords(ctx, target, []string{"+1", "+2"}); !reflect.DeepEqual(created, map[string]string{"+1": "x1"}) {
		t.Errorf("created = %v", created)
	}
	if err := db.AddIntents(ctx, []Intent{{Target: target}}); err == nil {
		t.Error("accepted an intent without e164")
	}
}

func TestDropIntentsOnlyPending(t *testing.T) {
	db, ids, runID := runFixture(t, 1)
	ctx := context.Background()
	const target = "t"
	var intents []Intent
	var all []string
	for i := range inChunk + 5 {
		e164 := fmt.Sprintf("+1555%07d", i)
		all = append(all, e164)
		intents = append(intents, Intent{Target: target, E164: e164, RunID: runID, ContactID: ids[0]})
	}
	if err := db.AddIntents(ctx, intents); err != nil {
		t.Fatal(err)
	}
	record(t, db, target, Outcome{RunID: runID, ContactID: ids[0], E164: all[0], Status: OutcomeCreated, CRMID: "c0"})
	if err := db.DropIntents(ctx, target, all[:inChunk+4]); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingIntents(ctx, target)
	if err != nil || len(pending) != 1 || pending[0].E164 != all[inChunk+4] {
		t.Errorf("pending after drop = %+v, %v", pending, err)
	}
	created, err := db.CreatedRecords(ctx, target, all)
	if err != nil || !reflect.DeepEqual(created, map[string]string{all[0]: "c0"}) {
		t.Errorf("created after drop = %v, %v", created, err)
	}
}

func TestCreatedRecordsAcrossChunks(t *testing.T) {
	t.Parallel()
	db, ids, runID := runFixture(t, inChunk*2+1)
	ctx := context.Background()
	var outs []Outcome
	var asked []string
	want := map[string]string{}
	for i, id := range ids {
		e164 := fmt.Sprintf("+44700%07d", i)
		asked = append(asked, e164)
		if i%2 == 0 {
			outs = append(outs, Outcome{RunID: runID, ContactID: id, E164: e164, Status: OutcomeCreated, CRMID: fmt.Sprint(i)})
			want[e164] = fmt.Sprint(i)
		}
	}
	record(t, db, "t", outs...)
	got, err := db.CreatedRecords(ctx, "t", asked)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("CreatedRecords: %d entries, want %d (%v)", len(got), len(want), err)
	}
	if got, err := db.CreatedRecords(ctx, "other", asked); err != nil || len(got) != 0 {
		t.Errorf("other target = %v, %v", got, err)
	}
}
