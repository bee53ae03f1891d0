package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"coexsync/crm"
	"coexsync/store"
	"coexsync/sync/normalize"
)

// resolveDoubts decides creates in doubt once the CRM's search can be
// trusted for all of them: a number found was created (by us, or by the
// gone process that claimed it); one not found is freed and sent again.
// It returns the items to send again and how many stay unconfirmed.
func (r *runner) resolveDoubts(ctx context.Context, doubts []doubt) ([]*createItem, int, error) {
	found, err := r.searchDoubts(ctx, doubts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		for _, d := range doubts {
			o := r.itemOutcome(d.item, store.OutcomePending, "")
			o.Reason, o.ReasonText = reasonUnknown, unconfirmedText
			r.rec.add(o)
		}
		return nil, len(doubts), nil
	}
	bg := context.WithoutCancel(ctx)
	var again []*createItem
	var theirs []store.Outcome
	var freed []store.FreedCreate
	for i, d := range doubts {
		ours := d.holder.Owner == r.owner
		sameContact := d.holder.RunID == r.runID && d.holder.ContactID == d.item.row.Contact.ID
		switch {
		case found[i] != "" && (ours || sameContact):
			r.rec.add(r.itemOutcome(d.item, store.OutcomeCreated, found[i]))
		case found[i] != "":
			h := d.holder
			h.CRMID = found[i]
			o, err := r.holderOutcome(bg, h)
			if err != nil {
				return nil, 0, err
			}
			theirs = append(theirs, o)
			r.rec.add(r.claimedOutcome(d.item, h))
		case ours && d.item.attempts >= maxCreateAttempts:
			// It fails: nothing is left to settle, nothing to remember.
			if err := r.e.Store.DropClaims(bg, r.target, d.holder.Owner, []string{d.holder.Number}); err != nil {
				return nil, 0, fmt.Errorf("free an unconfirmed claim: %w", err)
			}
			r.fail([]*createItem{d.item}, d.cause)
		default:
			// Freed, but remembered: the CRM may still make it later
			// (see ownLanded).
			h := d.holder
			freed = append(freed, store.FreedCreate{Number: h.Number, RunID: h.RunID, ContactID: h.ContactID, Owner: h.Owner})
			again = append(again, d.item)
		}
	}
	// Freed before anything is sent again.
	if err := r.e.Store.FreeClaims(bg, r.target, freed); err != nil {
		return nil, 0, fmt.Errorf("free unconfirmed claims: %w", err)
	}
	if err := r.e.Store.RecordOutcomes(bg, r.target, theirs); err != nil {
		return nil, 0, fmt.Errorf("record resolved creates: %w", err)
	}
	return again, 0, nil
}

// searchDoubts waits until every doubt's create would show in search, then
// returns per doubt the id of the record holding its number ("" if none).
func (r *runner) searchDoubts(ctx context.Context, doubts []doubt) ([]string, error) {
	var until time.Time
	for _, d := range doubts {
		if d.until.After(until) {
			until = d.until
		}
	}
	if wait := time.Until(until); wait > 0 {
		r.em.try(Phase{Name: fmt.Sprintf("confirming %d creates in doubt: waiting %s until the CRM's search shows them",
			len(doubts), wait.Round(time.Second))})
		if !sleepCtx(ctx, wait) {
			return nil, ctx.Err()
		}
	}
	out, err := r.findSent(ctx, doubts)
	if err != nil {
		return nil, err
	}
	// A number not found is freed and may be created again, so it is
	// looked for once more, a search lag later: under load a search has
	// been seen to miss records it showed moments after, and a landed
	// create taken for absent would be recorded as someone else's record.
	var missing []int
	for i, id := range out {
		if id == "" {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	if !sleepCtx(ctx, r.e.CRM.Limits().SearchLag+resolveMargin) {
		return nil, ctx.Err()
	}
	again := make([]doubt, len(missing))
	for k, i := range missing {
		again[k] = doubts[i]
	}
	found, err := r.findSent(ctx, again)
	if err != nil {
		return nil, err
	}
	for k, i := range missing {
		out[i] = found[k]
	}
	return out, nil
}

// findSent searches the CRM for the doubts' numbers and returns per doubt
// the id of the record its create made ("" if none).
func (r *runner) findSent(ctx context.Context, doubts []doubt) ([]string, error) {
	numbers := make([]string, len(doubts))
	for i, d := range doubts {
		numbers[i] = d.holder.Number
	}
	recs, err := r.findNumbers(ctx, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(doubts))
	for i, m := range recs {
		out[i] = sentRecord(m, numbers[i])
	}
	return out, nil
}

// findNumbers searches the CRM for sent E.164 numbers and returns per
// number the records holding it.
func (r *runner) findNumbers(ctx context.Context, sent []string) ([][]crm.Record, error) {
	subs := make([]subject, len(sent))
	var numbers []string
	for i, e164 := range sent {
		n := normalize.Number(e164, "")
		cands := append([]string{e164}, n.Candidates...)
		subs[i] = subject{candidates: uniqueStrings(cands)}
		numbers = append(numbers, subs[i].candidates...)
	}
	recs, err := r.e.findRecords(ctx, numbers, r.e.searchConcurrency())
	if err != nil {
		return nil, err
	}
	// What was sent is E.164, read the same in every region.
	return matchRecords(subs, recs, ""), nil
}

// sentRecord is the id of the record among recs that a create of number
// made: every phone it holds is exactly the E.164 that was sent (a create
// writes nothing else; HubSpot's calculated copy is the same text). A
// record holding the number in any other spelling too — a desk line with
// an extension, whose calculated value drops it; a value the index could
// not read — existed before and must not be taken for the create: the
// contact would be recorded as created and never be.
func sentRecord(recs []crm.Record, number string) string {
	for _, r := range recs {
		if holdsOnly(r, number) {
			return r.ID
		}
	}
	return ""
}

// holdsOnly says whether every phone of r is exactly number, as a create
// of number leaves it (see sentRecord).
func holdsOnly(r crm.Record, number string) bool {
	return len(r.Phones) > 0 && !slices.ContainsFunc(r.Phones, func(p string) bool { return strings.TrimSpace(p) != number })
}

// holderOutcome is the Created outcome of the run and contact that claimed
// h, with the contact's identity, for that run's history.
func (r *runner) holderOutcome(ctx context.Context, h store.Intent) (store.Outcome, error) {
	cs, err := r.e.Store.ContactsByID(ctx, []int64{h.ContactID})
	if err != nil {
		return store.Outcome{}, fmt.Errorf("load the contact of a resolved create: %w", err)
	}
	row := PlanRow{Contact: RowContact{ID: h.ContactID}, Number: RowNumber{E164: h.Number}}
	if len(cs) > 0 {
		row.Contact = rowContact(cs[0])
	}
	o := outcomeFor(h.RunID, &row)
	o.Status, o.CRMID, o.Attempts = store.OutcomeCreated, h.CRMID, 1
	return o, nil
}

// claimedOutcome is the outcome of an item whose number a created claim
// holds: created, when it was this very contact in this run (an earlier
// process of it), else skipped, naming the run that created it.
func (r *runner) claimedOutcome(it *createItem, h store.Intent) store.Outcome {
	if h.RunID == r.runID && h.ContactID == it.row.Contact.ID {
		return r.itemOutcome(it, store.OutcomeCreated, h.CRMID)
	}
	o := r.itemOutcome(it, store.OutcomeSkipped, h.CRMID)
	o.Reason, o.ReasonText = reasonExists, createdByText(h, r.runID)
	return o
}

func createdByText(h store.Intent, runID int64) string {
	id := cleanText(h.CRMID, maxOutsideText)
	if id == "" {
		id = "(id not known)"
	}
	if h.RunID == runID {
		return fmt.Sprintf("Created earlier in this run for contact %d as record %s; not created again.", h.ContactID, id)
	}
	return fmt.Sprintf("Created by run #%d as record %s; not created again.", h.RunID, id)
}

func containsRun(runs []int64, id int64) bool { return slices.Contains(runs, id) }

// runList names runs for a progress line ("run #3", "runs #3, #5").
func runList(runs []int64) string {
	names := make([]string, len(runs))
	for i, id := range runs {
		names[i] = fmt.Sprintf("#%d", id)
	}
	if len(runs) == 1 {
		return "run " + names[0]
	}
	return "runs " + strings.Join(names, ", ")
}
