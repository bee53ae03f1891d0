package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// FreedCreate is a create that was sent and never confirmed, whose claim
// was freed because the CRM's search did not show it. The CRM may still
// make it: the run that sent it keeps this memory until the contact has a
// final outcome in that run.
type FreedCreate struct {
	Target    string
	Number    string // the E.164 the create carried
	RunID     int64
	ContactID int64
	FreedAt   time.Time
	// Owner is the process-run whose pending claim FreeClaims drops; it
	// is not kept.
	Owner string
}

// FreeClaims drops the pending claim of each freed create (held by its
// Owner, as DropClaims does) and, in the same transaction, keeps the
// create's memory. A claim taken over by someone else in the meantime, or
// created, stays, and nothing is kept for it. The memory never blocks a
// claim; RecordOutcomes forgets it once the contact's outcome in that run
// is final.
func (d *DB) FreeClaims(ctx context.Context, target string, freed []FreedCreate) error {
	if len(freed) == 0 {
		return nil
	}
	now := time.Now()
	return d.withTx(ctx, "free claims", func(tx *sql.Tx) error {
		drop, err := d.txCached(ctx, tx, freeClaimSQL)
		if err != nil {
			return err
		}
		keep, err := d.txCached(ctx, tx, keepFreedSQL)
		if err != nil {
			return err
		}
		for _, f := range freed {
			if f.Number == "" {
				return fmt.Errorf("free a claim: the number is required")
			}
			res, err := drop.ExecContext(ctx, target, f.Owner, f.Number)
			if err != nil {
				return err
			}
			// A claim of no run or contact (an old intent) has nobody to
			// remember it for.
			if n, err := res.RowsAffected(); err != nil || n == 0 || f.RunID <= 0 || f.ContactID <= 0 {
				continue
			}
			at := f.FreedAt
			if at.IsZero() {
				at = now
			}
			if _, err := keep.ExecContext(ctx, f.RunID, f.ContactID, target, f.Number, at.UnixNano()); err != nil {
				return err
			}
		}
		return nil
	})
}

const (
	freeClaimSQL = `DELETE FROM ledger INDEXED BY ledger_number
	WHERE target = ? AND owner = ? AND state = 'pending' AND number = ?`
	keepFreedSQL = `INSERT INTO freed_creates (run_id, contact_id, target, number, freed_at)
	VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (run_id, contact_id) DO UPDATE SET
		target = excluded.target, number = excluded.number, freed_at = excluded.freed_at`
)

// FreedCreates lists the freed creates run runID sent into target whose
// contacts have no final outcome in that run yet.
func (d *DB) FreedCreates(ctx context.Context, target string, runID int64) ([]FreedCreate, error) {
	out, err := queryAll(ctx, d.sql, func(rows *sql.Rows) (FreedCreate, error) {
		var f FreedCreate
		var at int64
		err := rows.Scan(&f.RunID, &f.ContactID, &f.Target, &f.Number, &at)
		f.FreedAt = fromNanos(at)
		return f, err
	}, `SELECT run_id, contact_id, target, number, freed_at FROM freed_creates
		WHERE run_id = ? AND target = ? ORDER BY contact_id`, runID, target)
	if err != nil {
		return nil, fmt.Errorf("store: freed creates: %w", err)
	}
	return out, nil
}

// forgetFreed removes the memory of the freed creates whose contacts outs
// gives a final outcome. Freed creates are few: one lookup per run of outs
// finds whether there are any, and only those are deleted.
func (d *DB) forgetFreed(ctx context.Context, tx *sql.Tx, outs []Outcome) error {
	var runs []int64 // runs with a final outcome in outs: one or two
	for _, o := range outs {
		if o.Status != OutcomePending && !slices.Contains(runs, o.RunID) {
			runs = append(runs, o.RunID)
		}
	}
	if len(runs) == 0 {
		return nil
	}
	list, err := d.txCached(ctx, tx, freedOfRunSQL)
	if err != nil {
		return err
	}
	for _, run := range runs {
		held, err := queryAll(ctx, stmtQuerier{list}, scanID, "", run)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.RunID != run || o.Status == OutcomePending || !slices.Contains(held, o.ContactID) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM freed_creates WHERE run_id = ? AND contact_id = ?`, run, o.ContactID); err != nil {
				return err
			}
		}
	}
	return nil
}

const freedOfRunSQL = `SELECT contact_id FROM freed_creates WHERE run_id = ?`

func scanID(rows *sql.Rows) (int64, error) {
	var id int64
	err := rows.Scan(&id)
	return id, err
}
