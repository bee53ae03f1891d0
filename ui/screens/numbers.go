// Package screens holds the console's four pages: numbers, contacts (the
// plan preview), sync (live run) and runs (history and failures).
package screens

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/components"
)

type numbersLoadedMsg struct {
	numbers    []store.Number
	unfinished []store.Run // runs left with contacts to do: offered for resume
	err        error
}

// Numbers lists the WABA's numbers and picks one (and a CRM) to sync.
type Numbers struct {
	c       *common.Common
	table   *components.Table
	numbers []store.Number
	loading bool
	picker  *picker // non-nil while choosing a CRM
	width   int
}

// NewNumbers makes the numbers screen.
func NewNumbers(c *common.Common) *Numbers {
	return &Numbers{c: c, table: components.NewTable(c, []components.Column{
		{Title: "Number", Width: 18}, {Title: "Verified name"}, {Title: "Status", Width: 10},
		{Title: "Quality", Width: 7}, {Title: "Business App", Width: 14},
	})}
}

// numberCols read the table's cells.
var numberCols = []func(store.Number) string{
	func(n store.Number) string { return n.DisplayPhoneNumber },
	func(n store.Number) string { return n.VerifiedName },
	func(n store.Number) string { return n.Status },
	func(n store.Number) string { return n.QualityRating },
	coexBadge,
}

func coexBadge(n store.Number) string {
	if n.OnBizApp {
		return "✔ Coexistence"
	}
	return "✘ API only"
}

func (s *Numbers) Init() tea.Cmd { return nil }

func (s *Numbers) Activate() tea.Cmd {
	s.loading = true
	s.picker = nil
	c := s.c
	return func() tea.Msg {
		ns, err := c.Backend.Numbers(c.Ctx)
		if err != nil {
			return numbersLoadedMsg{err: err}
		}
		st := c.Backend.Store()
		recent, err := st.Runs(c.Ctx, runsPageSize, 0)
		if err != nil {
			return numbersLoadedMsg{err: err}
		}
		open, err := resumableRuns(c.Ctx, st, recent)
		return numbersLoadedMsg{numbers: ns, unfinished: open, err: err}
	}
}

func (s *Numbers) SetSize(w, h int) {
	s.width = w
	s.table.SetSize(w, h-3)
}

func (s *Numbers) Capturing() bool { return s.picker != nil }

func (s *Numbers) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if s.picker != nil {
		return s, s.updatePicker(msg)
	}
	switch msg := msg.(type) {
	case numbersLoadedMsg:
		s.loading = false
		if msg.err != nil {
			return s, common.Fail("loading numbers", msg.err)
		}
		s.numbers = msg.numbers
		s.table.SetSource(components.ListSource[store.Number]{Items: s.numbers, Cols: numberCols})
		return s, offerResume(msg.unfinished)
	case tea.KeyPressMsg:
		k := s.c.Keys
		switch {
		case key.Matches(msg, k.Select):
			return s, s.choose()
		case key.Matches(msg, k.Runs):
			return s, common.Go(common.RunsScreen)
		case key.Matches(msg, k.Refresh):
			return s, s.Activate()
		}
	}
	s.table.Update(msg)
	return s, nil
}

// choose starts a sync for the selected number, asking for the CRM when
// there is more than one.
func (s *Numbers) choose() tea.Cmd {
	i := s.table.Cursor()
	if i < 0 {
		return nil
	}
	n := s.numbers[i]
	if !n.OnBizApp {
		return common.Status("This number is not on the WhatsApp Business App (no Coexistence): it has no Business App contacts to sync.")
	}
	crms := s.c.Backend.CRMs()
	switch len(crms) {
	case 0:
		return common.Status("No CRM is configured (offline): press r to browse past runs.")
	case 1:
		return s.start(n, crms[0])
	}
	s.picker = &picker{title: "Sync into which CRM?", options: crms, number: n}
	return nil
}

func (s *Numbers) start(n store.Number, crm string) tea.Cmd {
	*s.c.Session = common.Session{Number: n, CRM: crm}
	return common.Go(common.ContactsScreen)
}

func (s *Numbers) updatePicker(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k, p := s.c.Keys, s.picker
	switch {
	case key.Matches(km, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(km, k.Down):
		p.cursor = min(p.cursor+1, len(p.options)-1)
	case key.Matches(km, k.Back):
		s.picker = nil
	case key.Matches(km, k.Select):
		s.picker = nil
		return s.start(p.number, p.options[p.cursor])
	}
	return nil
}

func (s *Numbers) View() string {
	if s.loading && len(s.numbers) == 0 {
		return "Loading numbers…"
	}
	if len(s.numbers) == 0 {
		return "No WhatsApp numbers found for this account."
	}
	if s.picker != nil {
		return s.picker.view(s.c)
	}
	return s.table.View() + "\n\n" + s.detail()
}

// detail says, for the selected number, whether a contact sync is possible.
func (s *Numbers) detail() string {
	i := s.table.Cursor()
	st := s.c.Styles
	if i < 0 {
		return ""
	}
	if s.numbers[i].OnBizApp {
		return st.OK.Render(components.Fit("Coexistence: on the Business App and the Cloud API. Enter to sync its contacts.", s.width))
	}
	return st.Warn.Render(components.Fit("Not on the WhatsApp Business App: no Business App contacts, cannot sync.", s.width))
}

func (s *Numbers) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.picker != nil {
		return []key.Binding{k.Up, k.Down, k.Select, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Select, k.Runs, k.Help, k.Quit}
}

func (s *Numbers) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Select, k.Runs, k.Refresh}, {k.Help, k.Quit}}
}

// offerResume tells the agent, on the first screen, that a run did not
// finish (a killed process, a cancel, a failure): its pending creates are
// resolved, never repeated, on resume.
func offerResume(open []store.Run) tea.Cmd {
	switch len(open) {
	case 0:
		return nil
	case 1:
		return common.Status(fmt.Sprintf("Run #%d into %s %s: press r, then u on it to resume safely.",
			open[0].ID, open[0].CRM, leftWords(open[0])))
	}
	return common.Status(fmt.Sprintf("%d runs did not finish: press r, then u on one to resume it safely.", len(open)))
}
