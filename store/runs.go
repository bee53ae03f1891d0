package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CreateRun inserts a run with status running (StartedAt now unless set)
// and returns its id.
func (d *DB) CreateRun(ctx context.Context, r Run) (int64, error) {
	switch {
	case r.NumberID == "" || r.CRM == "":
		return 0, errors.New("store: create run: number id and crm are required")
	case r.Mode != ModeLive && r.Mode != ModeDryRun && r.Mode != ModeRetry && r.Mode != ModeUndo:
		return 0, fmt.Errorf("store: create run: unknown mode %q", r.Mode)
	case r.Mode == ModeUndo && r.ParentRunID <= 0:
		return 0, errors.New("store: create run: an undo run needs the run it undoes")
	case r.Total < 0:
		return 0, fmt.Errorf("store: create run: negative total %d", r.Total)
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	res, err := d.sql.ExecContext(ctx, `
		INSERT INTO runs (number_id, crm, target, mode, parent_run_id, status, started_at, total, region)
		VALUES (?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?)`,
		r.NumberID, r.CRM, r.Target, r.Mode, r.ParentRunID, RunRunning,
		toNanos(orNow(r.StartedAt)), r.Total, r.Region)
	if err != nil {
		return 0, fmt.Errorf("store: create run: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: create run: %w", err)
	}
	return id, nil
}

// FinishRun sets a run's final status (and error text) and finish time.
// RunInterrupted is accepted too: a run paused to be resumed later.
func (d *DB) FinishRun(ctx context.Context, runID int64, status RunStatus, errText string) error {
	switch status {
	case RunFinished, RunCancelled, RunFailed, RunInterrupted:
	default:
		return fmt.Errorf("store: finish run %d: %q is not a final status", runID, status)
	}
	n, err := d.exec(ctx, "finish run", `
		UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?`,
		status, errText, time.Now().UnixNano(), runID)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: finish run %d: %w", runID, ErrNotFound)
	}
	return nil
}

// ReopenRun marks a run running again when a resume takes it over, so a
// second crash leaves it unfinished (and offered for resume) once more.
func (d *DB) ReopenRun(ctx context.Context, runID int64) error {
	n, err := d.exec(ctx, "reopen run", `
		UPDATE runs SET status = ?, error = '', finished_at = 0 WHERE id = ?`, RunRunning, runID)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: reopen run %d: %w", runID, ErrNotFound)
	}
	return nil
}

// runsWithCounts reads runs (the rows of a runs subquery) with their
// outcome counts in one GROUP BY, never one query per run.
const runsWithCounts = `
	SELECT r.id, r.number_id, r.crm, r.target, r.mode, COALESCE(r.parent_run_id, 0),
		r.status, r.started_at, r.finished_at, r.total, r.error, r.region,
		COALESCE(SUM(o.status = 'created'), 0), COALESCE(SUM(o.status = 'skipped'), 0),
		COALESCE(SUM(o.status = 'failed'), 0), COALESCE(SUM(o.status = 'pending'), 0)
	FROM (%s) r LEFT JOIN outcomes o ON o.run_id = r.id
	GROUP BY r.id ORDER BY r.id DESC`

// Run returns one run with counts from its outcomes.
func (d *DB) Run(ctx context.Context, runID int64) (Run, error) {
	rs, err := d.queryRuns(ctx, `SELECT * FROM runs WHERE id = ?`, runID)
	if err != nil {
		return Run{}, fmt.Errorf("store: run %d: %w", runID, err)
	}
	if len(rs) == 0 {
		return Run{}, fmt.Errorf("store: run %d: %w", runID, ErrNotFound)
	}
	return rs[0], nil
}

// Runs lists runs newest first with counts from their outcomes; limit 0
// lists all.
func (d *DB) Runs(ctx context.Context, limit, offset int) ([]Run, error) {
	rs, err := d.queryRuns(ctx, `SELECT * FROM runs ORDER BY id DESC LIMIT ? OFFSET ?`,
		sqlLimit(limit), max(offset, 0))
	if err != nil {
		return nil, fmt.Errorf("store: runs: %w", err)
	}
	return rs, nil
}

// UnfinishedRuns lists runs still marked running (the process died) or
// interrupted: the ones to offer for resume. Newest first.
func (d *DB) UnfinishedRuns(ctx context.Context) ([]Run, error) {
	rs, err := d.queryRuns(ctx, `SELECT * FROM runs WHERE status IN (?, ?)`,
		RunRunning, RunInterrupted)
	if err != nil {
		return nil, fmt.Errorf("store: unfinished runs: %w", err)
	}
	return rs, nil
}

// queryRuns runs runsWithCounts over subquery, a constant of this file.
func (d *DB) queryRuns(ctx context.Context, subquery string, args ...any) ([]Run, error) {
	return queryAll(ctx, d.sql, scanRun, fmt.Sprintf(runsWithCounts, subquery), args...)
}

func scanRun(rows *sql.Rows) (Run, error) {
	var r Run
	var started, finished int64
	err := rows.Scan(&r.ID, &r.NumberID, &r.CRM, &r.Target, &r.Mode, &r.ParentRunID,
		&r.Status, &started, &finished, &r.Total, &r.Error, &r.Region,
		&r.Created, &r.Skipped, &r.Failed, &r.Pending)
	r.StartedAt, r.FinishedAt = fromNanos(started), fromNanos(finished)
	return r, err
}
