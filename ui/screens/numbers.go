// Package screens holds the console's four pages: numbers, contacts (the
// plan preview), sync (live run) and runs (history and failures).
package screens

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"coexsync/doctor"
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
	err     error   // the last load failed
	picker  *picker // non-nil while choosing a CRM
	// doctor is the report of the checks (d), shown over the list.
	doctor *doctorReport
	gen    int // bumps on Activate: a report asked before is dropped
	width  int
}

// doctorReport is the doctor's answer for one number ("" loading).
type doctorReport struct {
	number  store.Number
	checks  []doctor.Check
	loading bool
}

// NewNumbers makes the numbers screen.
func NewNumbers(c *common.Common) *Numbers {
	return &Numbers{c: c, table: components.NewTable(c, []components.Column{
		{Title: "Number", Width: 17}, {Title: "Verified name"}, {Title: "Phone-number id", Width: 15}, {Title: "Status", Width: 10},
		{Title: "Quality", Width: 7}, {Title: "Business App", Width: 13},
	})}
}

// numberCols read the table's cells.
var numberCols = []func(store.Number) string{
	func(n store.Number) string { return n.DisplayPhoneNumber },
	func(n store.Number) string { return n.VerifiedName },
	func(n store.Number) string { return n.ID },
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
	s.picker, s.doctor = nil, nil
	s.gen++
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
	s.table.SetSize(w, h-2)
}

func (s *Numbers) Capturing() bool { return s.picker != nil }

func (s *Numbers) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case numbersLoadedMsg:
		s.loading = false
		s.err = msg.err
		if msg.err != nil {
			return s, common.Fail("loading numbers", msg.err)
		}
		s.numbers = msg.numbers
		s.table.SetSource(components.ListSource[store.Number]{Items: s.numbers, Cols: numberCols})
		return s, offerResume(msg.unfinished)
	case copiedMsg:
		return s, nil
	case doctorMsg:
		if msg.gen == s.gen && s.doctor != nil {
			s.doctor.checks, s.doctor.loading = msg.checks, false
		}
	case tea.MouseWheelMsg:
		if s.picker == nil && s.doctor == nil {
			s.table.Update(msg)
		}
	}
	return s, nil
}

// Keys is the numbers screen's table: the CRM picker's keys while it
// shows, else the list's.
func (s *Numbers) Keys() common.Bindings {
	k := s.c.Keys
	if p := s.picker; p != nil {
		return common.Bindings{
			common.Bind(k.Up, func() tea.Cmd { p.cursor--; return nil }).When(p.cursor > 0).AsNav(),
			common.Bind(k.Down, func() tea.Cmd { p.cursor++; return nil }).When(p.cursor < len(p.options)-1).AsNav(),
			common.Bind(k.Select, func() tea.Cmd {
				s.picker = nil
				return s.start(p.number, p.options[p.cursor])
			}),
			common.Bind(k.Back, func() tea.Cmd { s.picker = nil; return nil }),
		}
	}
	if d := s.doctor; d != nil {
		return common.Bindings{
			common.Bind(k.Refresh, func() tea.Cmd { return s.runDoctor(d.number) }).When(!d.loading),
			common.Bind(k.Back, func() tea.Cmd { s.doctor = nil; return nil }),
		}
	}
	row := s.table.Cursor() >= 0
	return append(s.table.Bindings(),
		common.Bind(k.Select, s.choose).When(row),
		common.Bind(k.Copy, s.copyID).When(row),
		common.Bind(k.Doctor, func() tea.Cmd {
			n := store.Number{}
			if i := s.table.Cursor(); i >= 0 {
				n = s.numbers[i]
			}
			return s.runDoctor(n)
		}),
		common.Bind(k.Runs, func() tea.Cmd { return common.Go(common.RunsScreen) }),
		common.Bind(k.Refresh, s.Activate).When(!s.loading),
		common.Bind(k.Back, common.Back).When(s.c.Depth > 1),
	)
}

// Heading names the number whose CRM is being picked; the list alone
// works on no number.
func (s *Numbers) Heading() common.Heading {
	switch {
	case s.picker != nil:
		return common.Heading{Number: s.picker.number}
	case s.doctor != nil:
		return common.Heading{Number: s.doctor.number}
	}
	return common.Heading{}
}

// runDoctor runs every read-only check, the contact check for n.
func (s *Numbers) runDoctor(n store.Number) tea.Cmd {
	s.doctor = &doctorReport{number: n, loading: true}
	return doctorCmd(s.c, s.gen, n.ID, doctor.ScopeAll)
}

type copiedMsg struct{}

// copyID puts the selected number's phone-number id on the clipboard
// (OSC 52, where the terminal allows it) and says so.
func (s *Numbers) copyID() tea.Cmd {
	id := s.numbers[s.table.Cursor()].ID
	return tea.Batch(tea.SetClipboard(id),
		common.Status("Copied phone-number id "+id+" to the clipboard (if the terminal allows it)."))
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

func (s *Numbers) View() string {
	if d := s.doctor; d != nil {
		return doctorView(s.c, d.checks, d.loading, s.width)
	}
	if s.loading && len(s.numbers) == 0 {
		return "Loading numbers…"
	}
	if len(s.numbers) == 0 {
		switch {
		case whatsAppMissing(s.c.Backend):
			return "WHATSAPP_TOKEN and WABA_ID are missing: set them to list this account's numbers.\n\n" +
				"Press r to browse past runs."
		case s.err != nil:
			return "The numbers could not be loaded (see below). Press ctrl+r to try again."
		}
		return "No WhatsApp numbers found for this account."
	}
	if s.picker != nil {
		return s.picker.view(s.c)
	}
	return s.table.View() + "\n" + s.c.Styles.Muted.Render(components.Fit(s.table.Position(), s.width)) + "\n" + s.detail()
}

// whatsAppMissing reports a backend with no WhatsApp credentials (a CRM
// token only), when it can tell.
func whatsAppMissing(b common.Backend) bool {
	w, ok := b.(interface{ WhatsAppMissing() bool })
	return ok && w.WhatsAppMissing()
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
