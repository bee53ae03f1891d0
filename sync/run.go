package sync

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"time"

	"coexsync/crm"
	"coexsync/store"
)

// Job is one run in progress. ID is the run's id in the store (0 for a
// dry run, which records nothing).
type Job struct {
	ID      int64
	events  *emitter
	cancel  context.CancelFunc
	done    chan struct{}
	summary RunSummary
}

// Events delivers the run's events; it is closed after Done.
func (j *Job) Events() <-chan Event { return j.events.ch }

// Wait blocks until the run is over and returns its summary.
func (j *Job) Wait() RunSummary {
	<-j.done
	return j.summary
}

// Cancel stops the run safely: nothing more is sent, what is known is
// recorded and the run is marked cancelled.
func (j *Job) Cancel() { j.cancel() }

// Start executes p. A live or retry run is recorded in the store with
// every outcome; a dry run sends nothing to the CRM and records nothing:
// its summary and events say what a live run would do.
func (e *Engine) Start(ctx context.Context, p *Plan, opts RunOptions) (*Job, error) {
	if p == nil {
		return nil, errors.New("start: no plan")
	}
	if p.Target != e.CRM.Target() {
		return nil, fmt.Errorf("start: the plan is for %s, not %s", p.CRM, e.CRM.Name())
	}
	if opts.Mode == store.ModeDryRun {
		return e.dryRun(p), nil
	}
	id, owner, err := e.openRun(ctx, p.NumberID, p.Region, opts, len(p.Rows))
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	job, r := e.newRunner(ctx, id, len(p.Rows), store.Run{}, owner)
	go r.finish(job, func(ctx context.Context) error { return r.execute(ctx, p.Rows) })
	return job, nil
}

// openRun takes the write lease of numberID and records a new run of
// total contacts under it; it returns the run's id and the lease owner.
func (e *Engine) openRun(ctx context.Context, numberID, region string, opts RunOptions, total int) (int64, string, error) {
	if opts.Mode == "" {
		opts.Mode = store.ModeLive
	}
	owner, note, err := e.acquireLease(ctx, numberID, 0)
	if err != nil {
		return 0, "", err
	}
	run := store.Run{
		NumberID: numberID, CRM: e.CRM.Name(), Target: e.CRM.Target(), Mode: opts.Mode, Region: region,
		ParentRunID: opts.ParentRunID, Status: store.RunRunning, StartedAt: time.Now(), Total: total,
	}
	id, err := e.Store.CreateRun(ctx, run)
	if err == nil {
		err = e.Store.SetLeaseRun(ctx, owner, id)
	}
	if err != nil {
		e.releaseLease(owner)
		return 0, "", fmt.Errorf("record the run: %w", err)
	}
	e.note(id, note)
	return id, owner, nil
}

// runner executes one run.
type runner struct {
	e      *Engine
	runID  int64
	owner  string // this run-process: its lease and claims
	target string
	em     *emitter
	tally  *tally
	rec    *recorder
	ctx    context.Context // the run's ctx, with the CRM observer
	stop   chan struct{}
	bg     gosync.WaitGroup

	abortMu gosync.Mutex
	abort   *crm.Error // a refusal that fails every remaining create (bad token)
}

// newRunner starts a run's background work. prior holds the outcomes
// earlier processes stored (a resume); the tally starts from them before
// any goroutine reads it.
func (e *Engine) newRunner(parent context.Context, runID int64, total int, prior store.Run, owner string) (*Job, *runner) {
	ctx, cancelCause := context.WithCancelCause(parent)
	cancel := func() { cancelCause(context.Canceled) }
	em := newEmitter()
	now := time.Now()
	already := prior.Created + prior.Skipped + prior.Failed
	// The first rate sample holds what earlier processes already did, so
	// the rate counts only this process's work.
	t := &tally{start: now, total: total, created: prior.Created, skipped: prior.Skipped, failed: prior.Failed,
		samples: []rateSample{{at: now, done: already}}}
	r := &runner{
		e: e, runID: runID, owner: owner, target: e.CRM.Target(), em: em, tally: t,
		rec: newRecorder(e.Store, e.CRM.Target(), t, em), stop: make(chan struct{}),
	}
	r.ctx = em.observe(ctx)
	r.bg.Go(func() { r.rec.loop(r.stop) })
	r.bg.Go(func() { reportProgress(em, t, r.stop) })
	r.bg.Go(func() { r.keepLease(r.stop, func() { cancelCause(errLeaseLost) }) })
	return &Job{ID: runID, events: em, cancel: cancel, done: make(chan struct{})}, r
}

// finish runs work, then records the end of the run and delivers Done.
func (r *runner) finish(job *Job, work func(ctx context.Context) error) {
	defer job.cancel()
	err := work(r.ctx)
	if cause := context.Cause(r.ctx); errors.Is(cause, errLeaseLost) {
		err = cause
	}
	close(r.stop)
	r.bg.Wait()
	if ferr := r.rec.flush(); ferr != nil && err == nil {
		err = ferr
	}
	status := r.endStatus(err)
	if status == store.RunFailed && err == nil {
		err = r.aborted()
	}
	errText := ""
	if err != nil {
		errText = cleanText(err.Error(), 2*maxOutsideText) // may quote the CRM
	}
	bg := context.Background()
	if ferr := r.e.Store.FinishRun(bg, r.runID, status, errText); ferr != nil && err == nil {
		err = fmt.Errorf("record the end of the run: %w", ferr)
	}
	// Claims still pending now belong to a gone owner: whoever claims
	// their numbers next resolves them.
	r.e.releaseLease(r.owner)
	job.summary = r.summary(bg, status, err)
	close(job.done)
	r.em.finish(r.tally.progress(), Done{Summary: job.summary})
}

// endStatus is how a run that stopped with err ends.
func (r *runner) endStatus(err error) store.RunStatus {
	var unc errUnconfirmed
	switch {
	case errors.Is(context.Cause(r.ctx), errLeaseLost):
		return store.RunInterrupted
	case err != nil && r.ctx.Err() != nil:
		return store.RunCancelled
	case errors.As(err, &unc):
		return store.RunInterrupted
	case err != nil, r.aborted() != nil:
		return store.RunFailed
	}
	return store.RunFinished
}

// summary reads the run's counts from the store, which also covers
// outcomes recorded before a resume.
func (r *runner) summary(ctx context.Context, status store.RunStatus, err error) RunSummary {
	s := RunSummary{RunID: r.runID, Status: status, Elapsed: time.Since(r.tally.start), Err: err}
	p := r.tally.progress()
	s.Total, s.Created, s.Skipped, s.Failed = p.Total, p.Created, p.Skipped, p.Failed
	if run, rerr := r.e.Store.Run(ctx, r.runID); rerr == nil {
		s.Created, s.Skipped, s.Failed = run.Created, run.Skipped, run.Failed
	}
	if fails, _, ferr := r.e.Store.Outcomes(ctx, store.OutcomeFilter{RunID: r.runID, Status: store.OutcomeFailed}); ferr == nil {
		s.Failures = fails
	}
	return s
}

// execute records the rows that need no create, creates the new contacts,
// then fills empty names on matched records.
func (r *runner) execute(ctx context.Context, rows []PlanRow) error {
	r.em.try(Phase{Name: "recording contacts that need no create"})
	var creates, fills []*PlanRow
	for i := range rows {
		row := &rows[i]
		switch {
		case row.Status == StatusCreate:
			creates = append(creates, row)
		case row.Status == StatusExists && row.FillName:
			fills = append(fills, row)
		default:
			r.rec.add(r.skipOutcome(row))
		}
	}
	if len(creates) > 0 {
		r.em.try(Phase{Name: fmt.Sprintf("creating %d contacts", len(creates))})
		if err := r.createAll(ctx, creates); err != nil {
			return err
		}
	}
	if len(fills) > 0 {
		r.em.try(Phase{Name: fmt.Sprintf("filling %d empty names", len(fills))})
		if err := r.fillNames(ctx, fills); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// skipOutcome is the outcome of a row that is not sent to the CRM.
func (r *runner) skipOutcome(row *PlanRow) store.Outcome {
	o := outcomeFor(r.runID, row)
	o.Reason, o.ReasonText = row.Why()
	switch row.Status {
	case StatusInvalid:
		o.Status = store.OutcomeFailed
	case StatusExists:
		o.Status, o.CRMID = store.OutcomeSkipped, row.RecordID
	default:
		o.Status = store.OutcomeSkipped
	}
	return o
}

func (r *runner) setAbort(ce *crm.Error) {
	r.abortMu.Lock()
	defer r.abortMu.Unlock()
	if r.abort == nil {
		r.abort = ce
	}
}

func (r *runner) aborted() *crm.Error {
	r.abortMu.Lock()
	defer r.abortMu.Unlock()
	return r.abort
}

// dryRun reports what p would do without touching the CRM or the store.
func (e *Engine) dryRun(p *Plan) *Job {
	em := newEmitter()
	job := &Job{events: em, cancel: func() {}, done: make(chan struct{})}
	s := RunSummary{Status: store.RunFinished, Total: len(p.Rows)}
	for i := range p.Rows {
		row := &p.Rows[i]
		switch row.Status {
		case StatusCreate:
			s.Created++
		case StatusInvalid:
			s.Failed++
			o := (&runner{}).skipOutcome(row)
			s.Failures = append(s.Failures, o)
		default:
			s.Skipped++
		}
	}
	job.summary = s
	close(job.done)
	em.try(Phase{Name: "dry run: nothing was sent"})
	em.finish(Progress{Done: s.Total, Total: s.Total, Created: s.Created, Skipped: s.Skipped, Failed: s.Failed}, Done{Summary: s})
	return job
}
