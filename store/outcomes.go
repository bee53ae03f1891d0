package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// RecordOutcomes upserts outcomes by (run, contact) in one transaction and
// keeps the ledger in step for target: a created outcome marks its E164
// created with its CRMID; a failed one drops its own pending claim.
// Attempts never goes down and is at least 1; UpdatedAt is now unless set.
func (d *DB) RecordOutcomes(ctx context.Context, target string, outs []Outcome) error {
	rows := make([]any, 0, len(outs)*strings.Count(outcomeRow, "?"))
	var created []any
	var siblings []Outcome
	var failed []Outcome
	for i, o := range outs {
		if err := checkOutcome(o); err != nil {
			return fmt.Errorf("store: record outcomes: outcome %d: %w", i, err)
		}
		updated := toNanos(orNow(o.UpdatedAt))
		rows = append(rows, o.RunID, o.ContactID, o.Name, o.Raw, o.E164, o.Status, o.CRMID,
			o.Reason, o.ReasonText, max(o.Attempts, 1), updated)
		if target == "" || o.E164 == "" {
			continue
		}
		switch o.Status {
		case OutcomeCreated:
			created = append(created, target, o.E164, o.E164, o.CRMID, o.RunID, o.ContactID, updated, updated)
			siblings = append(siblings, o)
		case OutcomeFailed:
			failed = append(failed, o)
		}
	}
	return d.withTx(ctx, "record outcomes", func(tx *sql.Tx) error {
		if err := execRows(ctx, tx, upsertOutcomesSQL, outcomeRow, rows); err != nil {
			return err
		}
		// Dropping before marking gives the same end state as applying the
		// outcomes one by one: a failure never removes a created row.
		if err := dropFailedClaims(ctx, tx, target, failed); err != nil {
			return err
		}
		if err := execRows(ctx, tx, markCreatedSQL, createdRow, created); err != nil {
			return err
		}
		return markSiblingsCreated(ctx, tx, target, siblings)
	})
}

// dropFailedClaims frees the pending claims of failed outcomes: only the
// claim of that run and contact, never another writer's claim of the same
// number (a contact that failed without being sent never held one). One
// statement per chunk, on the ledger_number index: without statistics the
// planner would scan the target's whole ledger for each outcome.
func dropFailedClaims(ctx context.Context, tx *sql.Tx, target string, outs []Outcome) error {
	const perStmt = (maxVars - 1) / 4 // a number twice, run, contact
	return forEachChunk(outs, perStmt, func(part []Outcome) error {
		args := make([]any, 0, 1+4*len(part))
		args = append(args, target)
		for _, o := range part {
			args = append(args, o.E164)
		}
		for _, o := range part {
			args = append(args, o.E164, o.RunID, o.ContactID)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM ledger INDEXED BY ledger_number
			WHERE target = ? AND state = 'pending'
			AND number IN (`+marks(len(part), "?")+`)
			AND (number, run_id, contact_id) IN (VALUES `+marks(len(part), "(?, ?, ?)")+`)`, args...)
		return err
	})
}

// markSiblingsCreated marks created every other form a created number was
// claimed under (its candidates), so none of them can be claimed again.
// Few numbers have such forms: they are found with one indexed query per
// chunk, and only they are written. Of two outcomes for one number, the
// later wins, as when they are applied one by one.
func markSiblingsCreated(ctx context.Context, tx *sql.Tx, target string, outs []Outcome) error {
	last := make(map[string]int, len(outs))
	for i, o := range outs {
		last[o.E164] = i
	}
	numbers := make([]string, 0, len(last))
	for i, o := range outs {
		if last[o.E164] == i {
			numbers = append(numbers, o.E164)
		}
	}
	var forms [][2]string // e164 of the form, number it was claimed under
	err := forEachChunk(numbers, inChunk, func(part []string) error {
		q, args := inList([]any{target}, part)
		got, err := queryAll(ctx, tx, scanPair, `SELECT e164, number FROM ledger INDEXED BY ledger_number
			WHERE target = ? AND number IN (`+q+`) AND e164 <> number`, args...)
		forms = append(forms, got...)
		return err
	})
	if err != nil || len(forms) == 0 {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE ledger SET state = 'created',
		crm_id = CASE WHEN ? <> '' THEN ? ELSE crm_id END, run_id = ?, contact_id = ?, updated_at = ?
		WHERE target = ? AND e164 = ? AND number = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, f := range forms {
		o := outs[last[f[1]]]
		if _, err := stmt.ExecContext(ctx, o.CRMID, o.CRMID, o.RunID, o.ContactID,
			toNanos(orNow(o.UpdatedAt)), target, f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

// marks is n copies of mark, comma-separated.
func marks(n int, mark string) string {
	return strings.TrimSuffix(strings.Repeat(mark+", ", n), ", ")
}

// Value rows of the statements below; the state is a literal, not data.
const (
	outcomeRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	createdRow = "(?, ?, ?, 'created', ?, ?, ?, ?, ?)"
)

// upsertOutcomesSQL replaces an outcome of the same run and contact;
// attempts never goes down.
const upsertOutcomesSQL = `
	INSERT INTO outcomes (run_id, contact_id, name, raw, e164, status, crm_id,
		reason, reason_text, attempts, updated_at)
	VALUES %s
	ON CONFLICT (run_id, contact_id) DO UPDATE SET
		name = excluded.name, raw = excluded.raw, e164 = excluded.e164,
		status = excluded.status, crm_id = excluded.crm_id,
		reason = excluded.reason, reason_text = excluded.reason_text,
		attempts = max(outcomes.attempts, excluded.attempts),
		updated_at = excluded.updated_at`

// markCreatedSQL records that E164 now exists in target; an empty CRM id
// never erases one already known.
const markCreatedSQL = `
	INSERT INTO ledger (target, e164, number, state, crm_id, run_id, contact_id, created_at, updated_at)
	VALUES %s
	ON CONFLICT (target, e164) DO UPDATE SET
		state = 'created', number = excluded.number,
		crm_id = CASE WHEN excluded.crm_id <> '' THEN excluded.crm_id ELSE ledger.crm_id END,
		run_id = excluded.run_id, contact_id = excluded.contact_id,
		updated_at = excluded.updated_at`

func checkOutcome(o Outcome) error {
	if o.RunID <= 0 || o.ContactID <= 0 {
		return fmt.Errorf("run id %d and contact id %d must be positive", o.RunID, o.ContactID)
	}
	switch o.Status {
	case OutcomePending, OutcomeCreated, OutcomeSkipped, OutcomeFailed:
		return nil
	}
	return fmt.Errorf("unknown status %q", o.Status)
}

// outcomeWhere builds the WHERE clause of f from fixed fragments; outside
// text only ever travels as a bound argument.
func outcomeWhere(runID int64, status OutcomeStatus, reason, text string) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if runID != 0 {
		add(`run_id = ?`, runID)
	}
	if status != "" {
		add(`status = ?`, status)
	}
	if reason != "" {
		add(`reason = ?`, reason)
	}
	if text != "" {
		p := "%" + escapeLike(text) + "%"
		add(`(name LIKE ? ESCAPE '\' OR raw LIKE ? ESCAPE '\' OR e164 LIKE ? ESCAPE '\'
			OR crm_id LIKE ? ESCAPE '\' OR reason_text LIKE ? ESCAPE '\')`, p, p, p, p, p)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// escapeLike makes % and _ in s match themselves under ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Outcomes returns the outcomes matching f, ordered by run then contact id,
// and the total matching count (ignoring Limit and Offset). A caller that
// does not need the count uses OutcomeRows, which does not compute it.
func (d *DB) Outcomes(ctx context.Context, f OutcomeFilter) ([]Outcome, int, error) {
	if err := checkFilter(f); err != nil {
		return nil, 0, err
	}
	where, args := outcomeWhere(f.RunID, f.Status, f.Reason, f.Text)
	var total int
	if err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM outcomes`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: outcomes: %w", err)
	}
	outs, err := d.OutcomeRows(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	return outs, total, nil
}

// OutcomeRows is Outcomes without the total count.
func (d *DB) OutcomeRows(ctx context.Context, f OutcomeFilter) ([]Outcome, error) {
	return d.outcomesAfter(ctx, f, nil)
}

// outcomeKey is where a page of outcomes ends: the next page starts after.
type outcomeKey struct{ runID, contactID int64 }

// outcomesAfter is OutcomeRows from just after key (nil: the start), so
// paging costs one index seek per page rather than an OFFSET that reads
// every row before it.
func (d *DB) outcomesAfter(ctx context.Context, f OutcomeFilter, key *outcomeKey) ([]Outcome, error) {
	if err := checkFilter(f); err != nil {
		return nil, err
	}
	where, args := outcomeWhere(f.RunID, f.Status, f.Reason, f.Text)
	if key != nil {
		if where == "" {
			where = " WHERE "
		} else {
			where += " AND "
		}
		where += "(run_id, contact_id) > (?, ?)"
		args = append(args, key.runID, key.contactID)
	}
	outs, err := queryAll(ctx, d.sql, scanOutcome, `
		SELECT run_id, contact_id, name, raw, e164, status, crm_id, reason, reason_text,
			attempts, updated_at
		FROM outcomes`+where+` ORDER BY run_id, contact_id LIMIT ? OFFSET ?`,
		append(args, sqlLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, fmt.Errorf("store: outcomes: %w", err)
	}
	return outs, nil
}

// checkFilter refuses a NUL in the filter text: SQLite ends a LIKE pattern
// at NUL, which would turn the rest of the text into "match anything".
func checkFilter(f OutcomeFilter) error {
	if strings.ContainsRune(f.Text, 0) {
		return errors.New("store: outcomes: filter text contains a NUL byte")
	}
	return nil
}

// ReasonCounts counts a run's outcomes of one status ("" for any) by
// reason code.
func (d *DB) ReasonCounts(ctx context.Context, runID int64, status OutcomeStatus) (map[string]int, error) {
	where, args := outcomeWhere(runID, status, "", "")
	pairs, err := queryAll(ctx, d.sql, scanReasonCount, `SELECT reason, count(*) FROM outcomes`+
		where+` GROUP BY reason`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reason counts: %w", err)
	}
	counts := make(map[string]int, len(pairs))
	for _, p := range pairs {
		counts[p.reason] = p.n
	}
	return counts, nil
}

func scanOutcome(rows *sql.Rows) (Outcome, error) {
	var o Outcome
	var at int64
	err := rows.Scan(&o.RunID, &o.ContactID, &o.Name, &o.Raw, &o.E164, &o.Status,
		&o.CRMID, &o.Reason, &o.ReasonText, &o.Attempts, &at)
	o.UpdatedAt = fromNanos(at)
	return o, err
}

type reasonCount struct {
	reason string
	n      int
}

func scanReasonCount(rows *sql.Rows) (reasonCount, error) {
	var c reasonCount
	err := rows.Scan(&c.reason, &c.n)
	return c, err
}
