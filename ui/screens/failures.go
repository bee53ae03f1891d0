package screens

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

type failuresLoadedMsg struct {
	runID   int64
	outs    []store.Outcome
	reasons map[string]int
	err     error
}

// Failures lists the failed contacts of one run, with a reason filter, a
// text filter and the detail of one contact.
type Failures struct {
	c       *common.Common
	run     store.Run
	all     []store.Outcome
	shown   []*store.Outcome
	reasons []string // by count, most frequent first; cycle index 0 is all
	reason  int
	counts  map[string]int
	filter  components.Filter
	table   *components.Table
	detail  bool
	width   int
}

// NewFailures opens run's failures.
func NewFailures(c *common.Common, run store.Run) *Failures {
	return &Failures{c: c, run: run, table: components.NewTable(c, []components.Column{
		{Title: "Name"}, {Title: "Raw number", Width: 16}, {Title: "Reason", Width: 20}, {Title: "What to do"},
	})}
}

// failureCols read the table's cells.
var failureCols = []func(*store.Outcome) string{
	func(o *store.Outcome) string { return components.NameOr(o.Name) },
	func(o *store.Outcome) string { return o.Raw },
	func(o *store.Outcome) string { return o.Reason },
	func(o *store.Outcome) string { return o.ReasonText },
}

// Load reads the run's failures and their reason counts.
func (f *Failures) Load() tea.Cmd {
	c, id := f.c, f.run.ID
	return func() tea.Msg {
		st := c.Backend.Store()
		outs, _, err := st.Outcomes(c.Ctx, store.OutcomeFilter{RunID: id, Status: store.OutcomeFailed})
		if err != nil {
			return failuresLoadedMsg{runID: id, err: err}
		}
		reasons, err := st.ReasonCounts(c.Ctx, id, store.OutcomeFailed)
		return failuresLoadedMsg{runID: id, outs: outs, reasons: reasons, err: err}
	}
}

func (f *Failures) SetSize(w, h int) {
	f.width = w
	f.table.SetSize(w, h-3)
}

func (f *Failures) Capturing() bool { return f.filter.Active }

// Update handles msg; closed reports that the operator left the failures.
func (f *Failures) Update(msg tea.Msg) (cmd tea.Cmd, closed bool) {
	switch msg := msg.(type) {
	case failuresLoadedMsg:
		if msg.runID != f.run.ID {
			return nil, false
		}
		if msg.err != nil {
			return common.Fail(fmt.Sprintf("loading failures of run #%d", f.run.ID), msg.err), false
		}
		f.all, f.counts = msg.outs, msg.reasons
		f.reasons = append([]string{""}, sortedReasons(msg.reasons)...)
		f.refilter()
	case tea.PasteMsg:
		if f.filter.Update(msg) {
			f.refilter()
		}
	case tea.KeyPressMsg:
		return nil, f.onKey(msg)
	default:
		f.table.Update(msg)
	}
	return nil, false
}

func (f *Failures) onKey(msg tea.KeyPressMsg) (closed bool) {
	k := f.c.Keys
	if f.filter.Active {
		if f.filter.Update(msg) {
			f.refilter()
		}
		return false
	}
	if f.detail {
		f.detail = !key.Matches(msg, k.Back)
		return false
	}
	switch {
	case key.Matches(msg, k.Back) && f.filter.Value != "":
		f.filter.Value = ""
		f.refilter()
	case key.Matches(msg, k.Back):
		return true
	case key.Matches(msg, k.Filter):
		f.filter.Active = true
	case key.Matches(msg, k.ReasonFilter) && len(f.reasons) > 0:
		f.reason = (f.reason + 1) % len(f.reasons)
		f.refilter()
	case key.Matches(msg, k.Select):
		f.detail = f.table.Cursor() >= 0
	default:
		f.table.Update(msg)
	}
	return false
}

func (f *Failures) refilter() {
	want := ""
	if f.reason < len(f.reasons) {
		want = f.reasons[f.reason]
	}
	text := strings.ToLower(f.filter.Value)
	f.shown = f.shown[:0]
	for i := range f.all {
		o := &f.all[i]
		if want != "" && o.Reason != want {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(o.Name+"\x00"+o.Raw+"\x00"+o.E164+"\x00"+o.Reason+"\x00"+o.ReasonText), text) {
			continue
		}
		f.shown = append(f.shown, o)
	}
	f.table.SetSource(components.ListSource[*store.Outcome]{Items: f.shown, Cols: failureCols})
}

// sortedReasons orders reason codes by count, then by name.
func sortedReasons(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	return out
}

func (f *Failures) View() string {
	if f.detail {
		return f.detailView()
	}
	st := f.c.Styles
	reason := "all"
	if f.reason > 0 {
		reason = f.reasons[f.reason]
	}
	parts := make([]string, 0, len(f.reasons))
	for _, r := range f.reasons[min(1, len(f.reasons)):] {
		parts = append(parts, fmt.Sprintf("%s %d", r, f.counts[r]))
	}
	head := fmt.Sprintf("Run #%d failures: %d of %d shown · reason: %s", f.run.ID, len(f.shown), len(f.all), reason)
	return st.Label.Render(components.Fit(head, f.width)) + "\n" +
		st.Muted.Render(components.Fit(safe.Text(strings.Join(parts, " · ")), f.width)) + "\n" +
		components.Fit(f.filter.View(), f.width) + "\n" + f.table.View()
}

func (f *Failures) detailView() string {
	st := f.c.Styles
	o := f.shown[f.table.Cursor()]
	field := func(label, value string) string {
		return st.Label.Render(fmt.Sprintf("%-12s", label)) + " " + components.Fit(safe.Text(value), f.width-13)
	}
	return strings.Join([]string{
		st.Label.Render(fmt.Sprintf("Run #%d · contact %d", o.RunID, o.ContactID)), "",
		field("Name", components.NameOr(o.Name)),
		field("Raw number", o.Raw),
		field("E.164", o.E164),
		field("Status", string(o.Status)),
		field("Reason", o.Reason),
		field("What to do", o.ReasonText),
		field("CRM record", o.CRMID),
		field("Attempts", fmt.Sprint(o.Attempts)),
		field("Updated", o.UpdatedAt.Local().Format("2006-01-02 15:04:05")),
	}, "\n")
}

func (f *Failures) ShortHelp() []key.Binding {
	k := f.c.Keys
	if f.filter.Active {
		return []key.Binding{k.Select, k.Back}
	}
	if f.detail {
		return []key.Binding{k.Back, k.Retry, k.Export}
	}
	return []key.Binding{k.Select, k.Filter, k.ReasonFilter, k.Retry, k.Export, k.Back}
}

func (f *Failures) FullHelp() [][]key.Binding {
	k := f.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Select, k.Filter, k.ReasonFilter},
		{k.Retry, k.Resume, k.Export}, {k.Back, k.Help, k.Quit}}
}
