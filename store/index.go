package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"coexsync/crm"
	"coexsync/sync/phoneindex"
)

// IndexState says how far the local index of one CRM account is built.
type IndexState struct {
	Target string
	// DefaultRegion is the region national values were read in; an index
	// read with another region must be rebuilt.
	DefaultRegion string
	BuiltAt       time.Time // when the last full listing finished
	Watermark     time.Time // vendor modification time up to which changes are in
	Complete      bool      // a full listing finished since the index was cleared
	RecordCount   int       // live (not archived) records
	Unreadable    int       // phone values that gave no key
}

// IndexRow is one key of one stored phone value.
type IndexRow struct {
	Key string // an E.164 candidate of the value
	Hit phoneindex.Hit
}

// UnreadableValue is a stored phone value that gave no key, and why.
type UnreadableValue struct {
	RecordID   string
	RecordName string
	Property   string
	Raw        string
	Reason     phoneindex.Reason
}

// UpsertIndexPage writes one page of records of target in one
// transaction: each record's row is replaced, and so are all its phone
// rows, read with phoneindex.Keys (record country, else defaultRegion).
// A record listed twice in a page keeps its last version.
func (d *DB) UpsertIndexPage(ctx context.Context, target, defaultRegion string, recs []crm.IndexedRecord) error {
	if target == "" {
		return errors.New("store: upsert index page: target is required")
	}
	last := make(map[string]int, len(recs))
	for i, r := range recs {
		if r.ID == "" {
			return fmt.Errorf("store: upsert index page: record %d has no id", i)
		}
		last[r.ID] = i
	}
	// Reading the values is the costly part: done before the write lock.
	var records, phones []any
	ids := make([]string, 0, len(last))
	listedAt := time.Now().UnixNano()
	for i, r := range recs {
		if last[r.ID] != i {
			continue
		}
		ids = append(ids, r.ID)
		records = append(records, target, r.ID, r.Name, r.FirstName, r.LastName, r.Country,
			toNanos(r.UpdatedAt), boolInt(r.Archived), listedAt)
		if !r.Archived {
			phones = appendPhoneRows(phones, target, r, defaultRegion)
		}
	}
	return d.withTx(ctx, "upsert index page", func(tx *sql.Tx) error {
		if err := d.deletePhones(ctx, tx, target, ids); err != nil {
			return err
		}
		if err := d.execRows(ctx, tx, upsertRecordsSQL, recordRow, records); err != nil {
			return err
		}
		return d.execRows(ctx, tx, insertPhonesSQL, phoneRow, phones)
	})
}

const recordRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"

// listed_at only moves forward: a slower writer of an older listing never
// makes a record look unlisted to a newer build's sweep.
const upsertRecordsSQL = `
	INSERT INTO crm_records (target, id, name, first_name, last_name, country, updated_at, archived, listed_at)
	VALUES %s
	ON CONFLICT (target, id) DO UPDATE SET
		name = excluded.name, first_name = excluded.first_name,
		last_name = excluded.last_name, country = excluded.country,
		updated_at = excluded.updated_at, archived = excluded.archived,
		listed_at = max(listed_at, excluded.listed_at)`

const phoneRow = "(?, ?, ?, ?, ?, ?, ?, ?)"

// A value listed twice under one property keeps its first row.
const insertPhonesSQL = `
	INSERT INTO crm_phones (target, record_id, property, raw, e164, value_e164, source, reason)
	VALUES %s
	ON CONFLICT DO NOTHING`

// appendPhoneRows adds a row per key of each non-empty value of r, or one
// row with its reason when the value gave no key.
func appendPhoneRows(rows []any, target string, r crm.IndexedRecord, defaultRegion string) []any {
	for _, e := range phoneindex.Entries(r, defaultRegion) {
		switch {
		case e.Reason == phoneindex.ReasonEmpty:
		case !e.Readable():
			rows = append(rows, target, r.ID, e.Property, e.Raw, "", "", "", string(e.Reason))
		default:
			for _, k := range e.Candidates {
				rows = append(rows, target, r.ID, e.Property, e.Raw, k, e.E164, string(e.Source), "")
			}
		}
	}
	return rows
}

func (d *DB) deletePhones(ctx context.Context, tx *sql.Tx, target string, ids []string) error {
	return d.execRowsLead(ctx, tx, deletePhonesSQL, "?", []any{target}, anys(ids))
}

const deletePhonesSQL = `DELETE FROM crm_phones WHERE target = ?1 AND record_id IN (%s)`

// DeleteIndexRecords removes records of target (deleted in the CRM) and
// their phone values, in one transaction.
func (d *DB) DeleteIndexRecords(ctx context.Context, target string, ids []string) error {
	return d.withTx(ctx, "delete index records", func(tx *sql.Tx) error {
		if err := d.deletePhones(ctx, tx, target, ids); err != nil {
			return err
		}
		return forEachChunk(ids, inChunk, func(part []string) error {
			marks, args := inList([]any{target}, part)
			_, err := tx.ExecContext(ctx, `DELETE FROM crm_records
				WHERE target = ? AND id IN (`+marks+`)`, args...)
			return err
		})
	})
}

// SweepIndex ends a full rebuild of target's index that started at
// started: it drops the records no listing wrote since (the CRM deleted
// them) with their values. The index is never emptied first: another
// process may be planning against it while this one lists, and an index
// it saw half-listed made it create records that existed.
func (d *DB) SweepIndex(ctx context.Context, target string, started time.Time) error {
	before := started.UnixNano()
	return d.withTx(ctx, "sweep index", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM crm_phones WHERE target = ?1 AND record_id IN
			(SELECT id FROM crm_records WHERE target = ?1 AND listed_at < ?2)`, target, before); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM crm_records WHERE target = ? AND listed_at < ?`, target, before)
		return err
	})
}

// IndexState reads the state of target's index; a target never indexed
// has the zero state (Complete false).
func (d *DB) IndexState(ctx context.Context, target string) (IndexState, error) {
	st := IndexState{Target: target}
	var built, watermark int64
	var complete int
	err := d.sql.QueryRowContext(ctx, `SELECT default_region, built_at, watermark,
		record_count, complete, unreadable FROM crm_index_state WHERE target = ?`, target).
		Scan(&st.DefaultRegion, &built, &watermark, &st.RecordCount, &complete, &st.Unreadable)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return IndexState{}, fmt.Errorf("store: index state: %w", err)
	}
	st.BuiltAt, st.Watermark, st.Complete = fromNanos(built), fromNanos(watermark), complete != 0
	return st, nil
}

// SetIndexState writes st. RecordCount and Unreadable are counted from
// the index in the same transaction, so they never drift from it; the
// values in st are ignored.
func (d *DB) SetIndexState(ctx context.Context, st IndexState) error {
	if st.Target == "" {
		return errors.New("store: set index state: target is required")
	}
	return d.withTx(ctx, "set index state", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO crm_index_state (target, default_region, built_at, watermark,
				record_count, complete, unreadable)
			VALUES (?1, ?2, ?3, ?4,
				(SELECT count(*) FROM crm_records WHERE target = ?1 AND archived = 0), ?5,
				(SELECT count(*) FROM crm_phones WHERE target = ?1 AND e164 = ''))
			ON CONFLICT (target) DO UPDATE SET
				default_region = excluded.default_region, built_at = excluded.built_at,
				watermark = excluded.watermark, record_count = excluded.record_count,
				complete = excluded.complete, unreadable = excluded.unreadable`,
			st.Target, st.DefaultRegion, toNanos(st.BuiltAt), toNanos(st.Watermark), boolInt(st.Complete))
		return err
	})
}

// LookupIndex returns, for each of keys found in target's index, the
// stored values filed under it.
func (d *DB) LookupIndex(ctx context.Context, target string, keys []string) (map[string][]phoneindex.Hit, error) {
	out := map[string][]phoneindex.Hit{}
	err := forEachChunk(uniqueNonEmpty(keys), inChunk, func(part []string) error {
		marks, args := inList([]any{target}, part)
		rows, err := queryAll(ctx, d.sql, scanIndexRow, `SELECT e164, record_id, property, raw, value_e164
			FROM crm_phones WHERE target = ? AND e164 IN (`+marks+`)
			ORDER BY e164, record_id, property`, args...)
		for _, r := range rows {
			out[r.Key] = append(out[r.Key], r.Hit)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: look up index: %w", err)
	}
	return out, nil
}

func uniqueNonEmpty(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func scanIndexRow(rows *sql.Rows) (IndexRow, error) {
	var r IndexRow
	err := rows.Scan(&r.Key, &r.Hit.RecordID, &r.Hit.Property, &r.Hit.Raw, &r.Hit.E164)
	return r, err
}

// UnreadableValues lists the values of target that gave no key, by record
// and property; limit 0 means all.
func (d *DB) UnreadableValues(ctx context.Context, target string, limit int) ([]UnreadableValue, error) {
	out, err := queryAll(ctx, d.sql, func(rows *sql.Rows) (UnreadableValue, error) {
		var u UnreadableValue
		err := rows.Scan(&u.RecordID, &u.RecordName, &u.Property, &u.Raw, &u.Reason)
		return u, err
	}, `SELECT p.record_id, coalesce(nullif(r.name, ''), trim(r.first_name || ' ' || r.last_name), ''),
			p.property, p.raw, p.reason
		FROM crm_phones p LEFT JOIN crm_records r ON r.target = p.target AND r.id = p.record_id
		WHERE p.target = ? AND p.e164 = ''
		ORDER BY p.record_id, p.property LIMIT ?`, target, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: unreadable values: %w", err)
	}
	return out, nil
}

// IndexRows streams every key of target's index, in storage order, without
// holding them all in memory.
func (d *DB) IndexRows(ctx context.Context, target string) iter.Seq2[IndexRow, error] {
	return func(yield func(IndexRow, error) bool) {
		rows, err := d.sql.QueryContext(ctx, `SELECT e164, record_id, property, raw, value_e164
			FROM crm_phones WHERE target = ? AND e164 != ''`, target)
		if err != nil {
			yield(IndexRow{}, fmt.Errorf("store: index rows: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanIndexRow(rows)
			if err != nil {
				yield(IndexRow{}, fmt.Errorf("store: index rows: %w", err))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(IndexRow{}, fmt.Errorf("store: index rows: %w", err))
		}
	}
}

// LoadIndex reads target's whole index into memory for a plan.
func (d *DB) LoadIndex(ctx context.Context, target string) (*phoneindex.Index, error) {
	st, err := d.IndexState(ctx, target)
	if err != nil {
		return nil, err
	}
	ix := phoneindex.New(st.RecordCount * 2)
	for r, err := range d.IndexRows(ctx, target) {
		if err != nil {
			return nil, err
		}
		ix.Put(r.Key, r.Hit)
	}
	return ix, nil
}
