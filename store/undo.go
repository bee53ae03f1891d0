package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// UndoOutcome is one outcome of an undo run (ModeUndo). Release says the
// record it names (CRMID) no longer lives in the CRM account: the undo
// archived it, or found it already archived or deleted. The ledger then
// stops saying coexsync created its number there, so a later sync may
// create the number again.
type UndoOutcome struct {
	Outcome
	Release bool
}

// RecordUndoOutcomes upserts an undo run's outcomes by (run, contact), as
// RecordOutcomes does, and in the same transaction drops the ledger's
// created rows of every released record: the rows of its number (the
// number itself and the candidate forms claimed with it) that still name
// its CRM id. A row that names another record (the number was created
// again since) is left alone. Unlike RecordOutcomes, no status marks or
// drops anything else in the ledger: an undo's "created" is an archive,
// and its failures leave the records where they are.
func (d *DB) RecordUndoOutcomes(ctx context.Context, target string, outs []UndoOutcome) error {
	rows := make([]any, 0, len(outs)*bareMarks(outcomeRow))
	var release []Outcome
	now := time.Now()
	for i, u := range outs {
		o := u.Outcome
		if err := checkOutcome(o); err != nil {
			return fmt.Errorf("store: record undo outcomes: outcome %d: %w", i, err)
		}
		rows = appendOutcomeRow(rows, o, o.ContactID, o.E164, outcomeTime(o, now))
		if u.Release && target != "" && o.E164 != "" && o.CRMID != "" {
			release = append(release, o)
		}
	}
	return d.withTx(ctx, "record undo outcomes", func(tx *sql.Tx) error {
		if err := d.execRows(ctx, tx, upsertOutcomesSQL, outcomeRow, rows); err != nil {
			return err
		}
		if len(release) == 0 {
			return nil
		}
		stmt, err := d.txCached(ctx, tx, releaseCreatedSQL)
		if err != nil {
			return err
		}
		for _, o := range release {
			if _, err := stmt.ExecContext(ctx, target, o.E164, o.CRMID); err != nil {
				return err
			}
		}
		return nil
	})
}

// releaseCreatedSQL forgets a created number whose record undo archived,
// so it may be created again.
const releaseCreatedSQL = `DELETE FROM ledger INDEXED BY ledger_number
	WHERE target = ? AND number = ? AND state = 'created' AND crm_id = ?`

// UndoRuns lists the undo runs of parentRunID, newest first, with their
// counts.
func (d *DB) UndoRuns(ctx context.Context, parentRunID int64) ([]Run, error) {
	rs, err := d.queryRuns(ctx, `SELECT * FROM runs WHERE mode = ? AND parent_run_id = ?`, ModeUndo, parentRunID)
	if err != nil {
		return nil, fmt.Errorf("store: undo runs of %d: %w", parentRunID, err)
	}
	return rs, nil
}
