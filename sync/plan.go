package sync

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"coexsync/crm"
	"coexsync/store"
	"coexsync/sync/normalize"
	"coexsync/sync/phoneindex"
)

// ledgerChunk bounds how many numbers one ledger query carries (SQLite
// caps bound parameters).
const ledgerChunk = 500

// Plan builds the preview of syncing the stored contacts of numberID,
// with region as the hint for numbers written without a country code.
// Contacts are read straight into the plan's rows: a list of them held
// beside the rows would double the plan's peak memory.
func (e *Engine) Plan(ctx context.Context, numberID, region string) (*Plan, error) {
	rows, err := e.storedRows(ctx, numberID)
	if err != nil {
		return nil, err
	}
	return e.planRows(ctx, numberID, region, rows)
}

// storedRows is one plan row per stored contact of numberID, read from
// the store straight into rows sized once.
func (e *Engine) storedRows(ctx context.Context, numberID string) ([]PlanRow, error) {
	var rows []PlanRow
	err := e.Store.EachContact(ctx, numberID, func(n int) { rows = make([]PlanRow, 0, n) },
		func(c store.Contact) { rows = append(rows, PlanRow{Contact: rowContact(c)}) })
	if err != nil {
		return nil, fmt.Errorf("plan: load contacts: %w", err)
	}
	return rows, nil
}

// PlanContacts builds the plan for the given contacts: normalize, fold
// duplicates, then match against the CRM and the local ledger.
func (e *Engine) PlanContacts(ctx context.Context, numberID, region string, contacts []store.Contact) (*Plan, error) {
	return e.planRows(ctx, numberID, region, contactRows(contacts))
}

// planRows plans rows that hold only their contacts.
func (e *Engine) planRows(ctx context.Context, numberID, region string, rows []PlanRow) (*Plan, error) {
	region, primaries := e.prepareRows(ctx, numberID, region, rows)
	p := &Plan{
		NumberID: numberID, Region: region, CRM: e.CRM.Name(), Target: e.CRM.Target(),
		Rows: rows, Counts: map[RowStatus]int{}, BuiltAt: time.Now(),
		Lookup: e.chooseLookup(), CRMRegion: e.crmRegion(region),
	}
	match := func(ctx context.Context, rows []PlanRow, primaries []int) error {
		return e.matchPrimaries(ctx, rows, primaries, p.CRMRegion)
	}
	if p.Lookup == LookupIndex {
		match = func(ctx context.Context, rows []PlanRow, primaries []int) error {
			return e.matchByIndex(ctx, p, rows, primaries)
		}
	}
	if err := match(ctx, rows, primaries); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	if err := e.markPending(ctx, rows); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	for _, r := range rows {
		p.Counts[r.Status]++
	}
	return p, nil
}

// prepareRows normalizes rows in the region the plan reads numbers in
// (returned) and folds duplicates; it returns the rows that sync.
func (e *Engine) prepareRows(ctx context.Context, numberID, region string, rows []PlanRow) (string, []int) {
	region = e.regionFor(ctx, numberID, region)
	normalizeRows(rows, region)
	return region, foldDuplicates(rows)
}

// contactRows is one plan row per contact.
func contactRows(contacts []store.Contact) []PlanRow {
	rows := make([]PlanRow, len(contacts))
	for i, c := range contacts {
		rows[i].Contact = rowContact(c)
	}
	return rows
}

// normalizeRows normalizes every phone on all cores, in place; a contact
// without a phone is invalid with its own reason.
func normalizeRows(rows []PlanRow, region string) {
	var at []int
	for i := range rows {
		if rows[i].Contact.Phone == "" {
			n := normalize.NoPhone(rows[i].Contact.Key)
			rows[i].Status, rows[i].InvalidReason, rows[i].InvalidText = StatusInvalid, string(n.Reason), n.Message
			continue
		}
		at = append(at, i)
	}
	normalize.Each(len(at), region, func(j int) string { return rows[at[j]].Contact.Phone },
		func(j int, res normalize.Result) {
			row := &rows[at[j]]
			row.Number = rowNumber(res)
			if !res.Valid {
				row.Status, row.InvalidReason, row.InvalidText = StatusInvalid, string(res.Reason), res.Message
			}
		})
}

// foldDuplicates marks every valid row whose E.164 an earlier contact (by
// id) already has as its duplicate, and returns the indexes of the rows
// that sync.
func foldDuplicates(rows []PlanRow) []int {
	order := make([]int, 0, len(rows))
	for i := range rows {
		if rows[i].Status != StatusInvalid {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rows[a].Contact.ID, rows[b].Contact.ID) })
	// Contacts whose candidate sets meet are one line (AR 549…/54…).
	cands := make([][]string, len(order))
	for k, i := range order {
		cands[k] = rows[i].Number.Keys()
	}
	group := phoneindex.Fold(cands)
	primaries := make([]int, 0, len(order))
	for k, i := range order {
		if g := group[k]; g != k {
			j := order[g]
			rows[i].Status = StatusDuplicate
			rows[i].DuplicateOf = rows[j].Contact.ID
			continue
		}
		primaries = append(primaries, i)
	}
	return primaries
}

// matchPrimaries decides create / exists / ambiguous for each primary row
// from the CRM's search and the ledger of records coexsync created (which
// search may not show yet).
func (e *Engine) matchPrimaries(ctx context.Context, rows []PlanRow, primaries []int, crmRegion string) error {
	subs := subjects(rows, primaries)
	all := uniqueStrings(candidatesOf(subs))
	ledger, err := e.createdRecords(ctx, all)
	if err != nil {
		return err
	}
	recs, err := e.findRecords(ctx, all, e.searchConcurrency())
	if err != nil {
		return fmt.Errorf("search the CRM: %w", err)
	}
	matched := matchRecords(subs, recs, crmRegion)
	for k, i := range primaries {
		decide(&rows[i], matched[k], ledgerID(ledger, subs[k].candidates))
	}
	return nil
}

// decide sets the status of one primary row from its matching records and
// the id the ledger holds for it ("" if none).
func decide(row *PlanRow, recs []crm.Record, ledgerID string) {
	fromLedger := false
	if ledgerID != "" && !slices.ContainsFunc(recs, func(r crm.Record) bool { return r.ID == ledgerID }) {
		// Created by coexsync, not searchable yet; it got the WhatsApp
		// name at creation, so there is nothing to fill.
		recs = append(recs, crm.Record{ID: ledgerID})
		fromLedger = true
	}
	switch len(recs) {
	case 0:
		row.Status = StatusCreate
	case 1:
		row.Status = StatusExists
		row.RecordID = recs[0].ID
		if name := recordName(recs[0]); name != "" {
			row.Match = &RowMatch{RecordName: name}
		}
		row.FillName = !fromLedger && !recs[0].HasName() && contactName(row.Contact) != ""
	default:
		row.Status = StatusAmbiguous
		row.Match = &RowMatch{Records: recs, Text: ambiguousText(recs)}
	}
}

func ledgerID(ledger map[string]string, candidates []string) string {
	for _, c := range candidates {
		if id := ledger[c]; id != "" {
			return id
		}
	}
	return ""
}

// createdRecords asks the ledger, in chunks, which numbers coexsync
// created in this CRM account.
func (e *Engine) createdRecords(ctx context.Context, numbers []string) (map[string]string, error) {
	out := map[string]string{}
	target := e.CRM.Target()
	for lo := 0; lo < len(numbers); lo += ledgerChunk {
		got, err := e.Store.CreatedRecords(ctx, target, numbers[lo:min(lo+ledgerChunk, len(numbers))])
		if err != nil {
			return nil, fmt.Errorf("read the ledger: %w", err)
		}
		for k, v := range got {
			out[k] = v
		}
	}
	return out, nil
}

// searchConcurrency bounds searches in flight: the clients pace calls to
// the vendor's limits, this only keeps enough requests queued.
func (e *Engine) searchConcurrency() int {
	if e.Concurrency > 0 {
		return e.Concurrency
	}
	return 4
}

// createConcurrency bounds creates in flight. Single-create CRMs need more
// calls in flight to keep their rate limit busy.
func (e *Engine) createConcurrency() int {
	if e.Concurrency > 0 {
		return e.Concurrency
	}
	if e.CRM.Limits().CreateBatch <= 1 {
		return 8
	}
	return 4
}

// markPending notes, on rows to create, a claim another run left pending
// for the number: the preview says so, and the send-time claim confirms
// that create before sending anything.
func (e *Engine) markPending(ctx context.Context, rows []PlanRow) error {
	pending, err := e.Store.PendingIntents(ctx, e.CRM.Target())
	if err != nil || len(pending) == 0 {
		return err
	}
	byKey := make(map[string]int64, len(pending))
	for _, in := range pending {
		byKey[in.E164] = in.RunID
	}
	for i := range rows {
		r := &rows[i]
		if r.Status != StatusCreate {
			continue
		}
		for _, k := range r.Number.Keys() {
			if run, ok := byKey[k]; ok {
				r.PendingRun = run
				break
			}
		}
	}
	return nil
}
