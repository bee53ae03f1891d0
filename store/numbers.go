package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UpsertNumbers records numbers seen on the Graph API. What the Graph API
// says replaces what was stored; the sync request fields are coexsync's own
// and are kept.
func (d *DB) UpsertNumbers(ctx context.Context, ns []Number) error {
	rows := make([]any, 0, len(ns)*strings.Count(numberRow, "?"))
	for i, n := range ns {
		if n.ID == "" {
			return fmt.Errorf("store: upsert numbers: number %d has no id", i)
		}
		rows = append(rows, n.ID, n.DisplayPhoneNumber, n.VerifiedName, n.Status,
			n.QualityRating, n.PlatformType, boolInt(n.OnBizApp), toNanos(orNow(n.SeenAt)))
	}
	return d.withTx(ctx, "upsert numbers", func(tx *sql.Tx) error {
		return d.execRows(ctx, tx, upsertNumbersSQL, numberRow, rows)
	})
}

const numberRow = "(?, ?, ?, ?, ?, ?, ?, ?)"

const upsertNumbersSQL = `
	INSERT INTO numbers (id, display_phone_number, verified_name, status,
		quality_rating, platform_type, on_biz_app, seen_at)
	VALUES %s
	ON CONFLICT (id) DO UPDATE SET
		display_phone_number = excluded.display_phone_number,
		verified_name = excluded.verified_name,
		status = excluded.status,
		quality_rating = excluded.quality_rating,
		platform_type = excluded.platform_type,
		on_biz_app = excluded.on_biz_app,
		seen_at = excluded.seen_at`

// Numbers lists the numbers seen, by display number.
func (d *DB) Numbers(ctx context.Context) ([]Number, error) {
	ns, err := queryAll(ctx, d.sql, scanNumber, `
		SELECT id, display_phone_number, verified_name, status, quality_rating,
			platform_type, on_biz_app, sync_requested_at, sync_request_id, seen_at
		FROM numbers ORDER BY display_phone_number, id`)
	if err != nil {
		return nil, fmt.Errorf("store: numbers: %w", err)
	}
	return ns, nil
}

// Number returns one number by its Graph id.
func (d *DB) Number(ctx context.Context, id string) (Number, error) {
	ns, err := queryAll(ctx, d.sql, scanNumber, `
		SELECT id, display_phone_number, verified_name, status, quality_rating,
			platform_type, on_biz_app, sync_requested_at, sync_request_id, seen_at
		FROM numbers WHERE id = ?`, id)
	if err != nil {
		return Number{}, fmt.Errorf("store: number %q: %w", id, err)
	}
	if len(ns) == 0 {
		return Number{}, fmt.Errorf("store: number %q: %w", id, ErrNotFound)
	}
	return ns[0], nil
}

// SyncRequestedAt is when the number's one-time contact sync was
// requested: zero when never, or when the number is not stored.
func (d *DB) SyncRequestedAt(ctx context.Context, id string) (time.Time, error) {
	n, err := d.Number(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, nil
	}
	return n.SyncRequestedAt, err
}

func scanNumber(rows *sql.Rows) (Number, error) {
	var n Number
	var requested, seen int64
	err := rows.Scan(&n.ID, &n.DisplayPhoneNumber, &n.VerifiedName, &n.Status,
		&n.QualityRating, &n.PlatformType, &n.OnBizApp, &requested, &n.SyncRequestID, &seen)
	n.SyncRequestedAt, n.SeenAt = fromNanos(requested), fromNanos(seen)
	return n, err
}

// MarkSyncRequested notes that the one-time contact sync was requested.
func (d *DB) MarkSyncRequested(ctx context.Context, numberID, requestID string) error {
	n, err := d.exec(ctx, "mark sync requested", `
		UPDATE numbers SET sync_requested_at = ?, sync_request_id = ? WHERE id = ?`,
		time.Now().UnixNano(), requestID, numberID)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("store: mark sync requested: number %q: %w", numberID, ErrNotFound)
	}
	return nil
}
