package sync

import (
	"context"
	"fmt"
	"slices"
	"time"

	"coexsync/crm"
	"coexsync/store"
	"coexsync/sync/phoneindex"
)

// Lookup says how a plan finds the CRM records that hold a number.
type Lookup string

const (
	// LookupAuto uses the index whenever the CRM can be listed, however
	// large: search misses numbers stored in other spellings, and a
	// contact whose record it misses is created next to that record.
	LookupAuto Lookup = ""
	// LookupIndex matches against a local index of every phone value the
	// CRM holds, read with the record's country or the account's region.
	LookupIndex Lookup = "index"
	// LookupSearch asks the vendor's phone search (exact text): it cannot
	// see numbers stored in formats it does not index. Only when asked for.
	LookupSearch Lookup = "search"
)

const (
	// watermarkSkew is how far the refresh watermark stays behind this
	// machine's clock, so a change made while listing, or a vendor clock
	// behind ours, is read again rather than missed.
	watermarkSkew = 5 * time.Minute
)

// IndexProgress reports an index build or refresh.
type IndexProgress struct {
	Phase   string // "listing every record" or "reading changes"
	Read    int    // records read so far
	Total   int    // records to read (0: unknown)
	Elapsed time.Duration
}

// counter is a CRM that can tell how many records it holds.
type counter interface {
	Count(ctx context.Context) (int, error)
}

// crmRegion is the region national CRM values without a record country
// are read in: the account's setting, else the plan's region (which is the
// business number's country unless the agent chose one).
func (e *Engine) crmRegion(planRegion string) string {
	if e.CRMRegion != "" {
		return e.CRMRegion
	}
	return planRegion
}

// chooseLookup resolves LookupAuto: the index whenever the CRM can be
// listed. A first build of a large account takes a while (HubSpot lists
// 1M records in about 17 minutes at its lowest tier), later plans read
// only the changes; search would be faster and create a record next to
// each one it cannot see.
func (e *Engine) chooseLookup() Lookup {
	if _, ok := e.CRM.(crm.Lister); !ok {
		return LookupSearch
	}
	if e.Lookup != LookupAuto {
		return e.Lookup
	}
	return LookupIndex
}

// RefreshIndex brings the local index of the CRM account up to date: a
// full listing the first time (or when rebuild is set, or the region it
// was read with changed), then only the records changed since.
func (e *Engine) RefreshIndex(ctx context.Context, region string, rebuild bool) (store.IndexState, error) {
	lister, ok := e.CRM.(crm.Lister)
	if !ok {
		return store.IndexState{}, fmt.Errorf("%s cannot be listed: matching uses search", e.CRM.Name())
	}
	target := e.CRM.Target()
	st, err := e.Store.IndexState(ctx, target)
	if err != nil {
		return st, err
	}
	start := time.Now()
	full := rebuild || !st.Complete || st.DefaultRegion != region
	st = store.IndexState{Target: target, DefaultRegion: region, BuiltAt: st.BuiltAt, Watermark: st.Watermark}
	page := func(cursor string) (crm.Page, error) { return lister.ChangedPage(ctx, st.Watermark, cursor) }
	phase := "reading changes"
	if full {
		// The index stays as it is while it is listed again: another
		// process may be planning against it (SweepIndex).
		if err := e.Store.SetIndexState(ctx, st); err != nil { // incomplete until the end
			return st, err
		}
		page = func(cursor string) (crm.Page, error) { return lister.ListPage(ctx, cursor) }
		phase = "listing every record"
	}
	total := 0
	if c, ok := e.CRM.(counter); ok && full {
		total, _ = c.Count(ctx)
	}
	report := func(read, total int) {
		if e.IndexProgress != nil {
			e.IndexProgress(IndexProgress{Phase: phase, Read: read, Total: total, Elapsed: time.Since(start)})
		}
	}
	if err := e.readPages(ctx, page, total, report, func(recs []crm.IndexedRecord) error {
		return e.writeIndex(ctx, target, region, recs)
	}); err != nil {
		return st, err
	}
	st.Complete, st.Watermark = true, start.Add(-watermarkSkew)
	if full {
		if err := e.Store.SweepIndex(ctx, target, start); err != nil {
			return st, err
		}
		st.BuiltAt = time.Now()
	}
	if err := e.Store.SetIndexState(ctx, st); err != nil {
		return st, err
	}
	return e.Store.IndexState(ctx, target)
}

const (
	// pagesAhead is how many pages the reader may list ahead of the
	// writer: the vendor's budget, not SQLite, should set the pace.
	pagesAhead = 8
	// writeBatch and writeEvery group pages into one transaction: a commit
	// per page of 100 costs more than the page's rows.
	writeBatch = 1000
	writeEvery = 250 * time.Millisecond
)

// readPages lists every page on its own goroutine while write stores what
// was read, several pages a transaction, so listing never waits on SQLite.
func (e *Engine) readPages(ctx context.Context, page func(cursor string) (crm.Page, error), total int,
	report func(read, total int), write func([]crm.IndexedRecord) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan crm.Page, pagesAhead)
	var listErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(pages)
		for cursor := ""; ; {
			p, err := page(cursor)
			if err != nil {
				listErr = fmt.Errorf("read the CRM's records: %w", err)
				return
			}
			select {
			case pages <- p:
			case <-ctx.Done():
				return
			}
			if p.Next == "" {
				return
			}
			cursor = p.Next
		}
	}()
	var batch []crm.IndexedRecord
	last := time.Now()
	read := 0
	var werr error
	for p := range pages {
		if werr != nil {
			continue // drain so the reader can stop
		}
		batch = append(batch, p.Records...)
		read += len(p.Records)
		total = max(total, p.Total, read)
		if len(batch) >= writeBatch || time.Since(last) >= writeEvery {
			if werr = write(batch); werr != nil {
				cancel()
			}
			batch, last = nil, time.Now()
		}
		report(read, total)
	}
	<-done
	if werr == nil && len(batch) > 0 {
		werr = write(batch)
	}
	if werr != nil {
		return werr
	}
	return listErr
}

// writeIndex stores records read from the CRM: live ones are upserted,
// archived ones leave the index.
func (e *Engine) writeIndex(ctx context.Context, target, region string, recs []crm.IndexedRecord) error {
	var live []crm.IndexedRecord
	var gone []string
	for _, r := range recs {
		if r.Archived {
			gone = append(gone, r.ID)
		} else {
			live = append(live, r)
		}
	}
	if err := e.Store.UpsertIndexPage(ctx, target, region, live); err != nil {
		return err
	}
	return e.Store.DeleteIndexRecords(ctx, target, gone)
}

// matchByIndex decides the primaries from the local index: refresh it,
// look the contacts' keys up, confirm every matched record still exists
// (read by id: an index can hold records deleted since), then decide.
func (e *Engine) matchByIndex(ctx context.Context, p *Plan, rows []PlanRow, primaries []int) error {
	subs := subjects(rows, primaries)
	m, err := e.lookUpIndex(ctx, p.CRMRegion, candidatesOf(subs))
	if err != nil {
		return err
	}
	p.Index = m.state
	var ids []string
	for _, s := range subs {
		ids = append(ids, m.recordIDs(s.candidates)...)
	}
	confirm := e.confirmRecords
	if m.listedNow {
		confirm = e.indexedRecords
	}
	live, err := confirm(ctx, uniqueStrings(ids))
	if err != nil {
		return err
	}
	for k, i := range primaries {
		decideFromIndex(&rows[i], subs[k].candidates, m.found, m.ledger, live)
	}
	return nil
}

// indexLookup is what the index and the ledger hold for a set of numbers,
// before the records matched are confirmed.
type indexLookup struct {
	state store.IndexState
	// listedNow: the index was listed in full just now, so what it holds
	// is what the CRM holds, deletions included: reading each match by id
	// again would only spend the budget.
	listedNow bool
	found     map[string][]phoneindex.Hit
	ledger    map[string]string
}

// lookUpIndex refreshes the index, then looks keys up in it and in the
// ledger.
func (e *Engine) lookUpIndex(ctx context.Context, crmRegion string, keys []string) (indexLookup, error) {
	started := time.Now()
	st, err := e.RefreshIndex(ctx, crmRegion, false)
	if err != nil {
		return indexLookup{}, err
	}
	found, err := e.Store.LookupIndex(ctx, e.CRM.Target(), keys)
	if err != nil {
		return indexLookup{}, err
	}
	ledger, err := e.createdRecords(ctx, uniqueStrings(keys))
	if err != nil {
		return indexLookup{}, err
	}
	return indexLookup{state: st, listedNow: !st.BuiltAt.Before(started), found: found, ledger: ledger}, nil
}

// recordIDs are the records to confirm for a contact with candidates
// cands: those the index files under them and those coexsync created.
func (m indexLookup) recordIDs(cands []string) []string {
	var ids []string
	for _, c := range cands {
		for _, h := range m.found[c] {
			ids = append(ids, h.RecordID)
		}
		if id := m.ledger[c]; id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// indexedRecords reads records from the index instead of the CRM, for an
// index listed just now.
func (e *Engine) indexedRecords(ctx context.Context, ids []string) (map[string]crm.IndexedRecord, error) {
	return e.Store.IndexRecords(ctx, e.CRM.Target(), ids)
}

// confirmBatch is how many records one confirming read asks for.
const confirmBatch = 100

// confirmRecords reads matched records by id and returns those that still
// exist (not archived), by id; the others leave the index.
func (e *Engine) confirmRecords(ctx context.Context, ids []string) (map[string]crm.IndexedRecord, error) {
	live := make(map[string]crm.IndexedRecord, len(ids))
	if len(ids) == 0 {
		return live, nil
	}
	lister := e.CRM.(crm.Lister)
	target := e.CRM.Target()
	for lo := 0; lo < len(ids); lo += confirmBatch {
		part := ids[lo:min(lo+confirmBatch, len(ids))]
		recs, err := lister.ReadByIDs(ctx, part)
		if err != nil {
			return nil, fmt.Errorf("confirm matched CRM records: %w", err)
		}
		for _, r := range recs {
			if !r.Archived {
				live[r.ID] = r
			}
		}
		var gone []string
		for _, id := range part {
			if _, ok := live[id]; !ok {
				gone = append(gone, id)
			}
		}
		if err := e.Store.DeleteIndexRecords(ctx, target, gone); err != nil {
			return nil, err
		}
	}
	return live, nil
}

// decideFromIndex sets a primary row's status from the values filed under
// its candidates, the ledger and the records confirmed to exist.
func decideFromIndex(row *PlanRow, cands []string, found map[string][]phoneindex.Hit, ledger map[string]string, live map[string]crm.IndexedRecord) {
	ix := phoneindex.New(len(cands))
	for _, k := range cands {
		for _, h := range found[k] {
			if _, ok := live[h.RecordID]; ok {
				ix.Put(k, h)
			}
		}
	}
	v := ix.Match(cands)
	fromLedger := ""
	if id := ledgerID(ledger, cands); id != "" && !slices.Contains(v.Records, id) {
		if _, ok := live[id]; ok {
			fromLedger = id
			v.Records = append(v.Records, id)
		}
	}
	switch len(v.Records) {
	case 0:
		row.Status = StatusCreate
	case 1:
		id := v.Records[0]
		rec := live[id]
		row.Status, row.RecordID = StatusExists, id
		m := &RowMatch{RecordName: cleanText(displayName(rec), maxOutsideText)}
		// A record coexsync created got the WhatsApp name at creation.
		row.FillName = fromLedger == "" && !rec.HasName() && contactName(row.Contact) != ""
		if fromLedger == "" {
			m.Property, m.Value = v.Hit.Property, cleanText(v.Hit.Raw, maxOutsideText)
		} else {
			m.Property = "created by coexsync"
		}
		row.Match = m
	default:
		row.Status = StatusAmbiguous
		recs := make([]crm.Record, len(v.Records))
		for i, id := range v.Records {
			recs[i] = crm.Record{ID: id, Name: displayName(live[id])}
		}
		row.Match = &RowMatch{Records: recs, Text: ambiguousIndexText(v, fromLedger)}
	}
}

func displayName(r crm.IndexedRecord) string {
	if r.Name != "" {
		return r.Name
	}
	switch {
	case r.FirstName != "" && r.LastName != "":
		return r.FirstName + " " + r.LastName
	case r.FirstName != "":
		return r.FirstName
	}
	return r.LastName
}

// matchText says which record and which stored value matched, so an agent
// can trust the skip.
func matchText(row *PlanRow) string {
	property, value := row.MatchedBy()
	if property == "" {
		return existsText(row.RecordID)
	}
	id := cleanText(row.RecordID, maxOutsideText)
	if value == "" {
		return fmt.Sprintf("Already in the CRM as record %s (%s).", id, property)
	}
	return fmt.Sprintf("Already in the CRM as record %s: its %s is %q.", id, property, value)
}

func ambiguousIndexText(v phoneindex.Verdict, ledgerID string) string {
	var parts []string
	seen := map[string]bool{}
	for _, h := range v.Hits {
		if !seen[h.RecordID] {
			seen[h.RecordID] = true
			parts = append(parts, fmt.Sprintf("%s (%s %q)", cleanText(h.RecordID, 40), h.Property, cleanText(h.Raw, 60)))
		}
	}
	if ledgerID != "" {
		parts = append(parts, cleanText(ledgerID, 40)+" (created by coexsync)")
	}
	return fmt.Sprintf("%d CRM records hold this number: %s; merge them in the CRM, then sync again.",
		len(parts), joinList(parts))
}

func joinList(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}

// subjects are the primaries' candidate sets (E.164 first) and regions.
func subjects(rows []PlanRow, primaries []int) []subject {
	subs := make([]subject, len(primaries))
	for k, i := range primaries {
		subs[k] = subject{candidates: rows[i].Number.Keys()}
	}
	return subs
}

// candidatesOf is every number the subjects may be held under, in order.
func candidatesOf(subs []subject) []string {
	n := 0
	for _, s := range subs {
		n += len(s.candidates)
	}
	all := make([]string, 0, n)
	for _, s := range subs {
		all = append(all, s.candidates...)
	}
	return all
}
