package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRunLifecycleAndCounts(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	ids := seedContacts(t, db, "n1", 5)
	started := time.Unix(1_700_000_000, 0)
	runID, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "intercom", Target: "intercom:app",
		Mode: ModeLive, StartedAt: started, Total: 5, Status: RunFinished})
	if err != nil {
		t.Fatal(err)
	}
	statuses := []OutcomeStatus{OutcomeCreated, OutcomeCreated, OutcomeSkipped, OutcomeFailed, OutcomePending}
	outs := make([]Outcome, len(ids))
	for i, id := range ids {
		outs[i] = Outcome{RunID: runID, ContactID: id, Status: statuses[i]}
	}
	if err := db.RecordOutcomes(ctx, "", outs); err != nil {
		t.Fatal(err)
	}
	r, err := db.Run(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != RunRunning || !r.StartedAt.Equal(started) || !r.FinishedAt.IsZero() || r.Total != 5 ||
		r.Created != 2 || r.Skipped != 1 || r.Failed != 1 || r.Pending != 1 || r.CRM != "intercom" {
		t.Fatalf("run = %+v", r)
	}
	if err := db.FinishRun(ctx, runID, RunFailed, "token rejected"); err != nil {
		t.Fatal(err)
	}
	r, err = db.Run(ctx, runID)
	if err != nil || r.Status != RunFailed || r.Error != "token rejected" || r.FinishedAt.IsZero() {
		t.Fatalf("finished run = %+v, %v", r, err)
	}
}

func TestRunsNewestFirstWithPaging(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	ids := seedContacts(t, db, "n1", 1)
	var runIDs []int64
	for range 4 {
		runIDs = append(runIDs, newRun(t, db, "n1"))
	}
	if err := db.RecordOutcomes(ctx, "", []Outcome{{RunID: runIDs[1], ContactID: ids[0], Status: OutcomeCreated}}); err != nil {
		t.Fatal(err)
	}
	all, err := db.Runs(ctx, 0, 0)
	if err != nil || len(all) != 4 || all[0].ID != runIDs[3] || all[3].ID != runIDs[0] {
		t.Fatalf("Runs(0,0) = %+v, %v", all, err)
	}
	page, err := db.Runs(ctx, 2, 2)
	if err != nil || len(page) != 2 || page[0].ID != runIDs[1] || page[0].Created != 1 || page[1].Created != 0 {
		t.Fatalf("Runs(2,2) = %+v, %v", page, err)
	}
}

func TestUnfinishedRuns(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	running, interrupted, done := newRun(t, db, "n1"), newRun(t, db, "n1"), newRun(t, db, "n1")
	if err := db.FinishRun(ctx, interrupted, RunInterrupted, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, done, RunFinished, ""); err != nil {
		t.Fatal(err)
	}
	rs, err := db.UnfinishedRuns(ctx)
	if err != nil || len(rs) != 2 || rs[0].ID != interrupted || rs[1].ID != running {
		t.Fatalf("UnfinishedRuns = %+v, %v", rs, err)
	}
}

func TestRunErrors(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if _, err := db.Run(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Run(42) error = %v", err)
	}
	if err := db.FinishRun(ctx, 42, RunFinished, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun(42) error = %v", err)
	}
	id := newRun(t, db, "n1")
	if err := db.FinishRun(ctx, id, RunRunning, ""); err == nil {
		t.Error("FinishRun accepted status running")
	}
	bad := []Run{
		{CRM: "hubspot", Mode: ModeLive},
		{NumberID: "n1", CRM: "hubspot", Mode: "sideways"},
		{NumberID: "n1", CRM: "hubspot", Mode: ModeRetry, ParentRunID: 999},
	}
	for _, r := range bad {
		if _, err := db.CreateRun(ctx, r); err == nil {
			t.Errorf("CreateRun(%+v) succeeded", r)
		}
	}
	retry, err := db.CreateRun(ctx, Run{NumberID: "n1", CRM: "hubspot", Mode: ModeRetry, ParentRunID: id})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := db.Run(ctx, retry); err != nil || r.ParentRunID != id || r.Mode != ModeRetry {
		t.Errorf("retry run = %+v, %v", r, err)
	}
}

func TestReopenRunMakesAnInterruptedRunRunningAgain(t *testing.T) {
	db := openTemp(t)
	seedContacts(t, db, "n1", 1)
	id := newRun(t, db, "n1")
	ctx := context.Background()
	if err := db.FinishRun(ctx, id, RunInterrupted, "killed"); err != nil {
		t.Fatal(err)
	}
	if err := db.ReopenRun(ctx, id); err != nil {
		t.Fatal(err)
	}
	r, err := db.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != RunRunning || !r.FinishedAt.IsZero() || r.Error != "" {
		t.Fatalf("reopened run: %+v", r)
	}
	open, err := db.UnfinishedRuns(ctx)
	if err != nil || len(open) != 1 || open[0].ID != id {
		t.Fatalf("unfinished runs after reopen: %v %v", open, err)
	}
	if err := db.ReopenRun(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reopen of a missing run: %v", err)
	}
}
