package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Lease says which process is writing one WhatsApp number's contacts into
// one CRM account: one writer at a time, kept alive by a heartbeat.
type Lease struct {
	Target      string
	NumberID    string
	RunID       int64
	Owner       string // unique per run-process
	PID         int
	Host        string
	StartedAt   time.Time
	HeartbeatAt time.Time
}

const leaseColumns = `target, number_id, run_id, owner, pid, host, started_at, heartbeat_at`

func scanLease(rows *sql.Rows) (Lease, error) {
	var l Lease
	var started, beat int64
	err := rows.Scan(&l.Target, &l.NumberID, &l.RunID, &l.Owner, &l.PID, &l.Host, &started, &beat)
	l.StartedAt, l.HeartbeatAt = fromNanos(started), fromNanos(beat)
	return l, err
}

// AcquireLease takes the lease of (l.Target, l.NumberID) for l. When
// another owner holds it, canTake decides from that lease whether it may be
// taken over; if not, ok is false and prev is the holder. prev is also the
// lease taken over, so the caller can say so.
func (d *DB) AcquireLease(ctx context.Context, l Lease, canTake func(held Lease) bool) (prev Lease, ok bool, err error) {
	err = d.withTx(ctx, "acquire lease", func(tx *sql.Tx) error {
		held, err := queryAll(ctx, tx, scanLease, `SELECT `+leaseColumns+` FROM leases
			WHERE target = ? AND number_id = ?`, l.Target, l.NumberID)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			prev = held[0]
			if prev.Owner != l.Owner && !canTake(prev) {
				return nil
			}
		}
		ok = true
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (`+leaseColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (target, number_id) DO UPDATE SET run_id = excluded.run_id,
				owner = excluded.owner, pid = excluded.pid, host = excluded.host,
				started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
			l.Target, l.NumberID, l.RunID, l.Owner, l.PID, l.Host,
			toNanos(orNow(l.StartedAt)), toNanos(orNow(l.HeartbeatAt)))
		return err
	})
	return prev, ok, err
}

// SetLeaseRun records the run an owner's lease writes for (the run is
// created after the lease is taken, so a refused start leaves no run).
func (d *DB) SetLeaseRun(ctx context.Context, owner string, runID int64) error {
	_, err := d.exec(ctx, "set lease run", `UPDATE leases SET run_id = ? WHERE owner = ?`, runID, owner)
	return err
}

// Heartbeat keeps owner's lease alive; false means the lease was taken
// over and the owner must stop writing.
func (d *DB) Heartbeat(ctx context.Context, owner string, at time.Time) (bool, error) {
	n, err := d.exec(ctx, "heartbeat", `UPDATE leases SET heartbeat_at = ? WHERE owner = ?`, at.UnixNano(), owner)
	return n > 0, err
}

// ReleaseLease gives owner's lease up.
func (d *DB) ReleaseLease(ctx context.Context, owner string) error {
	_, err := d.exec(ctx, "release lease", `DELETE FROM leases WHERE owner = ?`, owner)
	return err
}

// Leases lists the leases held, for the console and doctor.
func (d *DB) Leases(ctx context.Context) ([]Lease, error) {
	ls, err := queryAll(ctx, d.sql, scanLease, `SELECT `+leaseColumns+` FROM leases ORDER BY started_at`)
	if err != nil {
		return nil, fmt.Errorf("store: leases: %w", err)
	}
	return ls, nil
}

// RunNote is one line of a run's log besides its outcomes.
type RunNote struct {
	RunID int64
	At    time.Time
	Text  string
}

// AddRunNote appends a line to a run's log.
func (d *DB) AddRunNote(ctx context.Context, runID int64, text string) error {
	_, err := d.exec(ctx, "add run note", `INSERT INTO run_notes (run_id, at, text) VALUES (?, ?, ?)`,
		runID, time.Now().UnixNano(), text)
	return err
}

// RunNotes lists a run's log, oldest first.
func (d *DB) RunNotes(ctx context.Context, runID int64) ([]RunNote, error) {
	ns, err := queryAll(ctx, d.sql, func(rows *sql.Rows) (RunNote, error) {
		var n RunNote
		var at int64
		err := rows.Scan(&n.RunID, &at, &n.Text)
		n.At = fromNanos(at)
		return n, err
	}, `SELECT run_id, at, text FROM run_notes WHERE run_id = ? ORDER BY at, rowid`, runID)
	if err != nil {
		return nil, fmt.Errorf("store: run notes: %w", err)
	}
	return ns, nil
}
