package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"coexsync/store"
)

const (
	// heartbeatEvery is how often a writing run renews its lease.
	heartbeatEvery = time.Second
	// leaseStaleAfter is how long a lease may go without a heartbeat before
	// another process may take it over (a holder on this host whose pid is
	// gone is taken over at once).
	leaseStaleAfter = 15 * time.Second
)

// LeaseHeldError refuses a second writer for the same number and CRM
// account; its text names the holder and what the agent can do.
type LeaseHeldError struct{ Holder store.Lease }

func (e *LeaseHeldError) Error() string {
	who := "another sync"
	if e.Holder.RunID != 0 {
		who = fmt.Sprintf("run #%d", e.Holder.RunID)
	}
	what := "wait for it to finish, or take over with --force if that process is gone"
	if e.Holder.Host == hostname() {
		// A gone process on this host loses its lease without --force, so
		// this one is running: --force would stop it mid-run.
		what = fmt.Sprintf("wait for it to finish, or stop it (kill %d) and sync again; "+
			"--force takes the lease from it while it runs, and it stops writing", e.Holder.PID)
	}
	return fmt.Sprintf("%s is writing this number's contacts to this CRM account since %s (pid %d on %s); %s",
		who, e.Holder.StartedAt.Local().Format("15:04:05"), e.Holder.PID, e.Holder.Host, what)
}

// errLeaseLost stops a run whose lease another process took over.
var errLeaseLost = errors.New("another process took over this number's write lease; this run stopped writing")

// newOwner names one run in one process: unique, so a resumed run in a new
// process never mistakes its predecessor's claims for its own.
func newOwner() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", hostname(), os.Getpid(), hex.EncodeToString(b))
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown-host"
	}
	return h
}

// leaseGone reports whether a lease's holder can no longer be writing: no
// heartbeat for leaseStaleAfter, or a process on this host that is gone.
func leaseGone(l store.Lease, now time.Time) bool {
	if l.Owner == "" || now.Sub(l.HeartbeatAt) > leaseStaleAfter {
		return true
	}
	return l.Host == hostname() && !processAlive(l.PID)
}

// acquireLease takes the write lease of numberID in the engine's CRM
// account; note is a line for the run's log when a lease was taken over.
func (e *Engine) acquireLease(ctx context.Context, numberID string, runID int64) (owner, note string, err error) {
	now := time.Now()
	l := store.Lease{
		Target: e.CRM.Target(), NumberID: numberID, RunID: runID, Owner: newOwner(),
		PID: os.Getpid(), Host: hostname(), StartedAt: now, HeartbeatAt: now,
	}
	prev, ok, err := e.Store.AcquireLease(ctx, l, func(held store.Lease) bool {
		return e.Force || leaseGone(held, now)
	})
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", &LeaseHeldError{Holder: prev}
	}
	if prev.Owner != "" {
		why := "its process is gone"
		if !leaseGone(prev, now) {
			why = "--force"
		}
		note = fmt.Sprintf("Took over the write lease of run #%d (pid %d on %s, last heartbeat %s): %s.",
			prev.RunID, prev.PID, prev.Host, prev.HeartbeatAt.Local().Format("15:04:05"), why)
	}
	return l.Owner, note, nil
}

// keepLease renews the lease until stop is closed; when another process
// took it over, lost is called once and the loop ends.
func (r *runner) keepLease(stop <-chan struct{}, lost func()) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			held, err := r.e.Store.Heartbeat(context.Background(), r.owner, now)
			if err == nil && !held {
				lost()
				return
			}
		}
	}
}
