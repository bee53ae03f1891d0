package screens

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
)

// contactsState is where the contacts screen stands.
type contactsState int

const (
	contactsLoading  contactsState = iota
	contactsRequest                // no contacts yet: explain the one-time request
	contactsConfirm                // the request is about to be sent: y/n
	contactsWaiting                // requested: counting contacts as webhooks arrive
	contactsPlanning               // the engine is building the plan
	contactsTable                  // the plan preview
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
	width   int
	height  int
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
		return nil // back from a confirmation that was declined: the preview holds
	}
	s.gen++
	s.state, s.plan, s.view, s.filter = contactsLoading, nil, nil, components.Filter{}
	s.planFor = [2]string{sess.Number.ID, sess.CRM}
	s.table.SetSource(&planView{})
	return s.countCmd()
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
	s.state = contactsPlanning
	c, gen, sess := s.c, s.gen, *s.c.Session
	return func() tea.Msg {
		eng, err := c.Backend.Engine(sess.CRM)
		if err != nil {
			return planBuiltMsg{gen: gen, err: err}
		}
		p, err := eng.Plan(c.Ctx, sess.Number.ID, c.Backend.Region(sess.Number.ID))
		return planBuiltMsg{gen: gen, plan: p, err: err}
	}
}

func (s *Contacts) SetSize(w, h int) {
	s.width, s.height = w, h
	s.table.SetSize(w, h-3)
}

func (s *Contacts) Capturing() bool { return s.filter.Active || s.state == contactsConfirm }

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
		s.plan, s.view, s.state = msg.plan, newPlanView(msg.plan.Rows), contactsTable
		s.table.SetSource(s.view)
	case tea.KeyPressMsg:
		return s, s.onKey(msg)
	case tea.MouseWheelMsg:
		s.table.Update(msg)
	case tea.PasteMsg:
		s.applyFilter(msg)
	}
	return s, nil
}

func (s *Contacts) onCount(msg contactCountMsg) tea.Cmd {
	if msg.gen != s.gen {
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

func (s *Contacts) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	if s.filter.Active {
		s.applyFilter(msg)
		return nil
	}
	switch s.state {
	case contactsRequest:
		if key.Matches(msg, k.Request) {
			s.state = contactsConfirm
		}
	case contactsConfirm:
		switch {
		case key.Matches(msg, k.Confirm):
			s.state = contactsLoading
			c, id := s.c, s.c.Session.Number.ID
			return func() tea.Msg { return syncRequestedMsg{c.Backend.RequestContactSync(c.Ctx, id)} }
		case key.Matches(msg, k.Deny), key.Matches(msg, k.Back):
			s.state = contactsRequest
		}
		return nil
	case contactsWaiting:
		if key.Matches(msg, k.BuildPlan) && s.count > 0 {
			return s.planCmd()
		}
	case contactsTable:
		if cmd, ok := s.onTableKey(msg); ok {
			return cmd
		}
	}
	if key.Matches(msg, k.Back) {
		s.gen++ // stops polling and drops replies still on their way
		return common.Back()
	}
	return nil
}

func (s *Contacts) onTableKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Filter):
		s.filter.Active = true
	case key.Matches(msg, k.Back) && s.filter.Value != "":
		s.filter.Value = ""
		s.view.setText("")
		s.table.SetSource(s.view)
	case key.Matches(msg, k.StatusFilter):
		s.view.cycleStatus()
		s.table.SetSource(s.view)
	case key.Matches(msg, k.Sort):
		s.view.cycleSort()
		s.table.SetSource(s.view)
	case key.Matches(msg, k.StartSync):
		sess := s.c.Session
		return common.GoWith(common.SyncScreen, confirmMsg{request{number: sess.Number, crm: sess.CRM,
			plan: s.plan, opts: engine.RunOptions{Mode: store.ModeLive}}}), true
	default:
		return nil, s.table.Update(msg)
	}
	return nil, true
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
	case contactsRequest, contactsConfirm:
		return s.requestView()
	case contactsWaiting:
		return fmt.Sprintf("Waiting for Business App contacts (requested; they arrive by webhook).\n\n"+
			"Contacts received so far: %s\n\n%s", st.Label.Render(fmt.Sprint(s.count)),
			st.Muted.Render("Press p to build the plan with what has arrived; more can be synced later."))
	case contactsPlanning:
		return fmt.Sprintf("Building the plan: normalising %d contacts and looking them up in %s…", s.count, s.c.Session.CRM)
	}
	head := components.Fit(countsLine(s.plan), s.width) + "\n" +
		st.Muted.Render(components.Fit(s.view.describe(), s.width)) + "\n" +
		components.Fit(s.filter.View(), s.width)
	return head + "\n" + s.table.View()
}

// countsLine is the per-status tally of a plan.
func countsLine(p *engine.Plan) string {
	parts := make([]string, 0, len(rowStatuses))
	for _, st := range rowStatuses[1:] {
		parts = append(parts, fmt.Sprintf("%s %d", st, p.Counts[st]))
	}
	return strings.Join(parts, " · ")
}

func (s *Contacts) requestView() string {
	st := s.c.Styles
	n := s.c.Session.Number
	text := "No Business App contacts are stored for this number yet.\n\n" +
		"coexsync can ask Meta to send them. This request can be sent ONCE per number,\n" +
		"and only within 24 hours of connecting the number to the Cloud API; Meta refuses\n" +
		"a second one. Every contact that arrives is kept in the local database.\n\n"
	if s.state == contactsConfirm {
		return text + st.BadgeAlert.Render("Send the one-time contact sync request for "+components.NumberLabel(n)+" now? (y/n)")
	}
	return text + st.Label.Render("Press enter to send the request.")
}

func (s *Contacts) ShortHelp() []key.Binding {
	k := s.c.Keys
	switch s.state {
	case contactsRequest:
		return []key.Binding{k.Request, k.Back, k.Quit}
	case contactsConfirm:
		return []key.Binding{k.Confirm, k.Deny}
	case contactsWaiting:
		return []key.Binding{k.BuildPlan, k.Back, k.Quit}
	case contactsTable:
		return []key.Binding{k.StartSync, k.Filter, k.StatusFilter, k.Sort, k.Back, k.Help}
	}
	return []key.Binding{k.Back, k.Quit}
}

func (s *Contacts) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Filter, k.StatusFilter, k.Sort}, {k.StartSync, k.Request, k.BuildPlan}, {k.Back, k.Help, k.Quit}}
}
