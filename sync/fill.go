package sync

import (
	"context"

	"coexsync/crm"
	"coexsync/store"
)

// Sentences appended to an exists outcome about its name backfill, for
// people to read; a fill is counted from Outcome.NameFilled. A failed
// fill keeps the contact skipped (it is in the CRM) and says so.
const (
	nameFilledText     = store.NameFilledText
	nameFillFailedText = " Filling its empty name failed: "
)

// fillNames writes the WhatsApp name onto matched records that have none,
// UpdateBatch at a time, and records each row as skipped (exists).
func (r *runner) fillNames(ctx context.Context, rows []*PlanRow) error {
	size := r.e.CRM.Limits().UpdateBatch
	return forEachBatch(ctx, len(rows), size, r.e.createConcurrency(), func(ctx context.Context, lo, hi int) error {
		batch := rows[lo:hi]
		updates := make([]crm.NameUpdate, len(batch))
		for i, row := range batch {
			name, first, last := crmNames(row.Contact)
			updates[i] = crm.NameUpdate{Ref: row.RecordID, ID: row.RecordID, Name: name, FirstName: first, LastName: last}
		}
		results, err := r.e.CRM.SetNames(ctx, updates)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // no outcome: a resume plans these again
		}
		for i, row := range batch {
			o := r.skipOutcome(row)
			if ce := fillError(err, results, i); ce != nil {
				o.ReasonText += nameFillFailedText + failureText(ce)
			} else {
				o.ReasonText += nameFilledText
				o.NameFilled = true
			}
			r.rec.add(o)
		}
		return nil
	})
}

// fillError is why item i of a SetNames call failed, or nil.
func fillError(err error, results []crm.ItemResult, i int) *crm.Error {
	switch {
	case err != nil:
		return asCRMError(err)
	case i >= len(results):
		return &crm.Error{Reason: crm.ReasonBadResponse, Message: "no result for this record"}
	}
	return results[i].Err
}
