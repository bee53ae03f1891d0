package screens

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
)

type syncState int

const (
	syncIdle       syncState = iota // nothing to run
	syncConfirm                     // shows what will be written: y to start
	syncStarting                    // Start (or Resume) was called
	syncRunning                     // live panes
	syncCancelling                  // cancel confirmed, waiting for Done
	syncDone                        // summary
)

type (
	jobStartedMsg struct {
		h   *handle
		req request // handed back when the start failed: nothing was written
		job common.Job
		err error
	}
	// jobEventMsg is one event of job; the reader is re-issued after each.
	jobEventMsg struct {
		job common.Job
		ev  engine.Event
	}
	jobClosedMsg  struct{ job common.Job }
	jobSummaryMsg struct {
		job     common.Job
		summary engine.RunSummary
	}
)

// logSize bounds the outcome log so a 100k-contact run stays small.
const logSize = 500

// Sync confirms a plan (or a resume), runs it with live panes, and shows
// the summary. The request it confirms is its own: it arrives with the
// GoMsg that shows the screen and is dropped when the job starts.
type Sync struct {
	c         *common.Common
	state     syncState
	askCancel bool     // cancel confirmation showing over the live panes
	quitting  bool     // cancelled because the console is quitting
	req       *request // waiting for y; nil once started
	h         *handle  // the job being started or run
	job       common.Job
	shown     common.Job // its summary is up: its late close must not show it again
	run       components.RunState
	log       *components.Ring
	bar       progress.Model
	summary   engine.RunSummary
	named     int              // names the run filled, from its outcomes
	typed     components.Input // the typed confirmation of an undo
	undo      bool             // the job in front archives (an undo run)
	head      common.Heading   // the number and CRM of the request or run
	width     int
	height    int
}

// NewSync makes the sync screen.
func NewSync(c *common.Common) *Sync {
	return &Sync{c: c, log: components.NewRing(logSize),
		bar: progress.New(progress.WithFillCharacters('█', '░'), progress.WithoutPercentage())}
}

func (s *Sync) Init() tea.Cmd { return nil }

// Activate keeps a live run or a pending confirmation. A finished run has
// nothing behind it to come back to: its plan is spent, so going back
// passes on to the screen before, which builds a fresh preview.
func (s *Sync) Activate() tea.Cmd {
	if s.state == syncDone {
		return common.Back()
	}
	return nil
}

func (s *Sync) SetSize(w, h int) { s.width, s.height = w, h }

func (s *Sync) Capturing() bool { return s.state == syncConfirm || s.askCancel }

func (s *Sync) busy() bool {
	return s.state == syncStarting || s.state == syncRunning || s.state == syncCancelling
}

// Busy reports a job that quitting would cut short.
func (s *Sync) Busy() bool { return s.busy() }

// Stop cancels the job because the console quits; the command ends once
// the engine has recorded the run's end, so it can be resumed.
func (s *Sync) Stop() tea.Cmd {
	if !s.busy() || s.quitting {
		return nil // nothing runs, or already being stopped
	}
	s.askCancel, s.quitting = false, true
	if s.state == syncRunning {
		s.state = syncCancelling
	}
	return stopJob(s.h, s.c.StopWait)
}

// ask shows req for confirmation, unless a run is live.
func (s *Sync) ask(req request) tea.Cmd {
	if s.busy() {
		return common.Status("A sync is running: wait for it to end, or press x to cancel it.")
	}
	s.req, s.state, s.askCancel = &req, syncConfirm, false
	s.run, s.log, s.named = components.RunState{Undo: req.isUndo()}, components.NewRing(logSize), 0
	s.typed, s.undo = components.Input{}, req.isUndo()
	s.head = common.Heading{Number: req.number, CRM: req.crm}
	return nil
}

// start consumes the request: a plan is started once, whatever follows.
func (s *Sync) start() tea.Cmd {
	req := *s.req
	s.req, s.state, s.quitting = nil, syncStarting, false
	// The last job is over; its events may still be draining. Forget it,
	// or its late close would end this start as if it were its own.
	s.job = nil
	ctx, cancel := context.WithCancel(s.c.Ctx)
	h := &handle{cancel: cancel, started: make(chan struct{})}
	s.h = h
	c := s.c
	return func() tea.Msg {
		defer close(h.started)
		job, err := begin(ctx, c, req)
		h.job = job
		return jobStartedMsg{h: h, req: req, job: job, err: err}
	}
}

func (s *Sync) attach(job common.Job) tea.Cmd {
	s.job, s.state = job, syncRunning
	return nextEvent(job)
}

// nextEvent reads ONE event; Update re-issues it, so only Update writes
// the model.
func nextEvent(job common.Job) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-job.Events()
		if !ok {
			return jobClosedMsg{job}
		}
		return jobEventMsg{job, ev}
	}
}

func (s *Sync) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case confirmMsg:
		return s, s.ask(msg.req)
	case tea.KeyPressMsg, tea.PasteMsg: // only text reaches here: an undo's confirmation
		if s.state == syncConfirm && s.req.isUndo() {
			s.typed.Update(msg)
		}
	case jobStartedMsg:
		if msg.h != s.h {
			return s, nil
		}
		if msg.err != nil {
			s.h.cancel()
			s.h = nil
			if s.quitting { // quit while starting: nothing to confirm any more
				s.state = syncIdle
				return s, nil
			}
			s.req, s.state = &msg.req, syncConfirm
			return s, common.Fail(startDoing(msg.req), msg.err)
		}
		return s, s.attach(msg.job)
	case jobEventMsg:
		if msg.job != s.job {
			return s, nil
		}
		return s, s.onEvent(msg.ev)
	case jobClosedMsg:
		if msg.job == s.job && msg.job != s.shown {
			job := msg.job
			return s, func() tea.Msg { return jobSummaryMsg{job, job.Wait()} }
		}
	case jobSummaryMsg:
		if msg.job == s.job && msg.job != s.shown {
			return s, s.finish(msg.summary)
		}
	case namesFilledMsg:
		if msg.job == s.job && msg.err == nil && msg.runID == s.summary.RunID {
			s.named = msg.n
		}
	}
	return s, nil
}

func startDoing(req request) string {
	if req.isUndo() {
		return fmt.Sprintf("starting the undo of run #%d", req.undo.RunID)
	}
	if req.isResume() {
		return fmt.Sprintf("resuming run #%d", req.resume.ID)
	}
	return "starting the sync"
}

func (s *Sync) onEvent(ev engine.Event) tea.Cmd {
	if done, ok := ev.(engine.Done); ok {
		return tea.Batch(s.finish(done.Summary), nextEvent(s.job)) // drain to the close
	}
	if o, ok := ev.(engine.OutcomeEvent); ok && o.Outcome.NameFilled {
		s.named++
	}
	if line := s.run.Apply(ev); line != "" {
		s.log.Add(line)
	}
	return nextEvent(s.job)
}

// finish shows the summary, and reads from the store how many names the
// whole run filled (a resumed run filled some before this session).
func (s *Sync) finish(sum engine.RunSummary) tea.Cmd {
	s.summary, s.state, s.askCancel, s.shown = sum, syncDone, false, s.job
	s.run.Progress.Created, s.run.Progress.Skipped, s.run.Progress.Failed = sum.Created, sum.Skipped, sum.Failed
	if s.h != nil {
		s.h.cancel() // the job is over: release its context
	}
	if s.undo {
		return nil
	}
	c, job, id := s.c, s.job, sum.RunID
	return func() tea.Msg {
		m, err := c.Backend.Store().NamesFilled(c.Ctx, id)
		return namesFilledMsg{job: job, runID: id, n: m[id], err: err}
	}
}

// namesFilledMsg is the names a finished run filled, counted in the store.
type namesFilledMsg struct {
	job   common.Job
	runID int64
	n     int
	err   error
}

// summaryRun is the finished run as the runs browser would list it.
func (s *Sync) summaryRun() store.Run {
	sum := s.summary
	return store.Run{ID: sum.RunID, Status: sum.Status, Total: sum.Total,
		Created: sum.Created, Skipped: sum.Skipped, Failed: sum.Failed}
}

// Keys is the sync screen's table for its state.
func (s *Sync) Keys() common.Bindings {
	k := s.c.Keys
	switch {
	case s.askCancel:
		no := func() tea.Cmd { s.askCancel = false; return nil }
		return common.Bindings{
			common.Bind(k.Confirm, func() tea.Cmd {
				s.askCancel, s.state = false, syncCancelling
				job := s.job
				return func() tea.Msg { job.Cancel(); return nil }
			}),
			common.Bind(k.Deny, no), common.Bind(k.Back, no),
		}
	case s.state == syncConfirm && s.req.isUndo():
		return common.Bindings{common.Bind(archiveKey, s.confirmUndo), common.Bind(k.Back, s.decline)}
	case s.state == syncConfirm:
		return common.Bindings{common.Bind(k.Confirm, s.start), common.Bind(k.Deny, s.decline), common.Bind(k.Back, s.decline)}
	case s.state == syncRunning:
		return common.Bindings{
			common.Bind(k.Cancel, func() tea.Cmd { s.askCancel = true; return nil }),
			common.Bind(k.Back, func() tea.Cmd { return common.Status("A sync is running: press x to cancel it first.") }),
		}
	case s.state == syncDone:
		return common.Bindings{
			common.Bind(k.Resume, s.askResume).When(!s.undo && resumable(s.summaryRun())),
			common.Bind(k.Runs, func() tea.Cmd {
				return common.GoWith(common.RunsScreen, openRunMsg{runID: s.summary.RunID})
			}),
			common.Bind(k.Back, func() tea.Cmd { return common.Go(common.NumbersScreen) }),
		}
	case s.state == syncIdle:
		return common.Bindings{common.Bind(k.Back, common.Back).When(s.c.Depth > 1)}
	}
	return nil // starting or cancelling: wait
}

// decline drops the request: back to the preview, or to the summary the
// question was asked from.
func (s *Sync) decline() tea.Cmd {
	back := !s.req.fromSummary
	s.req, s.state = nil, syncIdle
	if !back {
		s.state = syncDone
		return nil
	}
	return common.Back()
}

// Heading is the number and CRM of the request or run in front.
func (s *Sync) Heading() common.Heading { return s.head }

// askResume reads the run as the database has it (its unconfirmed creates
// too) and asks to resume it.
func (s *Sync) askResume() tea.Cmd {
	r := s.summaryRun()
	if !resumable(r) {
		return common.Status(fmt.Sprintf("Run #%d has no contacts left to resume.", r.ID))
	}
	c, number := s.c, s.head.Number
	return func() tea.Msg {
		run, err := c.Backend.Store().Run(c.Ctx, r.ID)
		if err != nil {
			return common.StatusMsg{Text: common.Sentence(fmt.Sprintf("reading run #%d", r.ID), err), Err: true}
		}
		if number.ID != run.NumberID {
			number = store.Number{ID: run.NumberID}
		}
		return confirmMsg{request{number: number, crm: run.CRM, resume: run, fromSummary: true}}
	}
}
