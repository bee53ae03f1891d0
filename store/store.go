// Package store is coexsync's local SQLite database: numbers, Business App
// contacts, runs, per-contact outcomes and the create ledger. It is the only
// place state lives, and it never holds a token: no table has a column for
// one and no function takes one.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is wrapped by lookups of a run or number that does not exist.
var ErrNotFound = errors.New("not found")

// inChunk bounds the values of one IN (…) list.
const inChunk = 500

// withTx runs fn in one write transaction, committed only if fn succeeds.
// Statements fn prepared for the first time are then kept for later ones.
func (d *DB) withTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	defer d.prepareWanted(context.WithoutCancel(ctx))
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// exec runs one write statement outside an explicit transaction and
// returns the rows it affected.
func (d *DB) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	res, err := d.sql.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", op, err)
	}
	return n, nil
}

// prepareAll prepares each query on tx, in order.
func prepareAll(ctx context.Context, tx *sql.Tx, queries ...string) ([]*sql.Stmt, error) {
	stmts := make([]*sql.Stmt, 0, len(queries))
	for _, q := range queries {
		s, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s)
	}
	return stmts, nil
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs query (on the database or inside a transaction) and reads
// every row with scan.
func queryAll[T any](ctx context.Context, db querier, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// keyCount is one row of a "SELECT key, count(*) … GROUP BY key".
type keyCount[K any] struct {
	key K
	n   int
}

func scanKeyCount[K any](rows *sql.Rows) (keyCount[K], error) {
	var c keyCount[K]
	err := rows.Scan(&c.key, &c.n)
	return c, err
}

// forEachChunk calls fn with consecutive slices of items of at most size.
func forEachChunk[T any](items []T, size int, fn func(part []T) error) error {
	for start := 0; start < len(items); start += size {
		end := min(start+size, len(items))
		if err := fn(items[start:end]); err != nil {
			return err
		}
	}
	return nil
}

// inList is "?,?,?" for n values, and the values as arguments after prefix.
func inList[T any](prefix []any, values []T) (string, []any) {
	args := append(make([]any, 0, len(prefix)+len(values)), prefix...)
	return strings.TrimSuffix(strings.Repeat("?,", len(values)), ","), appendAnys(args, values)
}

// anys is values as statement arguments.
func anys[T any](values []T) []any { return appendAnys(make([]any, 0, len(values)), values) }

func appendAnys[T any](args []any, values []T) []any {
	for _, v := range values {
		args = append(args, v)
	}
	return args
}

// Times are stored as Unix nanoseconds; 0 is the zero time, so "not yet"
// survives a round trip.
func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// orNow is t, or the current time when t is unset.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// sqlLimit turns "0 means all" into SQLite's "-1 means no limit".
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
