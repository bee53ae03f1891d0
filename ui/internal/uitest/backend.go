// Package uitest is an in-memory, deterministic Backend for the console's
// tests: fixed numbers, plans, runs and a job the test drives by hand.
package uitest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"coexsync/doctor"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
)

// Clock is the fixed time every fixture and render uses.
var Clock = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// Backend is a fake common.Backend. Fields may be set before the console
// starts; the recorded calls are read under Lock.
type Backend struct {
	sync.Mutex
	ModeName   string
	CRMList    []string
	NumberList []store.Number
	Counts     map[string]int // contacts stored per number id
	Requested  []string       // numbers RequestContactSync was called for
	RequestErr error
	Eng        *Engine
	EngineErr  error // e.g. offline: no engine
	St         common.Store
	// Checks are what Doctor reports (MetaOK by default); DoctorFor
	// records the numbers it was asked about, DoctorScopes the scopes.
	Checks       []doctor.Check
	DoctorFor    []string
	DoctorScopes []doctor.Scope
	Chosen       []string // the CRMs Choose was told of, in order
	// Waiting is what Preparing says, for every CRM ("" by default).
	Waiting string
}

// Doctor returns the configured checks of scope.
func (b *Backend) Doctor(_ context.Context, numberID string, scope doctor.Scope) []doctor.Check {
	b.Lock()
	defer b.Unlock()
	b.DoctorFor = append(b.DoctorFor, numberID)
	b.DoctorScopes = append(b.DoctorScopes, scope)
	var out []doctor.Check
	for _, c := range b.Checks {
		if scope.Covers(c.Name) {
			out = append(out, c)
		}
	}
	return out
}

// SetChecks replaces what Doctor reports.
func (b *Backend) SetChecks(cs []doctor.Check) {
	b.Lock()
	defer b.Unlock()
	b.Checks = cs
}

func (b *Backend) Mode() string   { return b.ModeName }
func (b *Backend) CRMs() []string { return b.CRMList }

func (b *Backend) Numbers(context.Context) ([]store.Number, error) {
	return b.NumberList, nil
}

func (b *Backend) RequestContactSync(_ context.Context, id string) error {
	b.Lock()
	defer b.Unlock()
	if b.RequestErr != nil {
		return b.RequestErr
	}
	b.Requested = append(b.Requested, id)
	return nil
}

func (b *Backend) ContactCount(_ context.Context, id string) (int, error) {
	b.Lock()
	defer b.Unlock()
	return b.Counts[id], nil
}

// SetCount changes a number's contact count, as arriving webhooks would.
func (b *Backend) SetCount(id string, n int) {
	b.Lock()
	defer b.Unlock()
	b.Counts[id] = n
}

func (b *Backend) Region(string) string { return "BR" }

func (b *Backend) Engine(crm string) (common.Engine, error) {
	if b.EngineErr != nil {
		return nil, b.EngineErr
	}
	b.Eng.mu.Lock()
	b.Eng.CRMs = append(b.Eng.CRMs, crm)
	b.Eng.mu.Unlock()
	return b.Eng, nil
}

// Choose records the CRM the console said it will sync into.
func (b *Backend) Choose(crm string) {
	b.Lock()
	defer b.Unlock()
	b.Chosen = append(b.Chosen, crm)
}

// Preparing says Waiting.
func (b *Backend) Preparing(string) string {
	b.Lock()
	defer b.Unlock()
	return b.Waiting
}

// SetWaiting changes what Preparing says.
func (b *Backend) SetWaiting(text string) {
	b.Lock()
	defer b.Unlock()
	b.Waiting = text
}

func (b *Backend) Store() common.Store { return b.St }

// Engine is a fake engine: it returns the fixture plans and records the
// runs it was asked to start.
type Engine struct {
	mu        sync.Mutex
	PlanRows  int
	CRMs      []string
	Planned   int // Plan calls
	Started   []engine.RunOptions
	Retried   []int64
	Resumed   []int64
	Job       *Job // handed out by Start, and by Resume when ResumeJob is nil
	ResumeJob *Job
	StartErr  error
	LastPlan  *engine.Plan
	// UndoPlan is what PlanUndo returns (MakeUndoPlan when nil); UndoJob
	// is handed out by StartUndo; Undone records the plans started.
	UndoPlan *engine.UndoPlan
	UndoJob  *Job
	Undone   []*engine.UndoPlan
	// IndexSteps are reported, in order, while a plan builds, as the
	// engine reports reading the CRM's records; with PlanGate set the plan
	// is only returned once the test closes (or sends on) it.
	IndexSteps []engine.IndexProgress
	PlanGate   chan struct{}
}

// PlanProgress reports IndexSteps, waits for PlanGate, then plans.
func (e *Engine) PlanProgress(ctx context.Context, numberID, region string, progress func(engine.IndexProgress)) (*engine.Plan, error) {
	e.mu.Lock()
	steps, gate := append([]engine.IndexProgress(nil), e.IndexSteps...), e.PlanGate
	e.mu.Unlock()
	for _, p := range steps {
		progress(p)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return e.Plan(ctx, numberID, region)
}

func (e *Engine) PlanUndo(_ context.Context, runID int64) (*engine.UndoPlan, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.UndoPlan != nil {
		return e.UndoPlan, nil
	}
	return MakeUndoPlan(runID), nil
}

func (e *Engine) StartUndo(_ context.Context, p *engine.UndoPlan) (common.Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.StartErr != nil {
		return nil, e.StartErr
	}
	e.Undone = append(e.Undone, p)
	return e.UndoJob, nil
}

// Undos returns the undo plans started so far.
func (e *Engine) Undos() []*engine.UndoPlan {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*engine.UndoPlan(nil), e.Undone...)
}

func (e *Engine) Plan(_ context.Context, numberID, region string) (*engine.Plan, error) {
	e.mu.Lock()
	e.Planned++
	e.mu.Unlock()
	return MakePlan(numberID, region, e.PlanRows), nil
}

// Plans counts the plans built so far.
func (e *Engine) Plans() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.Planned
}

func (e *Engine) PlanRetry(_ context.Context, runID int64, region string) (*engine.Plan, error) {
	e.mu.Lock()
	e.Retried = append(e.Retried, runID)
	e.mu.Unlock()
	return MakePlan("1001", region, 4), nil
}

func (e *Engine) Start(_ context.Context, p *engine.Plan, opts engine.RunOptions) (common.Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.StartErr != nil {
		return nil, e.StartErr
	}
	e.Started = append(e.Started, opts)
	e.LastPlan = p
	return e.Job, nil
}

func (e *Engine) Resume(_ context.Context, runID int64, _ string) (common.Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.Resumed = append(e.Resumed, runID)
	if e.ResumeJob != nil {
		return e.ResumeJob, nil
	}
	return e.Job, nil
}

// Calls returns copies of what the engine was asked to do.
func (e *Engine) Calls() (started []engine.RunOptions, retried, resumed []int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]engine.RunOptions(nil), e.Started...), append([]int64(nil), e.Retried...), append([]int64(nil), e.Resumed...)
}

// Job is a job whose events the test sends.
type Job struct {
	ID int64
	Ch chan engine.Event
	// SlowCancel makes Cancel only ask: the run ends when the test calls
	// Finish, as a real run first records its calls in flight.
	SlowCancel bool
	mu         sync.Mutex
	cancelled  bool
	finished   bool
	done       chan struct{}
	summary    engine.RunSummary
}

// NewJob makes a job with room for n events.
func NewJob(id int64, n int) *Job {
	return &Job{ID: id, Ch: make(chan engine.Event, n), done: make(chan struct{})}
}

func (j *Job) RunID() int64                { return j.ID }
func (j *Job) Events() <-chan engine.Event { return j.Ch }

// Wait blocks until the run is over, as the engine's does.
func (j *Job) Wait() engine.RunSummary {
	<-j.done
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.summary
}

// CancelledSummary is how a cancelled fake run ends: 8 of 10 contacts left.
func (j *Job) CancelledSummary() engine.RunSummary {
	return engine.RunSummary{RunID: j.ID, Status: store.RunCancelled, Total: 10, Created: 2, Elapsed: 3 * time.Second}
}

// Cancel ends the run the way the engine does: a Done with status
// cancelled, then the channel closes (with SlowCancel, on Finish).
func (j *Job) Cancel() {
	j.mu.Lock()
	if j.cancelled {
		j.mu.Unlock()
		return
	}
	j.cancelled = true
	slow := j.SlowCancel
	j.mu.Unlock()
	if !slow {
		j.Finish(j.CancelledSummary())
	}
}

// Finish ends the run with sum: the summary is recorded, Done is sent and
// the events close. Later calls do nothing.
func (j *Job) Finish(sum engine.RunSummary) {
	j.mu.Lock()
	if j.finished {
		j.mu.Unlock()
		return
	}
	j.finished, j.summary = true, sum
	j.mu.Unlock()
	close(j.done)
	j.Ch <- engine.Done{Summary: sum}
	close(j.Ch)
}

// Cancelled reports whether Cancel was called.
func (j *Job) Cancelled() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cancelled
}

// Finished reports whether the run is over.
func (j *Job) Finished() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished
}

// Store is a fake of the runs/outcomes part of the database.
type Store struct {
	NumberList []store.Number
	RunList    []store.Run // newest first
	ByRun      map[int64][]store.Outcome
}

func (s *Store) Numbers(context.Context) ([]store.Number, error) { return s.NumberList, nil }

func (s *Store) Runs(_ context.Context, limit, offset int) ([]store.Run, error) {
	end := min(offset+limit, len(s.RunList))
	return s.RunList[min(offset, end):end], nil
}

func (s *Store) Run(_ context.Context, id int64) (store.Run, error) {
	for _, r := range s.RunList {
		if r.ID == id {
			return r, nil
		}
	}
	return store.Run{}, errors.New("no such run")
}

func (s *Store) OutcomesOf(f store.OutcomeFilter) []store.Outcome {
	var out []store.Outcome
	for _, o := range s.ByRun[f.RunID] {
		if (f.Status == "" || o.Status == f.Status) && (f.Reason == "" || o.Reason == f.Reason) {
			out = append(out, o)
		}
	}
	return out
}

func (s *Store) Outcomes(_ context.Context, f store.OutcomeFilter) ([]store.Outcome, int, error) {
	out := s.OutcomesOf(f)
	return out, len(out), nil
}

func (s *Store) ReasonCounts(_ context.Context, runID int64, st store.OutcomeStatus) (map[string]int, error) {
	m := map[string]int{}
	for _, o := range s.OutcomesOf(store.OutcomeFilter{RunID: runID, Status: st}) {
		m[o.Reason]++
	}
	return m, nil
}

// NamesFilled counts the skipped outcomes flagged as a name filled, as the
// database does.
func (s *Store) NamesFilled(_ context.Context, runIDs ...int64) (map[int64]int, error) {
	m := map[int64]int{}
	for _, id := range runIDs {
		for _, o := range s.ByRun[id] {
			if o.Status == store.OutcomeSkipped && o.NameFilled {
				m[id]++
			}
		}
	}
	return m, nil
}

func (s *Store) UnfinishedRuns(context.Context) ([]store.Run, error) {
	var out []store.Run
	for _, r := range s.RunList {
		if r.Status == store.RunRunning || r.Status == store.RunInterrupted {
			out = append(out, r)
		}
	}
	return out, nil
}

// WriteCSV writes run id, contact id, name and reason: enough for the
// console's tests, which check the file lands where the status line says.
func (s *Store) WriteCSV(_ context.Context, w io.Writer, f store.OutcomeFilter) error {
	cw := csv.NewWriter(w)
	for _, o := range s.OutcomesOf(f) {
		if err := cw.Write([]string{fmt.Sprint(o.RunID), fmt.Sprint(o.ContactID), o.Name, o.Reason}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
