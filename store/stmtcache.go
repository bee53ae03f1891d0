package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"sync"
)

// maxVars bounds the parameters of one statement, well under the 32766
// variables SQLite allows here (SQLITE_MAX_VARIABLE_NUMBER). At this size
// a statement's call is already amortized over its rows: larger ones
// measured no faster and only make the statements each connection keeps
// bigger.
const maxVars = 1000

// stmtKey names one statement shape: a query template and the number of
// rows (or list values) put into it.
type stmtKey struct {
	query string
	n     int
}

// stmtCache keeps the statements of batched writes prepared for the life
// of the database. database/sql prepares each once per pooled connection,
// so a transaction reuses them instead of parsing large SQL again.
type stmtCache struct {
	mu sync.Mutex
	m  map[stmtKey]*sql.Stmt
	// wanted are statements a transaction prepared for itself, to be
	// prepared for the database once it ends: preparing takes a pooled
	// connection, which a transaction must not wait for (it could be the
	// only one).
	wanted map[stmtKey]string
	// once are the shapes one transaction has used so far. A shape is kept
	// for the database from its second transaction on: keeping it costs a
	// second parse, which a shape used once (most of a short session's)
	// never repays.
	once map[stmtKey]bool
	// inTx are the statements the current write transaction prepared for
	// itself, reused until it ends: a claim loop must not parse its
	// statements once per claim.
	inTx   map[stmtKey]*sql.Stmt
	txOf   *sql.Tx // the transaction inTx belongs to
	closed bool
}

// txStmt is the statement of key bound to tx; sqlFor builds its text the
// first time.
func (d *DB) txStmt(ctx context.Context, tx *sql.Tx, key stmtKey, sqlFor func() string) (*sql.Stmt, error) {
	d.stmts.mu.Lock()
	s, ok := d.stmts.m[key]
	if ok {
		d.stmts.mu.Unlock()
		return tx.StmtContext(ctx, s), nil
	}
	if d.stmts.txOf != tx {
		d.stmts.txOf, d.stmts.inTx = tx, nil
	}
	if s, ok := d.stmts.inTx[key]; ok {
		d.stmts.mu.Unlock()
		return s, nil
	}
	q := sqlFor()
	if d.stmts.once[key] {
		if d.stmts.wanted == nil {
			d.stmts.wanted = make(map[stmtKey]string)
		}
		d.stmts.wanted[key] = q
	} else {
		if d.stmts.once == nil {
			d.stmts.once = make(map[stmtKey]bool)
		}
		d.stmts.once[key] = true
	}
	d.stmts.mu.Unlock()
	s, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	d.stmts.mu.Lock()
	if d.stmts.txOf == tx {
		if d.stmts.inTx == nil {
			d.stmts.inTx = make(map[stmtKey]*sql.Stmt)
		}
		d.stmts.inTx[key] = s
	}
	d.stmts.mu.Unlock()
	return s, nil
}

// txCached is the cached statement of a fixed query in tx.
func (d *DB) txCached(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	return d.txStmt(ctx, tx, stmtKey{query: query}, func() string { return query })
}

// prepareWanted prepares, for the database, the statements transactions
// asked for. The lock is not held while preparing: a transaction looking
// up a statement must never wait for a connection. A statement that fails
// to prepare is left to the next transaction, which reports the error.
func (d *DB) prepareWanted(ctx context.Context) {
	d.stmts.mu.Lock()
	wanted := d.stmts.wanted
	d.stmts.wanted = nil
	d.stmts.txOf, d.stmts.inTx = nil, nil // that transaction has ended
	d.stmts.mu.Unlock()
	for key, q := range wanted {
		s, err := d.sql.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		d.stmts.mu.Lock()
		if _, ok := d.stmts.m[key]; ok || d.stmts.closed {
			s.Close()
		} else {
			if d.stmts.m == nil {
				d.stmts.m = make(map[stmtKey]*sql.Stmt)
			}
			d.stmts.m[key] = s
		}
		d.stmts.mu.Unlock()
	}
}

// closeStmts closes every cached statement.
func (d *DB) closeStmts() error {
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	var errs []error
	for k, s := range d.stmts.m {
		errs = append(errs, s.Close())
		delete(d.stmts.m, k)
	}
	d.stmts.wanted, d.stmts.closed = nil, true
	return errors.Join(errs...)
}

// nextChunk is how many of left items the next statement takes: limit
// while that many are left, then the largest power of two that fits, so a
// query has at most a dozen shapes to keep prepared.
func nextChunk(left, limit int) int {
	if left >= limit {
		return limit
	}
	return 1 << (bits.Len(uint(left)) - 1)
}

// execRows runs query, whose VALUES clause is the %s in it, over args: rows
// of the placeholders in row, as many rows per statement as maxVars allows.
// One multi-row statement costs far less than one call per row.
func (d *DB) execRows(ctx context.Context, tx *sql.Tx, query, row string, args []any) error {
	return d.execRowsLead(ctx, tx, query, row, nil, args)
}

// execRowsLead is execRows with lead bound once per statement as ?1, ?2…,
// which query and row may name; the bare ? of row take the rows' args.
// Each bound value has a cost of its own (the driver copies and locks per
// value), so a value every row repeats is better bound once.
func (d *DB) execRowsLead(ctx context.Context, tx *sql.Tx, query, row string, lead, args []any) error {
	width := bareMarks(row)
	if len(args)%width != 0 {
		return fmt.Errorf("%d arguments for rows of %d", len(args), width)
	}
	perStmt := (maxVars - len(lead)) / width
	var buf []any // lead, then a statement's rows
	for len(args) > 0 {
		n := nextChunk(len(args)/width, perStmt)
		stmt, err := d.txStmt(ctx, tx, stmtKey{query + row, n}, func() string {
			return fmt.Sprintf(query, marks(n, row))
		})
		if err != nil {
			return err
		}
		part := args[:n*width]
		if len(lead) > 0 {
			buf = append(append(buf[:0], lead...), part...)
			part = buf
		}
		if _, err := stmt.ExecContext(ctx, part...); err != nil {
			return err
		}
		args = args[n*width:]
	}
	return nil
}

// bareMarks counts the ? of row not followed by a number: the values each
// row takes.
func bareMarks(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		if row[i] == '?' && (i+1 == len(row) || row[i+1] < '0' || row[i+1] > '9') {
			n++
		}
	}
	return n
}

// stmtQuerier runs a prepared query for queryAll, which passes it no text.
type stmtQuerier struct{ stmt *sql.Stmt }

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.stmt.QueryContext(ctx, args...)
}
