package sync

import (
	"context"
	"fmt"
	"slices"
	"time"

	"coexsync/store"
	"coexsync/sync/normalize"
)

// Resume continues a run that did not end (the process died, or it was
// cancelled) under the same run id: it first resolves the creates that
// were sent but never confirmed, then syncs the run's contacts that have
// no final outcome yet.
func (e *Engine) Resume(ctx context.Context, runID int64, region string) (*Job, error) {
	run, err := e.Store.Run(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	if run.Target != e.CRM.Target() {
		return nil, fmt.Errorf("resume run %d: it synced into %s, not this %s account", runID, run.CRM, e.CRM.Name())
	}
	if err := e.Store.ReopenRun(ctx, runID); err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	job, r := e.newRunner(ctx, runID, run.Total, run)
	go r.finish(job, func(ctx context.Context) error { return r.resume(ctx, run, region) })
	return job, nil
}

func (r *runner) resume(ctx context.Context, run store.Run, region string) error {
	pending, err := r.e.Store.PendingIntents(ctx, r.target)
	if err != nil {
		return fmt.Errorf("read pending creates: %w", err)
	}
	if len(pending) > 0 {
		if err := r.resolvePending(ctx, pending); err != nil {
			return err
		}
	}
	rest, err := r.unfinishedContacts(ctx, run)
	if err != nil {
		return err
	}
	r.em.try(Phase{Name: fmt.Sprintf("planning %d remaining contacts", len(rest))})
	plan, err := r.e.PlanContacts(ctx, run.NumberID, region, rest)
	if err != nil {
		return err
	}
	r.tally.mu.Lock()
	r.tally.total = max(r.tally.total, r.tally.created+r.tally.skipped+r.tally.failed+len(rest))
	r.tally.mu.Unlock()
	return r.execute(ctx, plan.Rows)
}

// resolvePending decides every pending intent of the account (this run's
// and any other's) once search is authoritative: a number the CRM holds
// was created; one it does not is dropped and gets created normally.
//
// The wait counts from now, not from the intents: an intent is written
// before its create waits for the rate limiter, so the create may have
// reached the CRM long after it, but never after the process that sent it
// stopped, which is before this resume began.
func (r *runner) resolvePending(ctx context.Context, pending []store.Intent) error {
	lag := r.e.CRM.Limits().SearchLag
	r.em.try(Phase{Name: fmt.Sprintf("resolving %d unconfirmed creates (waiting %s for CRM search)", len(pending), lag)})
	if !sleepCtx(ctx, lag) {
		return ctx.Err()
	}
	subs := make([]subject, len(pending))
	numbers := make([]string, len(pending))
	ids := make([]int64, len(pending))
	for i, in := range pending {
		subs[i] = subject{candidates: []string{in.E164}, region: normalize.Number(in.E164, "").Region}
		numbers[i], ids[i] = in.E164, in.ContactID
	}
	recs, err := r.e.findRecords(ctx, numbers, r.e.searchConcurrency())
	if err != nil {
		return fmt.Errorf("search the CRM for unconfirmed creates: %w", err)
	}
	contacts, err := r.e.Store.ContactsByID(ctx, ids)
	if err != nil {
		return fmt.Errorf("load contacts of unconfirmed creates: %w", err)
	}
	var created []store.Outcome
	var missing []string
	for i, found := range matchRecords(subs, recs) {
		if len(found) == 0 {
			missing = append(missing, pending[i].E164)
			continue
		}
		row := PlanRow{Contact: contactByID(contacts, pending[i].ContactID), Number: normalize.Result{E164: pending[i].E164}}
		o := outcomeFor(pending[i].RunID, &row)
		o.Status, o.CRMID, o.Attempts, o.UpdatedAt = store.OutcomeCreated, found[0].ID, 1, time.Now()
		created = append(created, o)
	}
	bg := context.WithoutCancel(ctx)
	if err := r.e.Store.RecordOutcomes(bg, r.target, created); err != nil {
		return fmt.Errorf("record resolved creates: %w", err)
	}
	r.tally.add(slices.DeleteFunc(created, func(o store.Outcome) bool { return o.RunID != r.runID }))
	if err := r.e.Store.DropIntents(bg, r.target, missing); err != nil {
		return fmt.Errorf("drop unconfirmed creates: %w", err)
	}
	return nil
}

// unfinishedContacts are the run's contacts without a final outcome.
func (r *runner) unfinishedContacts(ctx context.Context, run store.Run) ([]store.Contact, error) {
	var contacts []store.Contact
	var err error
	if run.Mode == store.ModeRetry {
		contacts, err = r.e.failedContacts(ctx, run.ParentRunID)
	} else {
		contacts, err = r.e.Store.Contacts(ctx, run.NumberID)
	}
	if err != nil {
		return nil, fmt.Errorf("load the run's contacts: %w", err)
	}
	outs, _, err := r.e.Store.Outcomes(ctx, store.OutcomeFilter{RunID: run.ID})
	if err != nil {
		return nil, fmt.Errorf("load the run's outcomes: %w", err)
	}
	final := make(map[int64]bool, len(outs))
	for _, o := range outs {
		final[o.ContactID] = o.Status != store.OutcomePending
	}
	return slices.DeleteFunc(contacts, func(c store.Contact) bool { return final[c.ID] }), nil
}

func contactByID(cs []store.Contact, id int64) store.Contact {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return store.Contact{ID: id}
}
