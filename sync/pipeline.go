package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"

	"coexsync/crm"
	"coexsync/store"
)

// A sync with no preview to confirm (headless, a retry) need not look every
// contact up before it writes. StartSync and StartRetry normalize and fold
// every contact first (local and cheap), do the one-time parts (ledger,
// index refresh), then look the contacts up in batches and hand each one to
// the runner as soon as its own lookups are back: it is skipped, created or
// filled while later batches are still being looked up. Writes go through
// the same claim at send time as a run of a plan; the decisions are the
// plan's (decide, decideFromIndex), made on fewer contacts at a time.

// StartSync syncs the stored contacts of numberID: the plan and the run in
// one pass, writing while the lookups go on. region is as for Plan.
func (e *Engine) StartSync(ctx context.Context, numberID, region string) (*Job, error) {
	rows, err := e.storedRows(ctx, numberID)
	if err != nil {
		return nil, err
	}
	return e.startPipeline(ctx, numberID, region, rows, RunOptions{Mode: store.ModeLive})
}

// StartRetry syncs again the failures of runID that can change (see
// RetryContacts), as PlanRetry then Start would, in one pass. It returns
// the failures left out, and no job when nothing is left to retry.
func (e *Engine) StartRetry(ctx context.Context, runID int64, region string) (*Job, LeftOut, error) {
	run, contacts, left, err := e.RetryContacts(ctx, runID, region)
	if err != nil || len(contacts) == 0 {
		return nil, left, err
	}
	job, err := e.startPipeline(ctx, run.NumberID, region, contactRows(contacts), RunOptions{Mode: store.ModeRetry, ParentRunID: runID})
	return job, left, err
}

// startPipeline prepares the lookups and makes the first of them before
// the run is recorded, so a CRM that refuses the token or cannot be
// reached fails the sync as the plan did: with no run.
func (e *Engine) startPipeline(ctx context.Context, numberID, region string, rows []PlanRow, opts RunOptions) (*Job, error) {
	p, err := e.preparePipeline(ctx, numberID, region, rows)
	if err == nil {
		err = p.prefetch(ctx, e.searchConcurrency())
	}
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	id, owner, err := e.openRun(ctx, numberID, p.region, opts, len(p.rows))
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	job, r := e.newRunner(ctx, id, len(p.rows), store.Run{}, owner)
	go r.finish(job, func(ctx context.Context) error { return r.runPipeline(ctx, p) })
	return job, nil
}

// pipeline is a sync whose contacts are decided while it runs.
type pipeline struct {
	region    string
	rows      []PlanRow
	primaries []int     // rows that sync (neither invalid nor duplicate)
	subs      []subject // per primary: the numbers it may be held under

	// The lookups: keys (numbers to search, or record ids to confirm), in
	// primary order, fetched size at a time. span[k] is the range of
	// batches primary k waits for ({-1, -1}: none, decided at once).
	keys  []string
	size  int
	span  [][2]int
	fetch func(ctx context.Context, keys []string) (found, error)
	// decide sets the status of the primaries ks from the batches they
	// waited for.
	decide func(ks []int, got []found)
	// early holds the first batches, fetched before the run was recorded.
	early []found
}

// found is what one batch of lookups brought back.
type found struct {
	recs []crm.Record                 // search: the records holding one of the numbers
	live map[string]crm.IndexedRecord // index: the records that still exist
}

// preparePipeline normalizes and folds the rows, reads the ledger and,
// for index lookups, refreshes the index and looks every number up in it.
func (e *Engine) preparePipeline(ctx context.Context, numberID, region string, rows []PlanRow) (*pipeline, error) {
	region, primaries := e.prepareRows(ctx, numberID, region, rows)
	p := &pipeline{region: region, rows: rows, primaries: primaries, subs: subjects(rows, primaries)}
	numbers := candidatesOf(p.subs)
	crmRegion := e.crmRegion(region)
	if e.chooseLookup() == LookupIndex {
		return p, p.byIndex(ctx, e, crmRegion, numbers)
	}
	return p, p.bySearch(ctx, e, crmRegion, numbers)
}

// bySearch looks the contacts up with the CRM's phone search, FindBatch
// numbers a call, as matchPrimaries does.
func (p *pipeline) bySearch(ctx context.Context, e *Engine, crmRegion string, numbers []string) error {
	ledger, err := e.createdRecords(ctx, uniqueStrings(numbers))
	if err != nil {
		return err
	}
	per := make([][]string, len(p.subs))
	for k, s := range p.subs {
		per[k] = s.candidates
	}
	p.batch(per, e.CRM.Limits().FindBatch)
	p.fetch = func(ctx context.Context, keys []string) (found, error) {
		recs, err := e.CRM.FindByPhones(ctx, keys)
		if err != nil {
			return found{}, fmt.Errorf("search the CRM: %w", err)
		}
		return found{recs: recs}, nil
	}
	p.decide = func(ks []int, got []found) {
		// Only the records found by these contacts' own searches: the
		// decisions do not depend on how the lookups were timed.
		seen := map[string]bool{}
		var recs []crm.Record
		for _, f := range got {
			for _, r := range f.recs {
				if r.ID != "" && !seen[r.ID] {
					seen[r.ID] = true
					recs = append(recs, r)
				}
			}
		}
		subs := make([]subject, len(ks))
		for j, k := range ks {
			subs[j] = p.subs[k]
		}
		for j, m := range matchRecords(subs, recs, crmRegion) {
			decide(&p.rows[p.primaries[ks[j]]], m, ledgerID(ledger, subs[j].candidates))
		}
	}
	return nil
}

// byIndex refreshes the index and looks every number up in it; the records
// matched are then confirmed by id, confirmBatch a read, as matchByIndex
// does. A contact nothing matched is decided at once.
func (p *pipeline) byIndex(ctx context.Context, e *Engine, crmRegion string, numbers []string) error {
	m, err := e.lookUpIndex(ctx, crmRegion, numbers)
	if err != nil {
		return err
	}
	per := make([][]string, len(p.subs))
	var all []string
	for k, s := range p.subs {
		per[k] = m.recordIDs(s.candidates)
		all = append(all, per[k]...)
	}
	var listed map[string]crm.IndexedRecord
	if m.listedNow {
		if listed, err = e.indexedRecords(ctx, uniqueStrings(all)); err != nil {
			return err
		}
		per = make([][]string, len(p.subs)) // nothing to read from the CRM
	}
	p.batch(per, confirmBatch)
	p.fetch = func(ctx context.Context, ids []string) (found, error) {
		live, err := e.confirmRecords(ctx, ids)
		return found{live: live}, err
	}
	p.decide = func(ks []int, got []found) {
		live := listed
		if live == nil {
			live = map[string]crm.IndexedRecord{}
			for _, f := range got {
				for id, r := range f.live {
					live[id] = r
				}
			}
		}
		for _, k := range ks {
			decideFromIndex(&p.rows[p.primaries[k]], p.subs[k].candidates, m.found, m.ledger, live)
		}
	}
	return nil
}

// batch lays out the keys each primary waits for (per[k]) in batches of
// size, each key once.
func (p *pipeline) batch(per [][]string, size int) {
	p.size = max(size, 1)
	pos := map[string]int{}
	p.span = make([][2]int, len(per))
	for k, keys := range per {
		p.span[k] = [2]int{-1, -1}
		for _, key := range keys {
			if key == "" {
				continue
			}
			at, ok := pos[key]
			if !ok {
				at = len(p.keys)
				pos[key] = at
				p.keys = append(p.keys, key)
			}
			b := at / p.size
			if p.span[k][0] < 0 || b < p.span[k][0] {
				p.span[k][0] = b
			}
			p.span[k][1] = max(p.span[k][1], b)
		}
	}
}

func (p *pipeline) batches() int { return (len(p.keys) + p.size - 1) / p.size }

// prefetch fetches the first batches, as many as go out at once.
func (p *pipeline) prefetch(ctx context.Context, conc int) error {
	n := min(p.batches(), max(conc, 1))
	early := make([]found, n)
	err := forEachBatch(ctx, min(len(p.keys), n*p.size), p.size, conc, func(ctx context.Context, lo, hi int) error {
		f, err := p.fetch(ctx, p.keys[lo:hi])
		early[lo/p.size] = f
		return err
	})
	if err != nil {
		return err
	}
	p.early = early
	return nil
}

// errLookupsStopped ends the lookups of a run whose token was refused.
var errLookupsStopped = errors.New("lookups stopped: the CRM refused the token")

// run fetches the batches not fetched yet, conc at a time, and hands the
// primaries to ready as soon as every batch they wait for is back (ready
// may be called from several goroutines). stop is asked before each
// fetch; an error from it ends the lookups.
func (p *pipeline) run(ctx context.Context, conc int, stop func() error, ready func(ks []int)) error {
	nb := p.batches()
	waiting := make([]int, len(p.span)) // batches primary k still waits for
	users := make([][]int, nb)          // primaries waiting for batch b
	var now []int
	for k, sp := range p.span {
		if sp[0] < 0 {
			now = append(now, k)
			continue
		}
		waiting[k] = sp[1] - sp[0] + 1
		for b := sp[0]; b <= sp[1]; b++ {
			users[b] = append(users[b], k)
		}
	}
	left := make([]int, nb) // primaries still to decide per batch
	for b := range users {
		left[b] = len(users[b])
	}
	got := make([]found, nb)
	var mu gosync.Mutex
	type group struct {
		ks  []int
		got []found
	}
	complete := func(b int, f found) {
		mu.Lock()
		got[b] = f
		bySpan := map[[2]int][]int{}
		for _, k := range users[b] {
			if waiting[k]--; waiting[k] == 0 {
				bySpan[p.span[k]] = append(bySpan[p.span[k]], k)
			}
		}
		groups := make([]group, 0, len(bySpan))
		for sp, ks := range bySpan {
			groups = append(groups, group{ks, append([]found(nil), got[sp[0]:sp[1]+1]...)})
			for b2 := sp[0]; b2 <= sp[1]; b2++ {
				if left[b2] -= len(ks); left[b2] == 0 {
					got[b2] = found{} // every user decided: let it go
				}
			}
		}
		users[b] = nil
		mu.Unlock()
		for _, g := range groups {
			p.decide(g.ks, g.got)
			ready(g.ks)
		}
	}
	if len(now) > 0 {
		p.decide(now, nil)
		ready(now)
	}
	for b, f := range p.early {
		complete(b, f)
	}
	from := len(p.early) * p.size
	if from >= len(p.keys) {
		return nil
	}
	return forEachBatch(ctx, len(p.keys)-from, p.size, conc, func(ctx context.Context, lo, hi int) error {
		if err := stop(); err != nil {
			return err
		}
		f, err := p.fetch(ctx, p.keys[from+lo:from+hi])
		if err != nil {
			return err
		}
		complete((from+lo)/p.size, f)
		return nil
	})
}

// runPipeline records the contacts that need no lookup, then looks the
// others up while a writer skips, creates and fills them as they are
// decided. Creates in doubt and numbers other runs hold are settled once
// every contact is looked up, as after a run's last send round.
//
// It ends as a run of a plan would: cancelled or interrupted with the
// undecided contacts left to a resume; when the CRM refuses the token,
// every contact not decided yet fails with that refusal, as the creates
// still to send do. A lookup failing otherwise fails the run once what
// was decided is synced; the rest keeps no outcome.
func (r *runner) runPipeline(ctx context.Context, p *pipeline) error {
	r.em.try(Phase{Name: "recording contacts that need no create"})
	for i := range p.rows {
		if st := p.rows[i].Status; st == StatusInvalid || st == StatusDuplicate {
			r.rec.add(r.skipOutcome(&p.rows[i]))
		}
	}
	r.em.try(Phase{Name: fmt.Sprintf("looking up %d contacts, creating the new ones as they are found", len(p.primaries))})
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := r.newWriter(wctx, cancel)

	fetch := p.fetch
	p.fetch = func(ctx context.Context, keys []string) (found, error) {
		f, err := fetch(ctx, keys)
		if ce := refusal(err); ce != nil {
			r.setAbort(ce) // no create is sent from now on
		}
		return f, err
	}
	stop := func() error {
		if r.aborted() != nil {
			return errLookupsStopped
		}
		return nil
	}
	q := newReadyQueue()
	var lookErr error
	go func() {
		defer q.close()
		lookErr = p.run(wctx, r.e.searchConcurrency(), stop, q.push)
	}()
	decided := make([]bool, len(p.primaries))
	for ks, ok := q.pop(); ok; ks, ok = q.pop() {
		for _, k := range ks {
			decided[k] = true
			w.add(&p.rows[p.primaries[k]])
		}
	}
	left, err := w.finish()
	switch {
	case ctx.Err() != nil:
		return ctx.Err() // cancelled or lease lost: a resume decides the rest
	case err != nil:
		return err
	case lookErr != nil && r.aborted() != nil:
		ce := r.aborted()
		for k, done := range decided {
			if !done {
				o := outcomeFor(r.runID, &p.rows[p.primaries[k]])
				o.Status, o.Reason, o.ReasonText = store.OutcomeFailed, string(ce.Reason), failureText(ce)
				r.rec.add(o)
			}
		}
		lookErr = nil
	}
	if err := r.settleCreates(wctx, left); err != nil {
		return err
	}
	if lookErr != nil {
		// What was decided is synced; the rest has no outcome, for a new
		// sync or a resume to take up.
		return fmt.Errorf("look up existing records: %w", lookErr)
	}
	return ctx.Err()
}

// refusal is err's CRM refusal of the token, or nil.
func refusal(err error) *crm.Error {
	var ce *crm.Error
	if errors.As(err, &ce) && (ce.Reason == crm.ReasonUnauthorized || ce.Reason == crm.ReasonForbidden) {
		return ce
	}
	return nil
}

// writer sends the decided contacts: creates and name fills in full
// batches (the last ones partial), at most createConcurrency calls at
// once; skips are recorded at once.
type writer struct {
	r      *runner
	ctx    context.Context
	cancel context.CancelFunc
	lim    crm.Limits
	slots  chan struct{}
	wg     gosync.WaitGroup

	creates []*createItem // waiting for a full batch
	fills   []*PlanRow

	mu   gosync.Mutex
	left round // what the sends left: sent again, resolved, waited for
	err  error // the first failed call; it stops everything
}

func (r *runner) newWriter(ctx context.Context, cancel context.CancelFunc) *writer {
	return &writer{r: r, ctx: ctx, cancel: cancel, lim: r.e.CRM.Limits(), slots: make(chan struct{}, r.e.createConcurrency())}
}

// add takes one decided row.
func (w *writer) add(row *PlanRow) {
	switch {
	case row.Status == StatusCreate:
		if w.creates = append(w.creates, &createItem{row: row}); len(w.creates) >= max(w.lim.CreateBatch, 1) {
			w.sendCreates()
		}
	case row.Status == StatusExists && row.FillName:
		if w.fills = append(w.fills, row); len(w.fills) >= max(w.lim.UpdateBatch, 1) {
			w.sendFills()
		}
	default:
		w.r.rec.add(w.r.skipOutcome(row))
	}
}

func (w *writer) sendCreates() {
	items := w.creates
	w.creates = nil
	w.dispatch(func(ctx context.Context) error {
		got, err := w.r.createBatch(ctx, items)
		w.mu.Lock()
		w.left.merge(got)
		w.mu.Unlock()
		return err
	})
}

func (w *writer) sendFills() {
	rows := w.fills
	w.fills = nil
	w.dispatch(func(ctx context.Context) error { return w.r.fillNames(ctx, rows) })
}

// dispatch runs fn once a slot is free; once the writer stopped, nothing
// new starts (what it would have sent gets no outcome, as in forEachBatch).
func (w *writer) dispatch(fn func(ctx context.Context) error) {
	select {
	case w.slots <- struct{}{}:
	case <-w.ctx.Done():
		return
	}
	if w.ctx.Err() != nil {
		<-w.slots
		return
	}
	w.wg.Go(func() {
		defer func() { <-w.slots }()
		if err := fn(w.ctx); err != nil {
			w.mu.Lock()
			if w.err == nil {
				w.err = err
				w.cancel()
			}
			w.mu.Unlock()
		}
	})
}

// finish sends the last partial batches, waits for every call and returns
// what the sends left to settle.
func (w *writer) finish() (round, error) {
	if len(w.creates) > 0 {
		w.sendCreates()
	}
	if len(w.fills) > 0 {
		w.sendFills()
	}
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && w.ctx.Err() != nil {
		return w.left, w.ctx.Err()
	}
	return w.left, w.err
}

// readyQueue carries decided primaries from the lookups to the writer
// without ever blocking the lookups: a writer waiting on the CRM must not
// hold back searches that have their own budget.
type readyQueue struct {
	mu     gosync.Mutex
	items  [][]int
	closed bool
	wake   chan struct{}
}

func newReadyQueue() *readyQueue { return &readyQueue{wake: make(chan struct{}, 1)} }

func (q *readyQueue) push(ks []int) {
	q.mu.Lock()
	q.items = append(q.items, ks)
	q.mu.Unlock()
	q.signal()
}

func (q *readyQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *readyQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop returns everything pushed since the last pop, waiting for it; false
// once the queue is closed and empty.
func (q *readyQueue) pop() ([]int, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			var ks []int
			for _, it := range q.items {
				ks = append(ks, it...)
			}
			q.items = nil
			q.mu.Unlock()
			return ks, true
		}
		if q.closed {
			q.mu.Unlock()
			return nil, false
		}
		q.mu.Unlock()
		<-q.wake
	}
}
