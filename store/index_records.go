package store

import (
	"context"
	"database/sql"
	"fmt"

	"coexsync/crm"
)

// IndexRecords returns the live records of target's index among ids, by id
// (names and country as last listed; phones are not loaded).
func (d *DB) IndexRecords(ctx context.Context, target string, ids []string) (map[string]crm.IndexedRecord, error) {
	out := make(map[string]crm.IndexedRecord, len(ids))
	err := forEachChunk(uniqueNonEmpty(ids), inChunk, func(part []string) error {
		marks, args := inList([]any{target}, part)
		recs, err := queryAll(ctx, d.sql, func(rows *sql.Rows) (crm.IndexedRecord, error) {
			var r crm.IndexedRecord
			var updated int64
			err := rows.Scan(&r.ID, &r.Name, &r.FirstName, &r.LastName, &r.Country, &updated)
			r.UpdatedAt = fromNanos(updated)
			return r, err
		}, `SELECT id, name, first_name, last_name, country, updated_at FROM crm_records
			WHERE target = ? AND archived = 0 AND id IN (`+marks+`)`, args...)
		for _, r := range recs {
			out[r.ID] = r
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: index records: %w", err)
	}
	return out, nil
}
