package screens

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

type syncState int

const (
	syncIdle       syncState = iota // nothing to run
	syncConfirm                     // shows what will be written: y to start
	syncStarting                    // Start was called
	syncRunning                     // live panes
	syncCancelling                  // cancel confirmed, waiting for Done
	syncDone                        // summary
)

type (
	jobStartedMsg struct {
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

// Sync confirms a plan, runs it with live panes, and shows the summary.
type Sync struct {
	c         *common.Common
	state     syncState
	askCancel bool // cancel confirmation showing over the live panes
	job       common.Job
	run       components.RunState
	log       *components.Ring
	bar       progress.Model
	summary   engine.RunSummary
	width     int
	height    int
}

// NewSync makes the sync screen.
func NewSync(c *common.Common) *Sync {
	return &Sync{c: c, log: components.NewRing(logSize),
		bar: progress.New(progress.WithFillCharacters('█', '░'), progress.WithoutPercentage())}
}

func (s *Sync) Init() tea.Cmd { return nil }

func (s *Sync) Activate() tea.Cmd {
	if s.state == syncRunning || s.state == syncCancelling || s.state == syncStarting {
		return nil // coming back to a live run: keep showing it
	}
	s.run, s.log, s.askCancel = components.RunState{}, components.NewRing(logSize), false
	sess := s.c.Session
	switch {
	case sess.Job != nil:
		job := sess.Job
		sess.Job = nil
		return s.attach(job)
	case sess.Plan != nil:
		s.state = syncConfirm
	default:
		s.state = syncIdle
	}
	return nil
}

func (s *Sync) SetSize(w, h int) { s.width, s.height = w, h }

func (s *Sync) Capturing() bool { return s.state == syncConfirm || s.askCancel }

// Stop cancels a running job when the console quits; the engine records
// what was done and the run can be resumed.
func (s *Sync) Stop() {
	if s.job != nil && (s.state == syncRunning || s.state == syncCancelling) {
		s.job.Cancel()
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
	case jobStartedMsg:
		if msg.err != nil {
			s.state = syncConfirm
			return s, common.Fail("starting the sync", msg.err)
		}
		return s, s.attach(msg.job)
	case jobEventMsg:
		if msg.job != s.job {
			return s, nil
		}
		return s, s.onEvent(msg.ev)
	case jobClosedMsg:
		if msg.job == s.job && s.state != syncDone {
			job := msg.job
			return s, func() tea.Msg { return jobSummaryMsg{job, job.Wait()} }
		}
	case jobSummaryMsg:
		if msg.job == s.job {
			s.finish(msg.summary)
		}
	case tea.KeyPressMsg:
		return s, s.onKey(msg)
	}
	return s, nil
}

func (s *Sync) onEvent(ev engine.Event) tea.Cmd {
	if done, ok := ev.(engine.Done); ok {
		s.finish(done.Summary)
		return nextEvent(s.job) // drain to the close
	}
	if line := s.run.Apply(ev); line != "" {
		s.log.Add(line)
	}
	return nextEvent(s.job)
}

func (s *Sync) finish(sum engine.RunSummary) {
	s.summary, s.state, s.askCancel = sum, syncDone, false
	s.run.Progress.Created, s.run.Progress.Skipped, s.run.Progress.Failed = sum.Created, sum.Skipped, sum.Failed
}

func (s *Sync) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	switch {
	case s.askCancel:
		switch {
		case key.Matches(msg, k.Confirm):
			s.askCancel, s.state = false, syncCancelling
			job := s.job
			return func() tea.Msg { job.Cancel(); return nil }
		case key.Matches(msg, k.Deny), key.Matches(msg, k.Back):
			s.askCancel = false
		}
	case s.state == syncConfirm:
		switch {
		case key.Matches(msg, k.Confirm):
			return s.start()
		case key.Matches(msg, k.Deny), key.Matches(msg, k.Back):
			return common.Back()
		}
	case s.state == syncRunning:
		switch {
		case key.Matches(msg, k.Cancel):
			s.askCancel = true
		case key.Matches(msg, k.Back):
			return common.Status("A sync is running: press x to cancel it first.")
		}
	case s.state == syncDone:
		switch {
		case key.Matches(msg, k.Runs):
			s.c.Session.RunID = s.summary.RunID
			return common.Go(common.RunsScreen)
		case key.Matches(msg, k.Back):
			return common.Go(common.NumbersScreen)
		}
	case key.Matches(msg, k.Back):
		return common.Back()
	}
	return nil
}

func (s *Sync) start() tea.Cmd {
	s.state = syncStarting
	c, sess := s.c, *s.c.Session
	return func() tea.Msg {
		eng, err := c.Backend.Engine(sess.CRM)
		if err != nil {
			return jobStartedMsg{err: err}
		}
		job, err := eng.Start(c.Ctx, sess.Plan, sess.Opts)
		return jobStartedMsg{job: job, err: err}
	}
}

func (s *Sync) View() string {
	switch s.state {
	case syncIdle:
		return "Nothing to sync: pick a number first."
	case syncConfirm:
		return s.confirmView()
	case syncStarting:
		return "Starting…"
	case syncDone:
		return s.summaryView()
	}
	return s.liveView()
}

func (s *Sync) confirmView() string {
	st := s.c.Styles
	sess := s.c.Session
	p := sess.Plan
	fills := 0
	for i := range p.Rows {
		if p.Rows[i].FillName {
			fills++
		}
	}
	title := "Sync " + components.NumberLabel(sess.Number) + " into " + sess.CRM
	if sess.Opts.Mode == store.ModeRetry {
		title = fmt.Sprintf("Retry the failed contacts of run #%d in %s", sess.Opts.ParentRunID, sess.CRM)
	}
	skips := p.Counts[engine.StatusExists] + p.Counts[engine.StatusAmbiguous] + p.Counts[engine.StatusDuplicate]
	lines := []string{
		st.Label.Render(title),
		st.Muted.Render("account: " + safe.Text(p.Target)),
		"",
		fmt.Sprintf("  Create           %7d new contacts", p.Counts[engine.StatusCreate]),
		fmt.Sprintf("  Fill names       %7d existing records with no name", fills),
		fmt.Sprintf("  Skip             %7d already in the CRM, ambiguous or duplicate", skips),
		fmt.Sprintf("  Fail             %7d invalid numbers (listed in the runs browser)", p.Counts[engine.StatusInvalid]),
		"",
		"Nothing is ever written back to WhatsApp.",
		"",
		st.BadgeAlert.Render("Start writing to " + sess.CRM + "? (y/n)"),
	}
	return strings.Join(lines, "\n")
}

func (s *Sync) liveView() string {
	st := s.c.Styles
	pane := components.RunPane(s.c, &s.bar, s.run, s.width)
	status := "Running run #" + fmt.Sprint(s.job.RunID())
	switch {
	case s.askCancel:
		status = st.BadgeAlert.Render("Cancel the run? Written contacts stay recorded; resume it later. (y/n)")
	case s.state == syncCancelling:
		status = st.Warn.Render("Cancelling: finishing the calls in flight…")
	}
	used := strings.Count(pane, "\n") + 4
	logH := max(s.height-used, 1)
	return components.Fit(status, s.width) + "\n" + pane + "\n" + st.Label.Render("Log") + "\n" +
		components.LogPane(s.c, s.log, s.width, logH)
}

func (s *Sync) summaryView() string {
	st := s.c.Styles
	sum := s.summary
	lines := []string{
		st.Label.Render(fmt.Sprintf("Run #%d %s in %s", sum.RunID, sum.Status, components.Dur(sum.Elapsed))),
		st.OK.Render(fmt.Sprintf("Created %d", sum.Created)) + "   " + fmt.Sprintf("Skipped %d", sum.Skipped) +
			"   " + st.Error.Render(fmt.Sprintf("Failed %d", sum.Failed)) + fmt.Sprintf("   of %d", sum.Total),
	}
	if sum.Err != nil {
		lines = append(lines, st.Error.Render(components.Fit("Stopped: "+safe.Text(sum.Err.Error()), s.width)))
	}
	lines = append(lines, "")
	room := max(s.height-len(lines)-2, 0)
	if len(sum.Failures) > 0 {
		lines = append(lines, st.Label.Render("Failures"))
		for i, o := range sum.Failures {
			if i == room-1 && len(sum.Failures) > room {
				lines = append(lines, st.Muted.Render(fmt.Sprintf("… %d more: press r to browse them", len(sum.Failures)-i)))
				break
			}
			lines = append(lines, components.Fit(safe.Text(failureLine(o)), s.width))
		}
	}
	return strings.Join(lines, "\n")
}

// failureLine is a failed outcome with what an agent can do about it.
func failureLine(o store.Outcome) string {
	return fmt.Sprintf("%s  %s  %s: %s", components.NameOr(o.Name), o.Raw, o.Reason, o.ReasonText)
}

func (s *Sync) ShortHelp() []key.Binding {
	k := s.c.Keys
	switch {
	case s.askCancel, s.state == syncConfirm:
		return []key.Binding{k.Confirm, k.Deny}
	case s.state == syncRunning:
		return []key.Binding{k.Cancel, k.Help, k.Quit}
	case s.state == syncDone:
		return []key.Binding{k.Runs, k.Back, k.Quit}
	}
	return []key.Binding{k.Back, k.Quit}
}

func (s *Sync) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{k.Confirm, k.Deny, k.Cancel}, {k.Runs, k.Back, k.Help, k.Quit}}
}
