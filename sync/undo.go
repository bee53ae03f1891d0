package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

// Undo archives in the CRM the records one run created, after an agent
// synced into the wrong account: only records the run's own outcomes say
// coexsync created (status created, with a record id), and only those
// nobody modified since. Everything else is kept, each with its reason.
//
// An undo is a run of its own (store.ModeUndo, ParentRunID the run
// undone) under the same write lease as a sync of the number, so it never
// runs beside one. Its outcomes reuse the sync statuses (see
// store.ModeUndo): created with reason "archived" is a record archived,
// skipped is a record kept (reason: one of the KeepReason codes), failed
// an archive that failed, pending a record not archived yet. Every record
// to archive is stored as pending before anything is sent, so an undo
// that is killed or cancelled is continued by planning the same undo
// again (PlanUndo then names the unfinished undo run in UndoRunID) or by
// ResumeUndo; records it already settled are not sent again.

// Archiver is what an undo needs of the CRM client besides crm.Client;
// the HubSpot and Intercom clients implement it.
type Archiver interface {
	// ReadByIDs reads records by id: missing ones are deleted (or, on
	// Intercom, archived); archived ones may come back with Archived set.
	ReadByIDs(ctx context.Context, ids []string) ([]crm.IndexedRecord, error)
	// Archive archives records by id, one result per id in input order.
	Archive(ctx context.Context, ids []string) ([]crm.ItemResult, error)
}

// UndoStore is what an undo needs of the store besides Store; *store.DB
// implements it.
type UndoStore interface {
	RecordUndoOutcomes(ctx context.Context, target string, outs []store.UndoOutcome) error
	UndoRuns(ctx context.Context, parentRunID int64) ([]store.Run, error)
}

// KeepReason says why an undo leaves a record alone; it is also the reason
// code of the record's skipped outcome in the undo run.
type KeepReason string

const (
	// KeepModified: modified in the CRM after coexsync created it (or the
	// CRM does not say when it was last modified).
	KeepModified KeepReason = "modified"
	// KeepGone: already archived or deleted in the CRM.
	KeepGone KeepReason = "gone"
	// KeepNotCreated: the run matched this record, it did not create it.
	KeepNotCreated KeepReason = "not_created"
	// KeepUnconfirmed: the run never confirmed the create (resume that run
	// to settle it, then undo again).
	KeepUnconfirmed KeepReason = "unconfirmed"
	// KeepUndone: an earlier undo of the same run archived it already.
	KeepUndone KeepReason = "undone"
)

// Reason codes of an undo run's other outcomes.
const (
	reasonArchived       = "archived"
	reasonArchivePending = "archive_pending"
)

// UndoItem is one record of an undo plan.
type UndoItem struct {
	ContactID int64
	Name      string // WhatsApp display name
	Raw       string // the number as the Business App gave it
	E164      string
	RecordID  string // the CRM record ("" for an unconfirmed create)
	// CreatedAt is when the undone run recorded the create; ModifiedAt the
	// CRM's last-modified time when the plan read it (zero: not read, or
	// the record is gone).
	CreatedAt  time.Time
	ModifiedAt time.Time
	Keep       KeepReason // "": the record is archived
	Reason     string     // a sentence for the agent
	// Earlier: the undo run being continued had already listed it to
	// archive, so an earlier process may have archived it. Found gone, it
	// is recorded archived without another call.
	Earlier bool
}

// UndoPlan is the preview of an undo: exactly what StartUndo will do,
// unless a record is modified or removed in the CRM meanwhile (each is
// read again right before it is archived).
type UndoPlan struct {
	RunID int64 // the run undone
	// UndoRunID, when set, is an unfinished undo of RunID that StartUndo
	// continues instead of starting a new run; Done counts the records it
	// already settled (they are in neither list).
	UndoRunID int64
	Done      int
	NumberID  string
	CRM       string
	Target    string
	// Tolerance is how much later than the create a record may have been
	// modified and still count as untouched (see undoTolerance).
	Tolerance  time.Duration
	Archive    []UndoItem
	Kept       []UndoItem
	KeptCounts map[KeepReason]int
	BuiltAt    time.Time
}

// Confirmation is what the agent types to confirm the plan ("undo 179").
func (p *UndoPlan) Confirmation() string { return fmt.Sprintf("undo %d", len(p.Archive)) }

// ArchiveIDs are the ids of the records to archive, in plan order.
func (p *UndoPlan) ArchiveIDs() []string {
	ids := make([]string, len(p.Archive))
	for i, it := range p.Archive {
		ids[i] = it.RecordID
	}
	return ids
}

// ErrNothingToUndo refuses to start an undo that would archive nothing.
var ErrNothingToUndo = errors.New("nothing to undo: no record the run created is left to archive")

// undoTolerance is how much later than the create outcome a record's
// last-modified time may be while the record still counts as untouched.
// It covers the create itself (the outcome is stamped when the answer
// arrives, after the vendor stamped the record), this host's clock and
// the vendor's disagreeing a little, Intercom's whole-second updated_at,
// and on HubSpot the updates HubSpot makes on its own right after a create
// (calculated phone properties, lifecycle stage and other defaults move
// lastmodifieddate seconds later, more under load). An edit by a person
// or a workflow within the window cannot be told apart from those: a
// trade-off, stated in the plan.
func undoTolerance(vendor string) time.Duration {
	if vendor == "hubspot" {
		return time.Minute
	}
	return 10 * time.Second
}

// undoPorts returns the store and CRM views an undo needs, or why this
// engine cannot undo.
func (e *Engine) undoPorts() (UndoStore, Archiver, error) {
	us, ok := e.Store.(UndoStore)
	if !ok {
		return nil, nil, errors.New("undo: the store cannot record an undo")
	}
	arch, ok := e.CRM.(Archiver)
	if !ok {
		return nil, nil, fmt.Errorf("undo: the %s client cannot archive records", e.CRM.Name())
	}
	return us, arch, nil
}

// PlanUndo previews the undo of run runID: the records it created that are
// still live and untouched (to archive), and every other record it
// touched with the reason it is kept. When an earlier undo of the run did
// not finish, the plan continues that one (UndoRunID).
func (e *Engine) PlanUndo(ctx context.Context, runID int64) (*UndoPlan, error) {
	us, arch, err := e.undoPorts()
	if err != nil {
		return nil, err
	}
	run, err := e.Store.Run(ctx, runID)
	if err != nil {
		return nil, fmt.Errorf("undo run %d: %w", runID, err)
	}
	switch {
	case run.Mode == store.ModeUndo:
		return nil, fmt.Errorf("undo run %d: it is itself an undo; restore archived records in the CRM instead", runID)
	case run.Mode == store.ModeDryRun:
		return nil, fmt.Errorf("undo run %d: a dry run created nothing", runID)
	case run.Target != e.CRM.Target():
		return nil, fmt.Errorf("undo run %d: it synced into %s, not this %s account", runID, run.CRM, e.CRM.Name())
	case run.Status == store.RunRunning:
		return nil, fmt.Errorf("undo run %d: it is still running; let it finish or cancel it first "+
			"(if its process died, resume it and cancel it)", runID)
	}
	outs, _, err := e.Store.Outcomes(ctx, store.OutcomeFilter{RunID: runID})
	if err != nil {
		return nil, fmt.Errorf("undo run %d: read its outcomes: %w", runID, err)
	}
	p := &UndoPlan{
		RunID: runID, NumberID: run.NumberID, CRM: e.CRM.Name(), Target: run.Target,
		Tolerance: undoTolerance(e.CRM.Name()), KeptCounts: map[KeepReason]int{}, BuiltAt: time.Now(),
	}
	prior, err := e.earlierUndos(ctx, us, runID)
	if err != nil {
		return nil, err
	}
	p.UndoRunID = prior.resume
	var check []UndoItem
	for _, o := range outs {
		if prior.settled[o.ContactID] {
			p.Done++
			continue
		}
		it := UndoItem{ContactID: o.ContactID, Name: o.Name, Raw: o.Raw, E164: o.E164, RecordID: o.CRMID}
		switch {
		case o.Status == store.OutcomeCreated && o.CRMID != "":
			if by := prior.archived[archivedKey{o.ContactID, o.CRMID}]; by != 0 {
				p.keep(it, KeepUndone, fmt.Sprintf("Archived by undo run #%d already.", by))
				continue
			}
			it.CreatedAt, it.Earlier = o.UpdatedAt, prior.pending[o.ContactID]
			check = append(check, it)
		case o.Status == store.OutcomePending:
			p.keep(it, KeepUnconfirmed, fmt.Sprintf("Run #%d never confirmed this create; resume that run to settle it, then undo again.", runID))
		case o.CRMID != "":
			text := fmt.Sprintf("Run #%d did not create this record; it is not undone.", runID)
			if o.ReasonText != "" {
				text = fmt.Sprintf("Not created by run #%d (%s); it is not undone.", runID, o.ReasonText)
			}
			p.keep(it, KeepNotCreated, text)
		}
	}
	if len(check) == 0 {
		return p, nil
	}
	recs, err := arch.ReadByIDs(ctx, recordIDs(check))
	if err != nil {
		return nil, fmt.Errorf("undo run %d: read the records it created: %w", runID, err)
	}
	live := indexByID(recs)
	for _, it := range check {
		rec, found := live[it.RecordID]
		switch keep, text := judge(it, rec, found, p.Tolerance); {
		case keep != "":
			p.keep(it, keep, text)
		default:
			it.ModifiedAt, it.Reason = rec.UpdatedAt, text
			p.Archive = append(p.Archive, it)
		}
	}
	return p, nil
}

func (p *UndoPlan) keep(it UndoItem, why KeepReason, text string) {
	it.Keep, it.Reason = why, text
	p.Kept = append(p.Kept, it)
	p.KeptCounts[why]++
}

// judge decides one created record from how the CRM holds it now: keep
// (with the reason) or archive ("" and a sentence for the preview).
func judge(it UndoItem, rec crm.IndexedRecord, found bool, tol time.Duration) (KeepReason, string) {
	switch {
	case (!found || rec.Archived) && it.Earlier:
		return "", "An earlier process of this undo archived it; recorded without another call."
	case !found || rec.Archived:
		return KeepGone, "Already archived or deleted in the CRM; nothing to archive."
	case rec.UpdatedAt.IsZero():
		return KeepModified, "The CRM does not say when the record was last modified; kept to be safe."
	case rec.UpdatedAt.After(it.CreatedAt.Add(tol)):
		return KeepModified, fmt.Sprintf("Modified in the CRM at %s, after coexsync created it at %s; kept.",
			rec.UpdatedAt.UTC().Format(time.RFC3339), it.CreatedAt.UTC().Format(time.RFC3339))
	}
	return "", "Created by coexsync and untouched since."
}

// archivedKey is a record archived for a contact.
type archivedKey struct {
	contactID int64
	recordID  string
}

// priorUndos is what earlier undo runs of one run did.
type priorUndos struct {
	archived map[archivedKey]int64 // record → the undo run that archived it
	resume   int64                 // the unfinished undo run to continue (0: none)
	settled  map[int64]bool        // contacts that run settled
	pending  map[int64]bool        // contacts that run still has to archive
}

// earlierUndos reads the undo runs of runID. The newest one that did not
// finish (killed, interrupted, cancelled) or still holds pending records
// is the one to continue.
func (e *Engine) earlierUndos(ctx context.Context, us UndoStore, runID int64) (priorUndos, error) {
	pr := priorUndos{archived: map[archivedKey]int64{}, settled: map[int64]bool{}, pending: map[int64]bool{}}
	undos, err := us.UndoRuns(ctx, runID)
	if err != nil {
		return pr, fmt.Errorf("undo run %d: read its earlier undos: %w", runID, err)
	}
	for _, u := range undos { // newest first
		outs, _, err := e.Store.Outcomes(ctx, store.OutcomeFilter{RunID: u.ID})
		if err != nil {
			return pr, fmt.Errorf("undo run %d: read undo run %d: %w", runID, u.ID, err)
		}
		open := u.Status != store.RunFinished && u.Status != store.RunFailed || u.Pending > 0
		resume := pr.resume == 0 && open
		if resume {
			pr.resume = u.ID
		}
		for _, o := range outs {
			if o.Status == store.OutcomeCreated && o.CRMID != "" {
				if _, seen := pr.archived[archivedKey{o.ContactID, o.CRMID}]; !seen {
					pr.archived[archivedKey{o.ContactID, o.CRMID}] = u.ID
				}
			}
			if resume {
				if o.Status == store.OutcomePending {
					pr.pending[o.ContactID] = true
				} else {
					pr.settled[o.ContactID] = true
				}
			}
		}
	}
	return pr, nil
}

func recordIDs(items []UndoItem) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.RecordID
	}
	return ids
}

func indexByID(recs []crm.IndexedRecord) map[string]crm.IndexedRecord {
	m := make(map[string]crm.IndexedRecord, len(recs))
	for _, r := range recs {
		m[r.ID] = r
	}
	return m
}

// StartUndo executes p under the number's write lease: a new undo run, or
// the unfinished one p continues. Every record of p.Archive is read again
// right before it is archived and kept if it was modified or removed
// meanwhile. The job reports the usual events; in its Progress and
// summary, Created counts records archived.
func (e *Engine) StartUndo(ctx context.Context, p *UndoPlan) (*Job, error) {
	if p == nil {
		return nil, errors.New("undo: no plan")
	}
	if p.Target != e.CRM.Target() {
		return nil, fmt.Errorf("undo: the plan is for %s, not this %s account", p.CRM, e.CRM.Name())
	}
	if len(p.Archive) == 0 && p.UndoRunID == 0 {
		return nil, ErrNothingToUndo
	}
	us, arch, err := e.undoPorts()
	if err != nil {
		return nil, err
	}
	owner, note, err := e.acquireLease(ctx, p.NumberID, p.UndoRunID)
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	id, err := e.openUndoRun(ctx, p, owner)
	if err != nil {
		e.releaseLease(owner)
		return nil, err
	}
	e.note(id, note)
	// Every record to archive is stored as pending before anything is
	// sent: a process killed from here on leaves them for a resume.
	pend := make([]store.UndoOutcome, len(p.Archive))
	for i := range p.Archive {
		o := undoOutcome(id, &p.Archive[i])
		o.Status, o.Reason, o.ReasonText = store.OutcomePending, reasonArchivePending, "Not archived yet; run the undo again to finish it."
		pend[i] = store.UndoOutcome{Outcome: o}
	}
	prior, err := e.Store.Run(ctx, id)
	if err == nil {
		err = us.RecordUndoOutcomes(ctx, p.Target, pend)
	}
	if err != nil {
		_ = e.Store.FinishRun(context.Background(), id, store.RunInterrupted, cleanText(err.Error(), 2*maxOutsideText))
		e.releaseLease(owner)
		return nil, fmt.Errorf("undo: record the records to archive: %w", err)
	}
	// The runner records through undoRecording, so each archived record
	// leaves the ledger in the transaction that stores its outcome.
	ue := *e
	ue.Store = undoRecording{Store: e.Store, undo: us}
	total := max(prior.Total, p.Done+len(p.Archive)+len(p.Kept))
	job, r := ue.newRunner(ctx, id, total, prior, owner)
	go r.finish(job, func(ctx context.Context) error { return r.undo(ctx, arch, p) })
	return job, nil
}

// openUndoRun creates the undo run of p, or reopens the one p continues,
// and ties the lease to it.
func (e *Engine) openUndoRun(ctx context.Context, p *UndoPlan, owner string) (int64, error) {
	if p.UndoRunID != 0 {
		run, err := e.Store.Run(ctx, p.UndoRunID)
		switch {
		case err != nil:
			return 0, fmt.Errorf("undo: %w", err)
		case run.Mode != store.ModeUndo || run.ParentRunID != p.RunID:
			return 0, fmt.Errorf("undo: run %d is not an undo of run %d", p.UndoRunID, p.RunID)
		}
		if err := e.Store.ReopenRun(ctx, p.UndoRunID); err != nil {
			return 0, fmt.Errorf("undo: %w", err)
		}
		return p.UndoRunID, nil
	}
	run := store.Run{
		NumberID: p.NumberID, CRM: e.CRM.Name(), Target: p.Target, Mode: store.ModeUndo, ParentRunID: p.RunID,
		Status: store.RunRunning, StartedAt: time.Now(), Total: len(p.Archive) + len(p.Kept),
	}
	id, err := e.Store.CreateRun(ctx, run)
	if err == nil {
		err = e.Store.SetLeaseRun(ctx, owner, id)
	}
	if err != nil {
		return 0, fmt.Errorf("undo: record the run: %w", err)
	}
	return id, nil
}

// ResumeUndo continues the unfinished undo run undoRunID (killed,
// interrupted or cancelled): it plans the undo of the same run again,
// which continues that undo run, and starts it without asking. A caller
// that wants the agent to confirm uses PlanUndo and StartUndo instead.
func (e *Engine) ResumeUndo(ctx context.Context, undoRunID int64) (*Job, error) {
	run, err := e.Store.Run(ctx, undoRunID)
	if err != nil {
		return nil, fmt.Errorf("resume undo %d: %w", undoRunID, err)
	}
	if run.Mode != store.ModeUndo {
		return nil, fmt.Errorf("resume undo %d: it is a %s run, not an undo", undoRunID, run.Mode)
	}
	p, err := e.PlanUndo(ctx, run.ParentRunID)
	if err != nil {
		return nil, fmt.Errorf("resume undo %d: %w", undoRunID, err)
	}
	if p.UndoRunID != undoRunID {
		return nil, fmt.Errorf("resume undo %d: it has nothing left to do", undoRunID)
	}
	return e.StartUndo(ctx, p)
}

// undoRecording is the store as an undo runner sees it: outcomes go
// through RecordUndoOutcomes, which releases the ledger rows of records
// archived or found gone in the same transaction.
type undoRecording struct {
	Store
	undo UndoStore
}

func (s undoRecording) RecordOutcomes(ctx context.Context, target string, outs []store.Outcome) error {
	uo := make([]store.UndoOutcome, len(outs))
	for i, o := range outs {
		release := o.Reason == reasonArchived || o.Reason == string(KeepGone)
		uo[i] = store.UndoOutcome{Outcome: o, Release: release}
	}
	return s.undo.RecordUndoOutcomes(ctx, target, uo)
}

// undo records the kept records, then archives the others in batches.
func (r *runner) undo(ctx context.Context, arch Archiver, p *UndoPlan) error {
	if len(p.Kept) > 0 {
		r.em.try(Phase{Name: fmt.Sprintf("recording %d records kept", len(p.Kept))})
		for i := range p.Kept {
			r.rec.add(keptOutcome(r.runID, &p.Kept[i], p.Kept[i].Keep, p.Kept[i].Reason))
		}
	}
	if len(p.Archive) == 0 {
		return ctx.Err()
	}
	r.em.try(Phase{Name: fmt.Sprintf("archiving %d records", len(p.Archive))})
	items := slices.Clone(p.Archive)
	return forEachBatch(ctx, len(items), r.e.CRM.Limits().UpdateBatch, r.e.createConcurrency(), func(ctx context.Context, lo, hi int) error {
		return r.archiveBatch(ctx, arch, items[lo:hi], p)
	})
}

// archiveBatch reads the batch's records again, keeps the ones modified
// or removed since the plan, and archives the rest. Records whose fate is
// unknown when the run stops stay pending for a resume.
func (r *runner) archiveBatch(ctx context.Context, arch Archiver, items []UndoItem, p *UndoPlan) error {
	if ce := r.aborted(); ce != nil {
		r.failArchive(items, ce, 0)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	recs, err := arch.ReadByIDs(ctx, recordIDs(items))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ce := asCRMError(err)
		if ce.Reason == crm.ReasonUnauthorized || ce.Reason == crm.ReasonForbidden {
			r.setAbort(ce)
		}
		r.failArchive(items, ce, 0)
		return nil
	}
	live := indexByID(recs)
	var send []*UndoItem
	for i := range items {
		it := &items[i]
		rec, found := live[it.RecordID]
		keep, text := judge(*it, rec, found, p.Tolerance)
		switch {
		case keep != "":
			r.rec.add(keptOutcome(r.runID, it, keep, text))
		case !found || rec.Archived: // an earlier process's archive landed
			r.rec.add(archivedOutcome(r.runID, it, p.RunID, 1, text))
		default:
			send = append(send, it)
		}
	}
	for attempt := 1; len(send) > 0; attempt++ {
		if ce := r.aborted(); ce != nil {
			r.failArchive(deref(send), ce, attempt-1)
			return nil
		}
		results, err := arch.Archive(ctx, recordIDs(deref(send)))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // unknown: they stay pending
			}
			ce := asCRMError(err)
			if ce.Temporary() && attempt < maxCreateAttempts {
				continue // archiving is idempotent: safe to send again
			}
			if ce.Reason == crm.ReasonUnauthorized || ce.Reason == crm.ReasonForbidden {
				r.setAbort(ce)
			}
			r.failArchive(deref(send), ce, attempt)
			return nil
		}
		var again []*UndoItem
		for i, it := range send {
			res := crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonBadResponse, Message: "the CRM gave no result for this record"}}
			if i < len(results) {
				res = results[i]
			}
			switch {
			case res.Err == nil:
				r.rec.add(archivedOutcome(r.runID, it, p.RunID, attempt, ""))
			case res.Err.Reason == crm.ReasonNotFound:
				r.rec.add(keptOutcome(r.runID, it, KeepGone, "Already archived or deleted in the CRM; nothing to archive."))
			case res.Err.Temporary() && ctx.Err() != nil:
				// Stopped mid-call: unknown, stays pending for a resume.
			case res.Err.Temporary() && attempt < maxCreateAttempts:
				again = append(again, it)
			default:
				if res.Err.Reason == crm.ReasonUnauthorized || res.Err.Reason == crm.ReasonForbidden {
					r.setAbort(res.Err)
				}
				r.failArchive([]UndoItem{*it}, res.Err, attempt)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		send = again
	}
	return nil
}

func deref(items []*UndoItem) []UndoItem {
	out := make([]UndoItem, len(items))
	for i, it := range items {
		out[i] = *it
	}
	return out
}

// undoOutcome starts an undo run's outcome for it.
func undoOutcome(runID int64, it *UndoItem) store.Outcome {
	return store.Outcome{RunID: runID, ContactID: it.ContactID, Name: it.Name, Raw: it.Raw, E164: it.E164, CRMID: it.RecordID}
}

func keptOutcome(runID int64, it *UndoItem, why KeepReason, text string) store.Outcome {
	o := undoOutcome(runID, it)
	o.Status, o.Reason, o.ReasonText = store.OutcomeSkipped, string(why), text
	return o
}

func archivedOutcome(runID int64, it *UndoItem, undone int64, attempts int, text string) store.Outcome {
	o := undoOutcome(runID, it)
	if text == "" {
		text = fmt.Sprintf("Archived record %s, which run #%d created.", cleanText(it.RecordID, maxOutsideText), undone)
	}
	o.Status, o.Reason, o.ReasonText, o.Attempts = store.OutcomeCreated, reasonArchived, text, attempts
	return o
}

// failArchive records items as failed: the records stay live and in the
// ledger; undoing the run again retries them.
func (r *runner) failArchive(items []UndoItem, ce *crm.Error, attempts int) {
	for i := range items {
		o := undoOutcome(r.runID, &items[i])
		o.Status, o.Reason, o.Attempts = store.OutcomeFailed, string(ce.Reason), attempts
		o.ReasonText = "Not archived. " + failureText(ce)
		r.rec.add(o)
	}
}
