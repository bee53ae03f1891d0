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

// resolveMargin is added to the moment a create in doubt could last have
// landed in the CRM's search index, before search is trusted.
const resolveMargin = 2 * time.Second

// claimPoll is how often a contact whose number another live run is
// creating is claimed again.
const claimPoll = time.Second

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
	// heldByUs counts rounds this item found its number claimed by another
	// contact of this run: once that claim settles it is claimed again, and
	// a claim still pending after that stays unconfirmed.
	heldByUs int
}

// doubt is a create whose fate is unknown until the CRM's search can be
// trusted: one of ours that failed unclearly, or one a gone process sent.
type doubt struct {
	item   *createItem
	holder store.Intent // the claim in doubt
	cause  *crm.Error   // ours: the error to fail with when attempts run out
	until  time.Time    // search shows the record by then if it was made
}

// round is what one pass over a queue leaves to do.
type round struct {
	again   []*createItem // send again
	doubts  []doubt       // resolve by search once it can be trusted
	waiting []doubt       // another live run holds the number: claim again later
}

func (a *round) merge(b round) {
	a.again = append(a.again, b.again...)
	a.doubts = append(a.doubts, b.doubts...)
	a.waiting = append(a.waiting, b.waiting...)
}

// createAll creates rows. Every create is sent only after its number is
// claimed in the store (ClaimCreates), whatever the plan said: that claim
// is the one guard against creating a contact twice. Creates in doubt are
// set aside and resolved together, so one slow answer never stalls a batch.
func (r *runner) createAll(ctx context.Context, rows []*PlanRow) error {
	queue := make([]*createItem, len(rows))
	for i, row := range rows {
		queue[i] = &createItem{row: row}
	}
	return r.settleCreates(ctx, round{again: queue})
}

// settleCreates takes over what earlier sends left: it sends left.again
// until every item went out once more, then resolves the doubts and claims
// again the numbers other runs held, until every item has an outcome.
func (r *runner) settleCreates(ctx context.Context, left round) error {
	queue, doubts, waiting := left.again, left.doubts, left.waiting
	unconfirmed := 0
	for {
		for len(queue) > 0 {
			next, err := r.sendRound(ctx, queue)
			if err != nil {
				return err
			}
			queue = next.again
			doubts = append(doubts, next.doubts...)
			waiting = append(waiting, next.waiting...)
		}
		switch {
		case len(doubts) > 0:
			again, unc, err := r.resolveDoubts(ctx, doubts)
			if err != nil {
				return err
			}
			queue, doubts, unconfirmed = again, nil, unconfirmed+unc
		case len(waiting) > 0:
			var err error
			if queue, unconfirmed, err = r.wait(ctx, waiting, unconfirmed); err != nil {
				return err
			}
			waiting = nil
		default:
			if unconfirmed > 0 {
				return errUnconfirmed{unconfirmed}
			}
			return nil
		}
	}
}

// sendRound sends every item of queue once, in batches.
func (r *runner) sendRound(ctx context.Context, queue []*createItem) (round, error) {
	var (
		mu  gosync.Mutex
		out round
	)
	size := r.e.CRM.Limits().CreateBatch
	err := forEachBatch(ctx, len(queue), size, r.e.createConcurrency(), func(ctx context.Context, lo, hi int) error {
		got, err := r.createBatch(ctx, queue[lo:hi])
		mu.Lock()
		defer mu.Unlock()
		out.merge(got)
		return err
	})
	return out, err
}

// wait handles contacts whose number another claim holds: claims of this
// run that stayed unconfirmed leave theirs unconfirmed too; the others are
// claimed again once the live run holding them had time to finish.
func (r *runner) wait(ctx context.Context, waiting []doubt, unconfirmed int) ([]*createItem, int, error) {
	var again []*createItem
	var runs []int64
	sleep := false
	for _, w := range waiting {
		if w.holder.Owner == r.owner {
			if w.item.heldByUs++; w.item.heldByUs > 1 {
				o := r.itemOutcome(w.item, store.OutcomePending, "")
				o.Reason, o.ReasonText = reasonUnknown, unconfirmedText
				r.rec.add(o)
				unconfirmed++
				continue
			}
			again = append(again, w.item)
			continue
		}
		sleep = true
		again = append(again, w.item)
		if !containsRun(runs, w.holder.RunID) {
			runs = append(runs, w.holder.RunID)
		}
	}
	if sleep {
		r.em.try(Phase{Name: fmt.Sprintf("waiting for %s, which is creating %d of these numbers", runList(runs), len(again))})
		if !sleepCtx(ctx, claimPoll) {
			return nil, unconfirmed, ctx.Err()
		}
	}
	return again, unconfirmed, nil
}

// createBatch claims the batch's numbers, then sends the creates it was
// granted.
func (r *runner) createBatch(ctx context.Context, items []*createItem) (round, error) {
	if ce := r.aborted(); ce != nil {
		r.fail(items, ce)
		return round{}, nil
	}
	if err := ctx.Err(); err != nil {
		return round{}, err
	}
	send, out, err := r.claim(ctx, items)
	if err != nil || len(send) == 0 {
		return out, err
	}
	got, err := r.send(ctx, send)
	out.merge(got)
	return out, err
}

// claim asks the store for each item's number. Granted items are returned
// to send; the others are settled here or set aside.
func (r *runner) claim(ctx context.Context, items []*createItem) ([]*createItem, round, error) {
	claims := make([]store.Claim, len(items))
	for i, it := range items {
		claims[i] = r.claimOf(it)
	}
	bg := context.WithoutCancel(ctx)
	results, err := r.e.Store.ClaimCreates(bg, r.target, claims)
	if err != nil {
		return nil, round{}, fmt.Errorf("claim numbers before creating: %w", err)
	}
	var send []*createItem
	var out round
	var unsent []store.Intent
	now := time.Now()
	for i, res := range results {
		it, h := items[i], res.Holder
		switch {
		case res.Verdict == store.ClaimGranted:
			send = append(send, it)
		case res.Verdict == store.ClaimCreated:
			r.rec.add(r.claimedOutcome(it, h))
		case h.Owner == r.owner || (res.HolderLease.Owner != "" && !leaseGone(res.HolderLease, now)):
			out.waiting = append(out.waiting, doubt{item: it, holder: h})
		case h.Owner != "" && h.LandBy.IsZero():
			// Its process died before the create went out: nothing to
			// confirm, the claim is simply free.
			unsent = append(unsent, h)
			out.again = append(out.again, it)
		default:
			out.doubts = append(out.doubts, doubt{item: it, holder: h, until: r.searchableBy(h)})
		}
	}
	for _, h := range unsent {
		if err := r.e.Store.DropClaims(bg, r.target, h.Owner, []string{h.Number}); err != nil {
			return nil, round{}, fmt.Errorf("free an unsent claim: %w", err)
		}
	}
	return send, out, nil
}

// claimOf is the claim of its number by this run-process.
func (r *runner) claimOf(it *createItem) store.Claim {
	n := it.row.Number
	return store.Claim{Number: n.E164, Keys: n.Keys(), RunID: r.runID, ContactID: it.row.Contact.ID, Owner: r.owner}
}

// searchableBy is when search shows another process's create of h if the
// CRM made it: the land-by time that process recorded (its send plus its
// own request timeout) plus the search lag. An ownerless claim, left by an
// older coexsync, counts as sent when it was written.
func (r *runner) searchableBy(h store.Intent) time.Time {
	landBy := h.LandBy
	if landBy.IsZero() {
		landBy = h.UpdatedAt.Add(r.requestTimeout())
	}
	return landBy.Add(r.e.CRM.Limits().SearchLag + resolveMargin)
}

// requestTimeout bounds one attempt of this process's client.
func (r *runner) requestTimeout() time.Duration {
	if t := r.e.CRM.Limits().RequestTimeout; t > 0 {
		return t
	}
	return crm.DefaultRequestTimeout
}

// landedBy is when a create last sent at sent, answered at answered (zero:
// never), shows in search if the CRM made it. Without an answer it may land
// up to a whole request timeout after it was sent.
func (r *runner) landedBy(sent, answered time.Time, noAnswer bool) time.Time {
	lim := r.e.CRM.Limits()
	at := answered
	if noAnswer {
		at = sent.Add(r.requestTimeout())
	}
	return at.Add(lim.SearchLag + resolveMargin)
}

// send marks the items sent and creates them. The send time is written
// before anything goes out, and again by the client right before each
// attempt, so a resume knows how long a create in flight could still land.
func (r *runner) send(ctx context.Context, items []*createItem) (round, error) {
	contacts := make([]crm.NewContact, len(items))
	numbers := make([]string, len(items))
	for i, it := range items {
		it.attempts++
		name, first, last := crmNames(it.row.Contact)
		n := it.row.Number.E164
		numbers[i] = n
		contacts[i] = crm.NewContact{Ref: n, Phone: n, Name: name, FirstName: first, LastName: last}
	}
	bg := context.WithoutCancel(ctx)
	var (
		mu       gosync.Mutex
		lastSent = time.Now()
	)
	if err := r.e.Store.MarkSent(bg, r.target, r.owner, numbers, lastSent.Add(r.requestTimeout())); err != nil {
		return round{}, fmt.Errorf("record create intents: %w", err)
	}
	sctx := crm.WithBeforeSend(ctx, func(refs []string) error {
		if len(refs) == 0 {
			refs = numbers
		}
		now := time.Now()
		mu.Lock()
		lastSent = now
		mu.Unlock()
		return r.e.Store.MarkSent(bg, r.target, r.owner, refs, now.Add(r.requestTimeout()))
	})
	results, err := r.e.CRM.Create(sctx, contacts)
	answered := time.Now()
	mu.Lock()
	sent := lastSent
	mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return round{}, ctx.Err() // unknown: the claims stay pending for a resume
		}
		ce := asCRMError(err)
		if !ce.Temporary() {
			r.refuse(items, ce)
			return round{}, nil
		}
		return r.inDoubt(items, ce, sent, answered), nil
	}
	return r.applyResults(ctx, items, results, sent, answered)
}

// inDoubt sets items aside until search can tell whether the CRM made them.
func (r *runner) inDoubt(items []*createItem, ce *crm.Error, sent, answered time.Time) round {
	noAnswer := ce.Reason == crm.ReasonTimeout || ce.Reason == crm.ReasonNetwork
	until := r.landedBy(sent, answered, noAnswer)
	var out round
	for _, it := range items {
		h := store.Intent{Target: r.target, E164: it.row.Number.E164, Number: it.row.Number.E164,
			RunID: r.runID, ContactID: it.row.Contact.ID, Owner: r.owner, LandBy: sent.Add(r.requestTimeout())}
		out.doubts = append(out.doubts, doubt{item: it, holder: h, cause: ce, until: until})
	}
	return out
}

// applyResults records each item's result; items the CRM answered for
// unclearly are set aside to be resolved by search.
func (r *runner) applyResults(ctx context.Context, items []*createItem, results []crm.ItemResult, sent, answered time.Time) (round, error) {
	byRef := make(map[string]crm.ItemResult, len(results))
	for _, res := range results {
		byRef[res.Ref] = res
	}
	var out round
	var met []*createItem
	var meets []freedMeet
	for _, it := range items {
		res, ok := byRef[it.row.Number.E164]
		switch {
		case !ok || (res.Err == nil && res.ID == "" && res.ExistingID == ""):
			out.merge(r.inDoubt([]*createItem{it}, unclearCause(res), sent, answered))
		case res.ExistingID != "":
			met = append(met, it)
			meets = append(meets, freedMeet{contactID: it.row.Contact.ID, number: it.row.Number.E164, recordID: res.ExistingID})
		case res.Err == nil:
			r.rec.add(r.itemOutcome(it, store.OutcomeCreated, res.ID))
		case res.Err.Reason == crm.ReasonRateLimited && it.attempts < maxCreateAttempts:
			out.again = append(out.again, it) // refused before any work: safe to send again
		case res.Err.Temporary():
			// A single create that timed out or answered garbage (Intercom)
			// may have been made: only search can tell.
			out.merge(r.inDoubt([]*createItem{it}, res.Err, sent, answered))
		default:
			r.refuse([]*createItem{it}, res.Err)
		}
	}
	if len(met) > 0 {
		if err := r.settleExisting(ctx, met, meets); err != nil {
			return round{}, err
		}
	}
	return out, nil
}

// settleExisting records creates the CRM refused because a record holds
// the number already: the run's own create when it is one this run sent
// earlier and freed unconfirmed (ownLanded), whose claim it holds again;
// else a record coexsync did not create, whose claim is dropped.
func (r *runner) settleExisting(ctx context.Context, items []*createItem, meets []freedMeet) error {
	freed, err := r.freedCreates(ctx)
	if err != nil {
		return err
	}
	own, err := r.ownLanded(ctx, freed, meets)
	if err != nil {
		return err
	}
	var existing, landed []string
	var skips []store.Outcome
	for k, it := range items {
		id := meets[k].recordID
		if own[k] {
			r.rec.add(r.itemOutcome(it, store.OutcomeCreated, id))
			landed = append(landed, id)
			continue
		}
		existing = append(existing, it.row.Number.E164)
		o := r.itemOutcome(it, store.OutcomeSkipped, id)
		o.Reason, o.ReasonText = reasonExists, existsText(id)
		skips = append(skips, o)
	}
	r.noteLanded(landed)
	if len(existing) > 0 {
		// Not created by coexsync: the ledger must not claim them.
		if err := r.e.Store.DropClaims(context.WithoutCancel(ctx), r.target, r.owner, existing); err != nil {
			return fmt.Errorf("drop claims: %w", err)
		}
		r.rec.add(skips...)
	}
	return nil
}

// unclearCause is the error to fail an unclear item with if it runs out of
// attempts: the CRM's own when it gave one.
func unclearCause(res crm.ItemResult) *crm.Error {
	if res.Err != nil {
		return res.Err
	}
	return &crm.Error{Reason: crm.ReasonBadResponse, Message: "the create answered without a record id"}
}

// refuse fails items the CRM refused for good; a refused token stops all
// further creates.
func (r *runner) refuse(items []*createItem, ce *crm.Error) {
	if ce.Reason == crm.ReasonUnauthorized || ce.Reason == crm.ReasonForbidden {
		r.setAbort(ce)
	}
	r.fail(items, ce)
}

// fail records items as failed; the store drops their pending claims.
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
