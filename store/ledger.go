package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// AddIntents writes ownerless pending intents (one transaction); the engine
// claims through ClaimCreates instead. Kept to seed what an older coexsync
// left behind. An E164 already created in the target is left as it is; one
// already pending is handed to the new run and contact.
func (d *DB) AddIntents(ctx context.Context, intents []Intent) error {
	now := time.Now().UnixNano()
	rows := make([]any, 0, len(intents)*strings.Count(pendingRow, "?"))
	for i, in := range intents {
		if in.Target == "" || in.E164 == "" {
			return fmt.Errorf("store: add intents: intent %d: target and e164 are required", i)
		}
		rows = append(rows, in.Target, in.E164, in.E164, in.RunID, in.ContactID, 0, now, now)
	}
	return d.withTx(ctx, "add intents", func(tx *sql.Tx) error {
		return d.execRows(ctx, tx, addIntentsSQL, pendingRow, rows)
	})
}

const pendingRow = "(?, ?, ?, 'pending', ?, ?, ?, ?, ?)"

// addIntentsSQL never touches a created row: that record exists. Intents
// written this way have no owner and no land-by time: the engine counts
// them as sent when written, since nothing tells whether they went out.
const addIntentsSQL = `
	INSERT INTO ledger (target, e164, number, state, run_id, contact_id, land_by, created_at, updated_at)
	VALUES %s
	ON CONFLICT (target, e164) DO UPDATE SET
		run_id = excluded.run_id, contact_id = excluded.contact_id,
		updated_at = excluded.updated_at
	WHERE ledger.state = 'pending'`

// PendingIntents lists the pending intents of a target, by E164.
func (d *DB) PendingIntents(ctx context.Context, target string) ([]Intent, error) {
	out, err := queryAll(ctx, d.sql, scanIntent, pendingIntentsSQL, target)
	if err != nil {
		return nil, fmt.Errorf("store: pending intents: %w", err)
	}
	return out, nil
}

const pendingIntentsSQL = `SELECT ` + intentColumns + `
	FROM ledger INDEXED BY ledger_pending WHERE target = ? AND state = 'pending' ORDER BY e164`

const intentColumns = `target, e164, number, run_id, contact_id, state, crm_id, owner, land_by, created_at, updated_at`

func scanIntent(rows *sql.Rows) (Intent, error) {
	var in Intent
	var sent, created, updated int64
	err := rows.Scan(&in.Target, &in.E164, &in.Number, &in.RunID, &in.ContactID, &in.State,
		&in.CRMID, &in.Owner, &sent, &created, &updated)
	in.LandBy, in.CreatedAt, in.UpdatedAt = fromNanos(sent), fromNanos(created), fromNanos(updated)
	return in, err
}

// DropIntents removes the pending claims of numbers, whoever holds them
// (the CRM is known not to have them). Created rows are never dropped.
func (d *DB) DropIntents(ctx context.Context, target string, e164 []string) error {
	return d.withTx(ctx, "drop intents", func(tx *sql.Tx) error {
		return d.dropPending(ctx, tx, target, e164)
	})
}

func (d *DB) dropPending(ctx context.Context, tx *sql.Tx, target string, e164 []string) error {
	return d.execRowsLead(ctx, tx, dropPendingSQL, "?", []any{target}, anys(e164))
}

const dropPendingSQL = `DELETE FROM ledger INDEXED BY ledger_number
	WHERE target = ?1 AND state = 'pending' AND number IN (%s)`

// CreatedRecords maps each of e164 that coexsync created in target to the
// CRM id it got.
func (d *DB) CreatedRecords(ctx context.Context, target string, e164 []string) (map[string]string, error) {
	found := make(map[string]string)
	err := forEachChunk(e164, inChunk, func(part []string) error {
		marks, args := inList([]any{target}, part)
		pairs, err := queryAll(ctx, d.sql, scanPair, `SELECT e164, crm_id FROM ledger
			WHERE target = ? AND state = 'created' AND e164 IN (`+marks+`)`, args...)
		for _, p := range pairs {
			found[p[0]] = p[1]
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: created records: %w", err)
	}
	return found, nil
}

// scanPair reads a row of two text columns.
func scanPair(rows *sql.Rows) ([2]string, error) {
	var p [2]string
	err := rows.Scan(&p[0], &p[1])
	return p, err
}
