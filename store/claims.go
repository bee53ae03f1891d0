package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Claim asks to create one contact in a CRM account. Keys are every form
// its number may be stored under (Number first): a claim holds them all, so
// MX 521/52, BR ninth-digit and AR 549/54 twins can never be created twice.
type Claim struct {
	Number    string
	Keys      []string
	RunID     int64
	ContactID int64
	Owner     string
}

// ClaimVerdict is what ClaimCreates decided for one claim.
type ClaimVerdict string

const (
	ClaimGranted ClaimVerdict = "granted" // the caller may send the create
	ClaimCreated ClaimVerdict = "created" // a record was created already (Holder)
	ClaimPending ClaimVerdict = "pending" // another owner's create is unresolved
)

// ClaimResult is the verdict on one claim and, unless granted, the ledger
// row in the way with the lease of its owner (HolderLease.Owner is "" when
// that owner holds no lease: it is gone).
type ClaimResult struct {
	Verdict     ClaimVerdict
	Holder      Intent
	HolderLease Lease
}

// ClaimCreates decides every claim in one transaction: a claim whose keys
// are all free is written as pending under its owner; a key already created
// or pending under another owner (or for another contact) refuses it. This
// is the one place that decides whether a create may be sent.
func (d *DB) ClaimCreates(ctx context.Context, target string, claims []Claim) ([]ClaimResult, error) {
	out := make([]ClaimResult, len(claims))
	now := time.Now().UnixNano()
	err := d.withTx(ctx, "claim creates", func(tx *sql.Tx) error {
		for i, c := range claims {
			if target == "" || c.Number == "" || c.Owner == "" {
				return fmt.Errorf("claim %d: target, number and owner are required", i)
			}
			res, err := claimOne(ctx, tx, target, c, now)
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	return out, err
}

func claimOne(ctx context.Context, tx *sql.Tx, target string, c Claim, now int64) (ClaimResult, error) {
	keys := append([]string{c.Number}, c.Keys...)
	marks, args := inList([]any{target}, keys)
	held, err := queryAll(ctx, tx, scanIntent, `SELECT `+intentColumns+` FROM ledger
		WHERE target = ? AND e164 IN (`+marks+`) ORDER BY state = 'created' DESC`, args...)
	if err != nil {
		return ClaimResult{}, err
	}
	for _, h := range held {
		mine := h.State == IntentPending && h.Owner == c.Owner && h.ContactID == c.ContactID && h.Number == c.Number
		if mine {
			continue
		}
		res := ClaimResult{Verdict: ClaimPending, Holder: h}
		if h.State == IntentCreated {
			res.Verdict = ClaimCreated
			return res, nil
		}
		if h.Owner != "" {
			leases, err := queryAll(ctx, tx, scanLease, `SELECT `+leaseColumns+` FROM leases WHERE owner = ?`, h.Owner)
			if err != nil {
				return ClaimResult{}, err
			}
			if len(leases) > 0 {
				res.HolderLease = leases[0]
			}
		}
		return res, nil
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger
			(target, e164, number, state, owner, run_id, contact_id, created_at, updated_at)
			VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (target, e164) DO NOTHING`,
			target, k, c.Number, c.Owner, c.RunID, c.ContactID, now, now); err != nil {
			return ClaimResult{}, err
		}
	}
	return ClaimResult{Verdict: ClaimGranted}, nil
}

// MarkSent records that creates carrying numbers (claimed by owner) are
// about to go out and, if made, land by landBy (the send plus the sender's
// request timeout). It must commit before the request is sent.
func (d *DB) MarkSent(ctx context.Context, target, owner string, numbers []string, landBy time.Time) error {
	return d.withTx(ctx, "mark sent", func(tx *sql.Tx) error {
		return forEachChunk(numbers, inChunk, func(part []string) error {
			marks, args := inList([]any{landBy.UnixNano(), target, owner}, part)
			_, err := tx.ExecContext(ctx, `UPDATE ledger SET land_by = max(land_by, ?)
				WHERE target = ? AND owner = ? AND state = 'pending' AND number IN (`+marks+`)`, args...)
			return err
		})
	})
}

// DropClaims removes the pending claims of numbers held by owner: the CRM
// is known not to have them. A claim taken over by someone else in the
// meantime, or created, stays.
func (d *DB) DropClaims(ctx context.Context, target, owner string, numbers []string) error {
	return d.withTx(ctx, "drop claims", func(tx *sql.Tx) error {
		return forEachChunk(numbers, inChunk, func(part []string) error {
			marks, args := inList([]any{target, owner}, part)
			_, err := tx.ExecContext(ctx, `DELETE FROM ledger
				WHERE target = ? AND owner = ? AND state = 'pending' AND number IN (`+marks+`)`, args...)
			return err
		})
	})
}
