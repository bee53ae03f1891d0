package sync

import (
	"context"
	"fmt"
	"slices"

	"coexsync/store"
	"coexsync/sync/normalize"
)

// Resume continues a run that did not end (the process died, or it was
// cancelled) under the same run id, in a new process-run that takes the
// number's write lease: it first settles the creates its earlier process
// sent but never confirmed, then syncs the run's contacts that have no
// final outcome yet. region "" reads national numbers as the run did.
func (e *Engine) Resume(ctx context.Context, runID int64, region string) (*Job, error) {
	run, err := e.Store.Run(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	if run.Target != e.CRM.Target() {
		return nil, fmt.Errorf("resume run %d: it synced into %s, not this %s account", runID, run.CRM, e.CRM.Name())
	}
	switch run.Mode {
	case store.ModeDryRun:
		return nil, fmt.Errorf("resume run %d: a dry run wrote nothing to resume", runID)
	case store.ModeUndo:
		// Resuming an undo archives what is left; it must never sync.
		return e.ResumeUndo(ctx, runID)
	}
	owner, note, err := e.acquireLease(ctx, run.NumberID, runID)
	if err != nil {
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	if err := e.Store.ReopenRun(ctx, runID); err != nil {
		e.releaseLease(owner)
		return nil, fmt.Errorf("resume run %d: %w", runID, err)
	}
	e.note(runID, note)
	if region == "" {
		region = run.Region
	}
	region = e.regionFor(ctx, run.NumberID, region)
	job, r := e.newRunner(ctx, runID, run.Total, run, owner)
	go r.finish(job, func(ctx context.Context) error { return r.resume(ctx, run, region) })
	return job, nil
}

func (r *runner) resume(ctx context.Context, run store.Run, region string) error {
	if err := r.settleEarlierClaims(ctx, run.ID); err != nil {
		return err
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
	// A create freed unconfirmed above (or by an earlier process) may
	// have landed since: its row exists, and is the run's create.
	rows, err := r.adoptLanded(ctx, plan.Rows)
	if err != nil {
		return err
	}
	return r.execute(ctx, rows)
}

// settleEarlierClaims resolves the claims this run's earlier processes left
// pending, before planning: a create that landed is recorded as this run's
// Created outcome (not as "exists"), one that did not is freed.
func (r *runner) settleEarlierClaims(ctx context.Context, runID int64) error {
	pending, err := r.e.Store.PendingIntents(ctx, r.target)
	if err != nil {
		return fmt.Errorf("read pending creates: %w", err)
	}
	var claims []store.Intent
	var ids []int64
	for _, in := range pending {
		if in.RunID == runID && in.Owner != r.owner && in.E164 == in.Number {
			claims = append(claims, in)
			ids = append(ids, in.ContactID)
		}
	}
	if len(claims) == 0 {
		return nil
	}
	contacts, err := r.e.Store.ContactsByID(ctx, ids)
	if err != nil {
		return fmt.Errorf("load contacts of unconfirmed creates: %w", err)
	}
	doubts := make([]doubt, 0, len(claims))
	for _, h := range claims {
		row := &PlanRow{Contact: rowContact(contactByID(contacts, h.ContactID)), Number: rowNumber(normalize.Number(h.Number, ""))}
		it := &createItem{row: row, attempts: 1}
		if h.Owner != "" && h.LandBy.IsZero() {
			if err := r.e.Store.DropClaims(context.WithoutCancel(ctx), r.target, h.Owner, []string{h.Number}); err != nil {
				return fmt.Errorf("free an unsent claim: %w", err)
			}
			continue
		}
		doubts = append(doubts, doubt{item: it, holder: h, until: r.searchableBy(h)})
	}
	if len(doubts) > 0 {
		r.em.try(Phase{Name: fmt.Sprintf("resolving %d unconfirmed creates of the earlier process", len(doubts))})
		if _, unc, err := r.resolveDoubts(ctx, doubts); err != nil || unc > 0 {
			if err == nil {
				err = errUnconfirmed{unc}
			}
			return err
		}
	}
	// The plan reads outcomes from the store.
	return r.rec.flush()
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
