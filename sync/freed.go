package sync

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"coexsync/crm"
	"coexsync/store"
)

// A create in doubt that search did not show is freed: its claim is
// dropped, and the contact is sent again (in a run) or planned again (on
// resume). But the CRM may still make it: a server was seen to commit a
// create later than the sender's timeout plus two search lags. So the
// store keeps the freed create (FreeClaims) until the contact has a final
// outcome in that run, and when this run meets an existing record for the
// contact, ownLanded tells whether it is that create. It is, it is the
// run's Created outcome with that record's id (an undo archives it), and
// no second create is sent.

// freedMeet is a contact of this run that met an existing record: a row
// a resumed plan found existing, or a create the CRM refused because the
// record holds the number already.
type freedMeet struct {
	contactID int64
	number    string // the E.164 this run sends for the contact
	recordID  string
}

// freedCreates is this run's memory of freed creates: contact → the E.164
// its create carried.
func (r *runner) freedCreates(ctx context.Context) (map[int64]string, error) {
	fs, err := r.e.Store.FreedCreates(context.WithoutCancel(ctx), r.target, r.runID)
	if err != nil {
		return nil, fmt.Errorf("read freed creates: %w", err)
	}
	out := make(map[int64]string, len(fs))
	for _, f := range fs {
		out[f.ContactID] = f.Number
	}
	return out, nil
}

// ownLanded is the one place that decides whether a record met is a
// freed create of this run that landed after all: freed (freedCreates)
// holds a create of that contact carrying the same E.164, and the CRM's
// search shows the record holding exactly that E.164 and nothing else, as
// a create leaves it (the rule sentRecord applies to doubts). A record
// holding the number in another spelling, or other phones too, existed
// before: it is not the create. It returns per meet whether the record is
// the run's; when the CRM cannot be searched, none is (the contact stays
// as it looked, which never creates twice).
func (r *runner) ownLanded(ctx context.Context, freed map[int64]string, meets []freedMeet) ([]bool, error) {
	own := make([]bool, len(meets))
	var at []int
	var numbers []string
	for i, m := range meets {
		if n, ok := freed[m.contactID]; ok && n == m.number && m.recordID != "" {
			at = append(at, i)
			numbers = append(numbers, n)
		}
	}
	if len(at) == 0 {
		return own, nil
	}
	found, err := r.findNumbers(ctx, numbers)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.e.note(r.runID, fmt.Sprintf("%d records holding numbers whose creates this run sent could not be checked (%s); they are recorded as existing.",
			len(at), cleanText(err.Error(), maxOutsideText)))
		return own, nil
	}
	for k, i := range at {
		m := meets[i]
		own[i] = slices.ContainsFunc(found[k], func(rec crm.Record) bool { return rec.ID == m.recordID && holdsOnly(rec, m.number) })
	}
	return own, nil
}

// adoptLanded settles, before a resumed run executes its plan, the rows
// that exist because a create of this run landed after its claim was
// freed: each is claimed for this run as any create is (a number another
// run created or holds meanwhile keeps its row as planned) and recorded as
// the run's Created outcome with the record's id. It returns the rows
// left to execute.
func (r *runner) adoptLanded(ctx context.Context, rows []PlanRow) ([]PlanRow, error) {
	freed, err := r.freedCreates(ctx)
	if err != nil || len(freed) == 0 {
		return rows, err
	}
	var meets []freedMeet
	var items []*createItem
	for i := range rows {
		row := &rows[i]
		if _, ok := freed[row.Contact.ID]; ok && row.Status == StatusExists {
			meets = append(meets, freedMeet{contactID: row.Contact.ID, number: row.Number.E164, recordID: row.RecordID})
			items = append(items, &createItem{row: row, attempts: 1})
		}
	}
	own, err := r.ownLanded(ctx, freed, meets)
	if err != nil {
		return nil, err
	}
	var claims []store.Claim
	var mine []int
	for k, ok := range own {
		if ok {
			claims = append(claims, r.claimOf(items[k]))
			mine = append(mine, k)
		}
	}
	if len(claims) == 0 {
		return rows, nil
	}
	results, err := r.e.Store.ClaimCreates(context.WithoutCancel(ctx), r.target, claims)
	if err != nil {
		return nil, fmt.Errorf("claim numbers of landed creates: %w", err)
	}
	adopted := map[int64]bool{}
	var ids []string
	for j, res := range results {
		if res.Verdict != store.ClaimGranted {
			continue
		}
		k := mine[j]
		r.rec.add(r.itemOutcome(items[k], store.OutcomeCreated, meets[k].recordID))
		adopted[meets[k].contactID] = true
		ids = append(ids, meets[k].recordID)
	}
	r.noteLanded(ids)
	return slices.DeleteFunc(rows, func(row PlanRow) bool { return adopted[row.Contact.ID] }), nil
}

// noteLanded tells the run's history which records were its own creates,
// found after their claims were freed.
func (r *runner) noteLanded(ids []string) {
	if len(ids) == 0 {
		return
	}
	r.e.note(r.runID, fmt.Sprintf("%d creates of this run that the CRM's search did not show when they were checked landed later; "+
		"recorded as created by this run: %s.", len(ids), cleanText(strings.Join(ids, ", "), maxOutsideText)))
}
