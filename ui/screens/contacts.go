package screens

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"coexsync/doctor"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
)

// contactsState is where the contacts screen stands.
type contactsState int

const (
	contactsLoading   contactsState = iota
	contactsRequest                 // no contacts yet: explain the one-time request
	contactsChecking                // doctor's Meta checks run before the request
	contactsConfirm                 // the request is about to be sent: y/n (or force)
	contactsWaiting                 // requested: counting contacts as webhooks arrive
	contactsPlanning                // the engine is building the plan
	contactsPreparing               // a command is indexing the plan for the preview
	contactsTable                   // the plan preview
)

type (
	contactCountMsg struct {
		gen   int
		count int
		err   error
	}
	contactPollMsg   struct{ gen int }
	syncRequestedMsg struct{ err error }
	planBuiltMsg     struct {
		gen  int
		plan *engine.Plan
		err  error
	}
	// preparingMsg is why the plan of visit gen waits before its first
	// answer ("" once nothing holds it).
	preparingMsg struct {
		gen  int
		text string
	}
	// previewReadyMsg is the preview of plan, indexed off the UI goroutine.
	previewReadyMsg struct {
		gen  int
		plan *engine.Plan
		view *planView
	}
)

// Contacts is the plan preview, and before it the contact sync request.
type Contacts struct {
	c     *common.Common
	state contactsState
	gen   int // bumps on Activate so late replies of an older visit are dropped
	count int
	plan  *engine.Plan // nil once any run has started: the CRM changed under it
	// planFor is the number id and CRM the plan was built for.
	planFor [2]string
	view    *planView
	table   *components.Table
	filter  components.Filter
	export  *exportDialog // non-nil while asking where to export
	// index is the CRM index build the plan waits on (Phase "" before any).
	index engine.IndexProgress
	// preparing is why the plan waits before the index build starts (the
	// sandbox still making its records); "" when nothing holds it.
	preparing string
	// checks are the doctor's Meta checks the request confirmation shows;
	// force is what the agent typed to override a failing one.
	checks []doctor.Check
	force  components.Input
	width  int
	height int
}

// NewContacts makes the contacts screen.
func NewContacts(c *common.Common) *Contacts {
	return &Contacts{c: c, table: components.NewTable(c, []components.Column{
		{Title: "Name"}, {Title: "Raw number", Width: 18}, {Title: "E.164", Width: 16}, {Title: "Match"},
	})}
}

func (s *Contacts) Init() tea.Cmd { return nil }

func (s *Contacts) Activate() tea.Cmd {
	sess := s.c.Session
	if s.plan != nil && s.planFor == [2]string{sess.Number.ID, sess.CRM} {
		if s.state == contactsPreparing {
			return s.prepareCmd() // the screen was left before its preview was ready
		}
		return nil // back from a confirmation that was declined: the preview holds
	}
	s.gen++
	s.state, s.plan, s.view, s.filter = contactsLoading, nil, nil, components.Filter{}
	s.planFor = [2]string{sess.Number.ID, sess.CRM}
	s.table.SetSource(&planView{})
	// The backend hears which CRM this preview is for long before the
	// plan: the sandbox generates that CRM's records meanwhile.
	b, crm, count := s.c.Backend, sess.CRM, s.countCmd()
	return func() tea.Msg {
		b.Choose(crm)
		return count()
	}
}

func (s *Contacts) countCmd() tea.Cmd {
	c, gen, id := s.c, s.gen, s.c.Session.Number.ID
	return func() tea.Msg {
		n, err := c.Backend.ContactCount(c.Ctx, id)
		return contactCountMsg{gen: gen, count: n, err: err}
	}
}

func (s *Contacts) pollCmd() tea.Cmd {
	gen := s.gen
	return tea.Tick(s.c.PollEvery, func(time.Time) tea.Msg { return contactPollMsg{gen: gen} })
}

func (s *Contacts) planCmd() tea.Cmd {
	s.state, s.index, s.preparing = contactsPlanning, engine.IndexProgress{}, ""
	c, gen, sess := s.c, s.gen, *s.c.Session
	progress := make(chan engine.IndexProgress, 1)
	build := func() tea.Msg {
		defer close(progress)
		eng, err := c.Backend.Engine(sess.CRM)
		if err != nil {
			return planBuiltMsg{gen: gen, err: err}
		}
		region := c.Backend.Region(sess.Number.ID)
		var p *engine.Plan
		if pp, ok := eng.(common.ProgressPlanner); ok {
			p, err = pp.PlanProgress(c.Ctx, sess.Number.ID, region, func(ip engine.IndexProgress) { latest(progress, ip) })
		} else {
			p, err = eng.Plan(c.Ctx, sess.Number.ID, region)
		}
		return planBuiltMsg{gen: gen, plan: p, err: err}
	}
	return tea.Batch(build, readIndexProgress(gen, progress), s.preparingCmd(0))
}

// preparingCmd asks, after wait, why the plan waits; while something holds
// it the answer is asked again every poll, so the reason goes away once
// the plan can go on.
func (s *Contacts) preparingCmd(wait time.Duration) tea.Cmd {
	b, crm, gen := s.c.Backend, s.c.Session.CRM, s.gen
	ask := func(time.Time) tea.Msg { return preparingMsg{gen: gen, text: b.Preparing(crm)} }
	if wait == 0 {
		return func() tea.Msg { return ask(time.Time{}) }
	}
	return tea.Tick(wait, ask)
}

// prepareCmd indexes the plan for the preview in a command: at 100k rows
// that is longer than a frame.
func (s *Contacts) prepareCmd() tea.Cmd {
	s.state = contactsPreparing
	gen, plan := s.gen, s.plan
	return func() tea.Msg { return previewReadyMsg{gen: gen, plan: plan, view: newPlanView(plan.Rows)} }
}

func (s *Contacts) SetSize(w, h int) {
	s.width, s.height = w, h
	s.table.SetSize(w, h-5)
}

func (s *Contacts) Capturing() bool {
	return s.filter.Active || s.state == contactsChecking || s.state == contactsConfirm || s.export != nil
}

// Heading is the number and CRM being previewed.
func (s *Contacts) Heading() common.Heading {
	return common.Heading{Number: s.c.Session.Number, CRM: s.c.Session.CRM}
}

func (s *Contacts) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case contactCountMsg:
		return s, s.onCount(msg)
	case contactPollMsg:
		if msg.gen == s.gen && s.state == contactsWaiting {
			return s, s.countCmd()
		}
	case syncRequestedMsg:
		if msg.err != nil {
			s.state = contactsRequest
			return s, common.Fail("requesting the contact sync", msg.err)
		}
		s.c.Session.Number.SyncRequestedAt = s.c.Now()
		s.state = contactsWaiting
		return s, tea.Batch(common.Status("Requested. Contacts arrive by webhook over the next minutes."), s.pollCmd())
	case jobStartedMsg:
		if msg.err == nil { // the CRM is being written: the preview is spent or stale
			s.gen++
			s.state, s.plan, s.view = contactsLoading, nil, nil
			s.table.SetSource(&planView{})
		}
	case planBuiltMsg:
		if msg.gen != s.gen {
			return s, nil
		}
		if msg.err != nil {
			s.state = contactsWaiting
			return s, common.Fail("building the plan", msg.err)
		}
		s.plan, s.view, s.filter = msg.plan, nil, components.Filter{} // a new view filters nothing
		s.table.SetSource(&planView{})
		return s, s.prepareCmd()
	case previewReadyMsg:
		if msg.gen == s.gen && msg.plan == s.plan && s.state == contactsPreparing {
			s.view, s.state = msg.view, contactsTable
			s.view.styles = s.c.Styles
			s.table.SetSource(s.view)
		}
	case planSortedMsg:
		if msg.view == s.view && s.view.sorted(msg.sort, msg.order) {
			s.table.SetSource(s.view)
		}
	case doctorMsg:
		if msg.gen == s.gen && s.state == contactsChecking {
			s.checks, s.state = msg.checks, contactsConfirm
		}
	case tea.KeyPressMsg, tea.PasteMsg: // only text reaches here: a filter, a path or a word typed
		if s.state == contactsConfirm {
			s.typedForce(msg)
		} else if s.export != nil {
			s.export.typed(msg)
		} else {
			s.applyFilter(msg)
		}
	case tea.MouseWheelMsg:
		s.table.Update(msg)
	case planExportedMsg:
		return s, s.onExported(msg)
	case indexProgressMsg:
		return s, s.onIndexProgress(msg)
	case preparingMsg:
		if msg.gen == s.gen && s.state == contactsPlanning {
			s.preparing = msg.text
			if msg.text != "" {
				return s, s.preparingCmd(s.c.PollEvery)
			}
		}
	}
	return s, nil
}

func (s *Contacts) onCount(msg contactCountMsg) tea.Cmd {
	if msg.gen != s.gen || (s.state != contactsLoading && s.state != contactsWaiting) {
		// Another visit's, or a poll answered after p started the plan:
		// planning again would replace the preview under the operator.
		return nil
	}
	if msg.err != nil {
		return common.Fail("counting contacts", msg.err)
	}
	s.count = msg.count
	switch {
	case s.state == contactsWaiting:
		return s.pollCmd()
	case s.count > 0:
		return s.planCmd()
	case s.c.Session.Number.SyncRequestedAt.IsZero():
		s.state = contactsRequest
		return nil
	}
	s.state = contactsWaiting
	return s.pollCmd()
}

// Keys is the contacts screen's table for its state.
func (s *Contacts) Keys() common.Bindings {
	k := s.c.Keys
	back := common.Bind(k.Back, func() tea.Cmd {
		s.gen++ // stops polling and drops replies still on their way
		return common.Back()
	})
	switch {
	case s.export != nil:
		return s.export.keys(k)
	case s.filter.Active:
		return s.filterKeys()
	}
	switch s.state {
	case contactsRequest:
		return common.Bindings{common.Bind(k.Request, s.checkMeta), back}
	case contactsChecking, contactsConfirm:
		return s.requestKeys()
	case contactsWaiting:
		return common.Bindings{common.Bind(k.BuildPlan, s.planCmd).When(s.count > 0), back}
	case contactsTable:
		return s.tableKeys(back)
	}
	return common.Bindings{back}
}

// filterKeys are the keys while a filter is typed; other keys are text.
func (s *Contacts) filterKeys() common.Bindings {
	k := s.c.Keys
	return common.Bindings{
		common.Bind(keep, func() tea.Cmd { s.filter.Active = false; return nil }),
		common.Bind(k.Back, func() tea.Cmd {
			s.filter = components.Filter{}
			s.view.setText("")
			s.table.SetSource(s.view)
			return nil
		}),
	}
}

func (s *Contacts) tableKeys(back common.Binding) common.Bindings {
	k := s.c.Keys
	refresh := func(f func()) func() tea.Cmd {
		return func() tea.Cmd { f(); s.table.SetSource(s.view); return nil }
	}
	bs := append(s.table.Bindings(),
		common.Bind(k.StartSync, func() tea.Cmd {
			sess := s.c.Session
			return common.GoWith(common.SyncScreen, confirmMsg{request{number: sess.Number, crm: sess.CRM,
				plan: s.plan, opts: engine.RunOptions{Mode: store.ModeLive}}})
		}),
		common.Bind(k.Filter, func() tea.Cmd { s.filter.Active = true; return nil }),
		common.Bind(k.StatusFilter, refresh(s.view.cycleStatus)),
		common.Bind(k.Sort, func() tea.Cmd {
			cmd := s.view.cycleSort()
			s.table.SetSource(s.view)
			return cmd
		}),
		common.Bind(k.SortDir, refresh(s.view.reverse)),
		common.Bind(k.Export, s.askExport).When(s.view.Len() > 0),
	)
	if s.filter.Value != "" {
		return append(bs, common.Bind(clearFilter, refresh(func() {
			s.filter.Value = ""
			s.view.setText("")
		})))
	}
	return append(bs, back)
}

func (s *Contacts) applyFilter(msg tea.Msg) {
	if s.view != nil && s.filter.Update(msg) {
		s.view.setText(s.filter.Value)
		s.table.SetSource(s.view)
	}
}

func (s *Contacts) View() string {
	st := s.c.Styles
	switch s.state {
	case contactsLoading:
		return "Loading contacts…"
	case contactsRequest, contactsChecking, contactsConfirm:
		return s.requestView()
	case contactsWaiting:
		return fmt.Sprintf("Waiting for Business App contacts (requested; they arrive by webhook).\n\n"+
			"Contacts received so far: %s\n\n%s", st.Label.Render(fmt.Sprint(s.count)),
			st.Muted.Render("Press p to build the plan with what has arrived; more can be synced later."))
	case contactsPlanning:
		text := components.Wrap(fmt.Sprintf("Building the plan: normalising %d contacts and looking them up in %s…",
			s.count, s.c.Session.CRM), s.width)
		switch {
		case s.index.Phase != "":
			text += "\n\n" + components.Fit(indexLine(s.index), s.width)
		case s.preparing != "":
			text += "\n\n" + st.Muted.Render(components.Wrap(s.preparing, s.width))
		}
		return text
	case contactsPreparing:
		return components.Fit(countsLine(s.plan), s.width) + "\n\n" +
			components.Wrap(fmt.Sprintf("Preparing the preview of %s rows…", thousands(len(s.plan.Rows))), s.width)
	}
	if s.export != nil {
		return s.export.view(s.c, fmt.Sprintf("the %d rows in view", s.view.Len()), s.width)
	}
	filterLine := s.filter.View()
	if s.view.Len() == 0 {
		filterLine = strings.TrimSpace(filterLine + "  no matches: esc clears the filter, s changes the status")
	}
	head := components.Fit(countsLine(s.plan), s.width) + "\n" +
		st.Muted.Render(components.Fit(lookupLine(s.plan, s.c.Now()), s.width)) + "\n" +
		st.Muted.Render(components.Fit(s.view.describe()+positionOf(s.table), s.width)) + "\n" +
		components.Fit(filterLine, s.width)
	return head + "\n" + s.table.View() + "\n" + components.Fit(rowDetail(s.view, s.table.Cursor()), s.width)
}

func positionOf(t *components.Table) string {
	if p := t.Position(); p != "" {
		return " · row " + p
	}
	return ""
}

// askExport asks where to write the rows in view.
func (s *Contacts) askExport() tea.Cmd {
	sess := s.c.Session
	path, err := filepath.Abs(filepath.Join(s.c.ExportDir, planExportName(sess.Number.ID, sess.CRM)))
	if err != nil {
		path = filepath.Join(s.c.ExportDir, planExportName(sess.Number.ID, sess.CRM))
	}
	rows := s.view.csvRows()
	s.export = &exportDialog{path: path, cancel: func() { s.export = nil },
		write: func(path string) tea.Cmd {
			s.export = nil
			return func() tea.Msg { return planExportedMsg{path: path, rows: len(rows) - 1, err: writeCSV(path, rows)} }
		}}
	return nil
}

// planExportedMsg reports a preview export (the runs screen has its own).
type planExportedMsg exportedMsg

func (s *Contacts) onExported(msg planExportedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Fail("exporting the preview", msg.err)
	}
	return common.Status(fmt.Sprintf("Exported %d rows to %s", msg.rows, msg.path))
}

// countsLine is the per-status tally of a plan.
func countsLine(p *engine.Plan) string {
	parts := make([]string, 0, len(rowStatuses))
	for _, st := range rowStatuses[1:] {
		parts = append(parts, fmt.Sprintf("%s %d", st, p.Counts[st]))
	}
	return strings.Join(parts, " · ")
}
