package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

// maxCreateAttempts bounds how often one contact's create is sent when the
// CRM keeps failing temporarily (each on top of the client's own retries).
const maxCreateAttempts = 3

// unconfirmedText is stored for a create the CRM neither confirmed nor
// showed in search afterwards.
const unconfirmedText = "The CRM did not confirm the create and could not be searched to check; resume the run to resolve it."

// errUnconfirmed ends a run whose creates could not all be confirmed: the
// run is interrupted and a resume resolves them.
type errUnconfirmed struct{ n int }

func (e errUnconfirmed) Error() string {
	return fmt.Sprintf("%d creates could not be confirmed; resume the run to resolve them", e.n)
}

// createItem is one contact on its way to the CRM.
type createItem struct {
	row      *PlanRow
	attempts int
}

// createAll creates rows in rounds: each round sends every item still to
// do in batches; items that failed temporarily go to the next round.
func (r *runner) createAll(ctx context.Context, rows []*PlanRow) error {
	queue := make([]*createItem, len(rows))
	for i, row := range rows {
		queue[i] = &createItem{row: row}
	}
	unconfirmed := 0
	for len(queue) > 0 {
		var (
			mu   gosync.Mutex
			next []*createItem
		)
		size := r.e.CRM.Limits().CreateBatch
		err := forEachBatch(ctx, len(queue), size, r.e.createConcurrency(), func(ctx context.Context, lo, hi int) error {
			again, unc, err := r.createBatch(ctx, queue[lo:hi])
			mu.Lock()
			defer mu.Unlock()
			next = append(next, again...)
			unconfirmed += unc
			return err
		})
		if err != nil {
			return err
		}
		queue = next
	}
	if unconfirmed > 0 {
		return errUnconfirmed{unconfirmed}
	}
	return nil
}

// createBatch sends one batch: intents first (so a crash leaves a trace),
// then the create. It returns the items to send again and how many creates
// stay unconfirmed.
func (r *runner) createBatch(ctx context.Context, items []*createItem) ([]*createItem, int, error) {
	if ce := r.aborted(); ce != nil {
		r.fail(items, ce)
		return nil, 0, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	intents := make([]store.Intent, len(items))
	contacts := make([]crm.NewContact, len(items))
	now := time.Now()
	for i, it := range items {
		it.attempts++
		c := it.row.Contact
		intents[i] = store.Intent{
			Target: r.target, E164: it.row.Number.E164, RunID: r.runID, ContactID: c.ID,
			State: store.IntentPending, CreatedAt: now, UpdatedAt: now,
		}
		name, first, last := crmNames(c)
		contacts[i] = crm.NewContact{Ref: it.row.Number.E164, Phone: it.row.Number.E164, Name: name, FirstName: first, LastName: last}
	}
	if err := r.e.Store.AddIntents(context.WithoutCancel(ctx), intents); err != nil {
		return nil, 0, fmt.Errorf("record create intents: %w", err)
	}
	results, err := r.e.CRM.Create(ctx, contacts)
	// Search is only authoritative a lag after the CRM handled the call,
	// which may be any time until it returned (the client waits for its
	// rate limiter first).
	answered := time.Now()
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err() // unknown: the intents stay pending for resume
		}
		ce := asCRMError(err)
		if !ce.Temporary() {
			r.refuse(items, ce)
			return nil, 0, nil
		}
		return r.recheck(ctx, items, answered, ce)
	}
	return r.applyResults(ctx, items, results, answered)
}

// applyResults records each item's result; items the CRM answered for
// unclearly are rechecked by search.
func (r *runner) applyResults(ctx context.Context, items []*createItem, results []crm.ItemResult, answered time.Time) ([]*createItem, int, error) {
	byRef := make(map[string]crm.ItemResult, len(results))
	for _, res := range results {
		byRef[res.Ref] = res
	}
	var again, unclear []*createItem
	var existing []string
	var skips []store.Outcome
	for _, it := range items {
		res, ok := byRef[it.row.Number.E164]
		switch {
		case !ok || (res.Err == nil && res.ID == "" && res.ExistingID == ""):
			unclear = append(unclear, it)
		case res.ExistingID != "":
			existing = append(existing, it.row.Number.E164)
			o := r.itemOutcome(it, store.OutcomeSkipped, res.ExistingID)
			o.Reason, o.ReasonText = reasonExists, existsText(res.ExistingID)
			skips = append(skips, o)
		case res.Err == nil:
			r.rec.add(r.itemOutcome(it, store.OutcomeCreated, res.ID))
		case res.Err.Reason == crm.ReasonRateLimited && it.attempts < maxCreateAttempts:
			again = append(again, it) // refused before any work: safe to send again
		case res.Err.Temporary():
			// A single create that timed out or answered garbage (Intercom)
			// may have been made: only search can tell.
			unclear = append(unclear, it)
		default:
			r.refuse([]*createItem{it}, res.Err)
		}
	}
	if len(existing) > 0 {
		// Not created by coexsync: the ledger must not claim them.
		if err := r.e.Store.DropIntents(context.WithoutCancel(ctx), r.target, existing); err != nil {
			return nil, 0, fmt.Errorf("drop intents: %w", err)
		}
		r.rec.add(skips...)
	}
	if len(unclear) > 0 {
		more, unc, err := r.recheck(ctx, unclear, answered, unclearCause(unclear, byRef))
		return append(again, more...), unc, err
	}
	return again, 0, nil
}

// unclearCause is the error to fail unclear items with if they run out of
// attempts: the CRM's own when it gave one.
func unclearCause(items []*createItem, byRef map[string]crm.ItemResult) *crm.Error {
	for _, it := range items {
		if res := byRef[it.row.Number.E164]; res.Err != nil {
			return res.Err
		}
	}
	return &crm.Error{Reason: crm.ReasonBadResponse, Message: "the create answered without a record id"}
}

// recheck decides creates whose fate is unknown (the call failed after it
// may have reached the CRM): once search is authoritative, a contact found
// was created; one not found is sent again, until the attempts run out.
func (r *runner) recheck(ctx context.Context, items []*createItem, answered time.Time, cause *crm.Error) ([]*createItem, int, error) {
	if !sleepCtx(ctx, time.Until(answered.Add(r.e.CRM.Limits().SearchLag))) {
		return nil, 0, ctx.Err()
	}
	subs := make([]subject, len(items))
	var numbers []string
	for i, it := range items {
		subs[i] = subject{candidates: []string{it.row.Number.E164}, region: it.row.Number.Region}
		numbers = append(numbers, it.row.Number.E164)
	}
	recs, err := r.e.findRecords(ctx, numbers, 1)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		for _, it := range items {
			o := r.itemOutcome(it, store.OutcomePending, "")
			o.Reason, o.ReasonText = reasonUnknown, unconfirmedText
			r.rec.add(o)
		}
		return nil, len(items), nil
	}
	var again []*createItem
	for i, found := range matchRecords(subs, recs) {
		switch {
		case len(found) > 0:
			r.rec.add(r.itemOutcome(items[i], store.OutcomeCreated, found[0].ID))
		case items[i].attempts < maxCreateAttempts:
			again = append(again, items[i])
		default:
			r.fail([]*createItem{items[i]}, cause)
		}
	}
	return again, 0, nil
}

// refuse fails items the CRM refused for good; a refused token stops all
// further creates.
func (r *runner) refuse(items []*createItem, ce *crm.Error) {
	if ce.Reason == crm.ReasonUnauthorized || ce.Reason == crm.ReasonForbidden {
		r.setAbort(ce)
	}
	r.fail(items, ce)
}

// fail records items as failed; the store drops their pending intents.
func (r *runner) fail(items []*createItem, ce *crm.Error) {
	for _, it := range items {
		o := r.itemOutcome(it, store.OutcomeFailed, "")
		o.Reason, o.ReasonText = string(ce.Reason), failureText(ce)
		r.rec.add(o)
	}
}

func (r *runner) itemOutcome(it *createItem, status store.OutcomeStatus, crmID string) store.Outcome {
	o := outcomeFor(r.runID, it.row)
	o.Status, o.CRMID, o.Attempts = status, crmID, it.attempts
	return o
}

// asCRMError views any client error as a *crm.Error; an error of another
// kind is a network failure (temporary).
func asCRMError(err error) *crm.Error {
	var ce *crm.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &crm.Error{Reason: crm.ReasonNetwork, Err: err}
}
