package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"coexsync/store"
	"coexsync/sync/normalize"
)

// LeftOut are the failures a retry does not send again: their numbers
// still cannot be read, so only editing the contact can change them.
type LeftOut struct {
	Count    int
	ByReason map[string]int // normalize reason code → contacts
}

// Text says how many were left out and why, for the agent; "" for none.
func (l LeftOut) Text() string {
	if l.Count == 0 {
		return ""
	}
	parts := make([]string, 0, len(l.ByReason))
	for _, r := range slices.Sorted(maps.Keys(l.ByReason)) {
		parts = append(parts, fmt.Sprintf("%d %s", l.ByReason[r], strings.ReplaceAll(r, "_", " ")))
	}
	return fmt.Sprintf("%d %s left out: %s still cannot be read (%s). "+
		"Fix them in the WhatsApp Business App, then retry.",
		l.Count, plural(l.Count, "contact", "contacts"), plural(l.Count, "its number", "their numbers"),
		strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// PlanRetry builds a plan over the contacts whose outcome in runID failed
// and whose failure can change: see RetryContacts.
func (e *Engine) PlanRetry(ctx context.Context, runID int64, region string) (*Plan, error) {
	run, contacts, left, err := e.RetryContacts(ctx, runID, region)
	if err != nil {
		return nil, err
	}
	p, err := e.PlanContacts(ctx, run.NumberID, region, contacts)
	if err != nil {
		return nil, err
	}
	p.LeftOut = left
	return p, nil
}

// RetryContacts loads the contacts whose outcome in runID failed, leaving
// out those whose number still cannot be read in the region the plan
// would use: sending them again can only fail the same way.
func (e *Engine) RetryContacts(ctx context.Context, runID int64, region string) (store.Run, []store.Contact, LeftOut, error) {
	run, err := e.Store.Run(ctx, runID)
	if err != nil {
		return run, nil, LeftOut{}, fmt.Errorf("plan retry of run %d: %w", runID, err)
	}
	if run.Mode == store.ModeUndo {
		return run, nil, LeftOut{}, fmt.Errorf("run %d was an undo: there are no contacts to retry (sync the number again instead)", runID)
	}
	contacts, err := e.failedContacts(ctx, runID)
	if err != nil {
		return run, nil, LeftOut{}, fmt.Errorf("plan retry of run %d: %w", runID, err)
	}
	region = e.regionFor(ctx, run.NumberID, region)
	left := LeftOut{ByReason: map[string]int{}}
	keep := contacts[:0]
	for _, c := range contacts {
		n := normalize.NoPhone(c.Key)
		if c.Phone != "" {
			n = normalize.Number(c.Phone, region)
		}
		if !n.Valid {
			left.Count++
			left.ByReason[string(n.Reason)]++
			continue
		}
		keep = append(keep, c)
	}
	return run, keep, left, nil
}

// failedContacts loads the contacts whose outcome in runID failed.
func (e *Engine) failedContacts(ctx context.Context, runID int64) ([]store.Contact, error) {
	failed, _, err := e.Store.Outcomes(ctx, store.OutcomeFilter{RunID: runID, Status: store.OutcomeFailed})
	if err != nil {
		return nil, fmt.Errorf("load failures: %w", err)
	}
	ids := make([]int64, len(failed))
	for i, o := range failed {
		ids[i] = o.ContactID
	}
	contacts, err := e.Store.ContactsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load contacts: %w", err)
	}
	return contacts, nil
}
