package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RecordOutcomes upserts outcomes by (run, contact) in one transaction and
// keeps the ledger in step for target: a created outcome marks its E164
// created with its CRMID; a failed one drops its own pending claim. A final
// outcome forgets the contact's freed create in its run (FreeClaims).
// Attempts never goes down and is at least 1; UpdatedAt is now unless set.
func (d *DB) RecordOutcomes(ctx context.Context, target string, outs []Outcome) error {
	var nCreated, nFailed int
	for i, o := range outs {
		if err := checkOutcome(o); err != nil {
			return fmt.Errorf("store: record outcomes: outcome %d: %w", i, err)
		}
		if target != "" && o.E164 != "" {
			nCreated += boolInt(o.Status == OutcomeCreated)
			nFailed += boolInt(o.Status == OutcomeFailed)
		}
	}
	// Every bound value costs the driver a copy and a lock: a value the
	// rows of a statement repeat (the target) is bound once, and values
	// are boxed once where they repeat.
	now := time.Now()
	rows := make([]any, 0, len(outs)*bareMarks(outcomeRow))
	created := make([]any, 0, nCreated*bareMarks(createdRow))
	createdIdx := make([]int, 0, nCreated)
	failedIdx := make([]int, 0, nFailed)
	for i, o := range outs {
		contact, e164 := any(o.ContactID), any(o.E164)
		updated := any(outcomeTime(o, now))
		rows = appendOutcomeRow(rows, o, contact, e164, updated)
		if target == "" || o.E164 == "" {
			continue
		}
		switch o.Status {
		case OutcomeCreated:
			created = append(created, e164, o.CRMID, o.RunID, contact, updated)
			createdIdx = append(createdIdx, i)
		case OutcomeFailed:
			failedIdx = append(failedIdx, i)
		}
	}
	return d.withTx(ctx, "record outcomes", func(tx *sql.Tx) error {
		if err := d.execRows(ctx, tx, upsertOutcomesSQL, outcomeRow, rows); err != nil {
			return err
		}
		// Dropping before marking gives the same end state as applying the
		// outcomes one by one: a failure never removes a created row.
		if err := d.dropFailedClaims(ctx, tx, target, outs, failedIdx); err != nil {
			return err
		}
		if err := d.execRowsLead(ctx, tx, markCreatedSQL, createdRow, []any{target}, created); err != nil {
			return err
		}
		if err := d.forgetFreed(ctx, tx, outs); err != nil {
			return err
		}
		return d.markSiblingsCreated(ctx, tx, target, outs, createdIdx, now)
	})
}

// appendOutcomeRow appends the arguments of outcomeRow for o. Status goes
// as a plain string so database/sql need not convert it by reflection.
func appendOutcomeRow(rows []any, o Outcome, contact, e164, updated any) []any {
	return append(rows, o.RunID, contact, o.Name, o.Raw, e164, string(o.Status), o.CRMID,
		o.Reason, o.ReasonText, int64(max(o.Attempts, 1)), o.NameFilled, updated)
}

// outcomeTime is o's UpdatedAt in nanoseconds, or now when it is unset.
func outcomeTime(o Outcome, now time.Time) int64 {
	if o.UpdatedAt.IsZero() {
		return now.UnixNano()
	}
	return toNanos(o.UpdatedAt)
}

// dropFailedClaims frees the pending claims of the failed outcomes outs[i]
// for i in idx:
// only the claim of that run and contact, never another writer's claim of
// the same number (a contact that failed without being sent never held
// one). One statement per chunk, on the ledger_number index: without
// statistics the planner would scan the target's whole ledger for each
// outcome.
func (d *DB) dropFailedClaims(ctx context.Context, tx *sql.Tx, target string, outs []Outcome, idx []int) error {
	const perStmt = (maxVars - 1) / 4 // a number twice, run, contact
	for len(idx) > 0 {
		n := nextChunk(len(idx), perStmt)
		part := idx[:n]
		idx = idx[n:]
		stmt, err := d.txStmt(ctx, tx, stmtKey{dropFailedSQL, n}, func() string {
			return fmt.Sprintf(dropFailedSQL, marks(n, "?"), marks(n, "(?, ?, ?)"))
		})
		if err != nil {
			return err
		}
		args := make([]any, 1+4*n)
		args[0] = target
		for j, i := range part {
			o := outs[i]
			e164 := any(o.E164)
			args[1+j] = e164
			args[1+n+3*j], args[2+n+3*j], args[3+n+3*j] = e164, o.RunID, o.ContactID
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

const dropFailedSQL = `DELETE FROM ledger INDEXED BY ledger_number
	WHERE target = ? AND state = 'pending' AND number IN (%s)
	AND (number, run_id, contact_id) IN (VALUES %s)`

// markSiblingsCreated marks created every other form the number of each
// created outs[i] (i in idx) was claimed under (its candidates), so none
// of them can be claimed again. Few numbers have such forms: they are
// found with one query per chunk on ledger_forms, which holds only them,
// and only they are written. Of two outcomes for one number, the later
// wins, as when they are applied one by one.
func (d *DB) markSiblingsCreated(ctx context.Context, tx *sql.Tx, target string, outs []Outcome, idx []int, now time.Time) error {
	last := make(map[string]int, len(idx))
	for _, i := range idx {
		last[outs[i].E164] = i
	}
	numbers := make([]any, 0, len(last))
	for _, i := range idx {
		if e164 := outs[i].E164; last[e164] == i {
			numbers = append(numbers, e164)
		}
	}
	var forms [][2]string // e164 of the form, number it was claimed under
	for len(numbers) > 0 {
		n := nextChunk(len(numbers), inChunk)
		part := numbers[:n]
		numbers = numbers[n:]
		stmt, err := d.txStmt(ctx, tx, stmtKey{siblingFormsSQL, n}, func() string {
			return fmt.Sprintf(siblingFormsSQL, marks(n, "?"))
		})
		if err != nil {
			return err
		}
		got, err := queryAll(ctx, stmtQuerier{stmt}, scanPair, "", append([]any{target}, part...)...)
		if err != nil {
			return err
		}
		forms = append(forms, got...)
	}
	if len(forms) == 0 {
		return nil
	}
	stmt, err := d.txCached(ctx, tx, markSiblingSQL)
	if err != nil {
		return err
	}
	for _, f := range forms {
		o := outs[last[f[1]]]
		if _, err := stmt.ExecContext(ctx, o.CRMID, o.CRMID, o.RunID, o.ContactID,
			outcomeTime(o, now), target, f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

const markSiblingSQL = `UPDATE ledger SET state = 'created',
	crm_id = CASE WHEN ? <> '' THEN ? ELSE crm_id END, run_id = ?, contact_id = ?, updated_at = ?
	WHERE target = ? AND e164 = ? AND number = ?`

const siblingFormsSQL = `SELECT e164, number FROM ledger INDEXED BY ledger_forms
	WHERE target = ? AND number IN (%s) AND e164 <> number`

// marks is n copies of mark, comma-separated.
func marks(n int, mark string) string {
	return strings.TrimSuffix(strings.Repeat(mark+", ", n), ", ")
}

// Value rows of the statements below.
const (
	outcomeRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	createdRow = "(?, ?, ?, ?, ?)"
)

// upsertOutcomesSQL replaces an outcome of the same run and contact;
// attempts never goes down.
const upsertOutcomesSQL = `
	INSERT INTO outcomes (run_id, contact_id, name, raw, e164, status, crm_id,
		reason, reason_text, attempts, name_filled, updated_at)
	VALUES %s
	ON CONFLICT (run_id, contact_id) DO UPDATE SET
		name = excluded.name, raw = excluded.raw, e164 = excluded.e164,
		status = excluded.status, crm_id = excluded.crm_id,
		reason = excluded.reason, reason_text = excluded.reason_text,
		attempts = max(outcomes.attempts, excluded.attempts),
		name_filled = excluded.name_filled, updated_at = excluded.updated_at`

// markCreatedSQL records that E164 now exists in target (?1); an empty CRM
// id never erases one already known. Rows are (e164, crm id, run, contact,
// time): the repeated values are bound once. WHERE true tells the parser
// ON CONFLICT belongs to the INSERT.
const markCreatedSQL = `
	INSERT INTO ledger (target, e164, number, state, crm_id, run_id, contact_id, created_at, updated_at)
	SELECT ?1, column1, column1, 'created', column2, column3, column4, column5, column5
	FROM (VALUES %s) WHERE true
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
			attempts, name_filled, updated_at
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
	pairs, err := queryAll(ctx, d.sql, scanKeyCount[string], `SELECT reason, count(*) FROM outcomes`+
		where+` GROUP BY reason`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reason counts: %w", err)
	}
	counts := make(map[string]int, len(pairs))
	for _, p := range pairs {
		counts[p.key] = p.n
	}
	return counts, nil
}

func scanOutcome(rows *sql.Rows) (Outcome, error) {
	var o Outcome
	var at int64
	err := rows.Scan(&o.RunID, &o.ContactID, &o.Name, &o.Raw, &o.E164, &o.Status,
		&o.CRMID, &o.Reason, &o.ReasonText, &o.Attempts, &o.NameFilled, &at)
	o.UpdatedAt = fromNanos(at)
	return o, err
}
