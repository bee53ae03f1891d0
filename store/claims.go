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
			res, err := d.claimOne(ctx, tx, target, c, now)
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	return out, err
}

// Statements of claimOne, kept prepared: a batch runs them once per claim.
const (
	heldKeysSQL = `SELECT ` + intentColumns + ` FROM ledger
		WHERE target = ?1 AND e164 IN (%s) ORDER BY state = 'created' DESC`
	holderLeaseSQL = `SELECT ` + leaseColumns + ` FROM leases WHERE owner = ?`
	claimKeySQL    = `INSERT INTO ledger
		(target, e164, number, state, owner, run_id, contact_id, created_at, updated_at)
		VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (target, e164) DO NOTHING`
)

func (d *DB) claimOne(ctx context.Context, tx *sql.Tx, target string, c Claim, now int64) (ClaimResult, error) {
	keys := append([]string{c.Number}, c.Keys...)
	held, err := d.txQueryIn(ctx, tx, heldKeysSQL, target, keys)
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
			stmt, err := d.txCached(ctx, tx, holderLeaseSQL)
			if err != nil {
				return ClaimResult{}, err
			}
			leases, err := queryAll(ctx, stmtQuerier{stmt}, scanLease, "", h.Owner)
			if err != nil {
				return ClaimResult{}, err
			}
			if len(leases) > 0 {
				res.HolderLease = leases[0]
			}
		}
		return res, nil
	}
	insert, err := d.txCached(ctx, tx, claimKeySQL)
	if err != nil {
		return ClaimResult{}, err
	}
	for _, k := range keys {
		if _, err := insert.ExecContext(ctx, target, k, c.Number, c.Owner, c.RunID, c.ContactID, now, now); err != nil {
			return ClaimResult{}, err
		}
	}
	return ClaimResult{Verdict: ClaimGranted}, nil
}

// txQueryIn reads the ledger rows of query, whose IN list is its %s, for
// target (?1) and keys; one statement shape per count of keys is kept.
func (d *DB) txQueryIn(ctx context.Context, tx *sql.Tx, query, target string, keys []string) ([]Intent, error) {
	stmt, err := d.txStmt(ctx, tx, stmtKey{query, len(keys)}, func() string {
		return fmt.Sprintf(query, marks(len(keys), "?"))
	})
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, stmtQuerier{stmt}, scanIntent, "", appendAnys([]any{target}, keys)...)
}

// MarkSent records that creates carrying numbers (claimed by owner) are
// about to go out and, if made, land by landBy (the send plus the sender's
// request timeout). It must commit before the request is sent.
func (d *DB) MarkSent(ctx context.Context, target, owner string, numbers []string, landBy time.Time) error {
	return d.withTx(ctx, "mark sent", func(tx *sql.Tx) error {
		return d.execRowsLead(ctx, tx, markSentSQL, "?", []any{landBy.UnixNano(), target, owner}, anys(numbers))
	})
}

const markSentSQL = `UPDATE ledger INDEXED BY ledger_number SET land_by = max(land_by, ?1)
	WHERE target = ?2 AND owner = ?3 AND state = 'pending' AND number IN (%s)`

// DropClaims removes the pending claims of numbers held by owner: the CRM
// is known not to have them. A claim taken over by someone else in the
// meantime, or created, stays.
func (d *DB) DropClaims(ctx context.Context, target, owner string, numbers []string) error {
	return d.withTx(ctx, "drop claims", func(tx *sql.Tx) error {
		return d.execRowsLead(ctx, tx, dropClaimsSQL, "?", []any{target, owner}, anys(numbers))
	})
}

const dropClaimsSQL = `DELETE FROM ledger INDEXED BY ledger_number
	WHERE target = ?1 AND owner = ?2 AND state = 'pending' AND number IN (%s)`
