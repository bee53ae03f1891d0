package screens

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

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

// Update handles msg; keys arrive only while a filter is typed (the rest
// go through Keys).
func (f *Failures) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case failuresLoadedMsg:
		if msg.runID != f.run.ID {
			return nil
		}
		if msg.err != nil {
			return common.Fail(fmt.Sprintf("loading failures of run #%d", f.run.ID), msg.err)
		}
		f.all, f.counts = msg.outs, msg.reasons
		f.reasons = append([]string{""}, sortedReasons(msg.reasons)...)
		f.refilter()
	case tea.PasteMsg, tea.KeyPressMsg:
		if f.filter.Update(msg) {
			f.refilter()
		}
	case tea.MouseWheelMsg:
		f.table.Update(msg)
	}
	return nil
}

// Keys is the failures' table for their state; closed is called when
// esc leaves them.
func (f *Failures) Keys(closed func()) common.Bindings {
	k := f.c.Keys
	switch {
	case f.filter.Active:
		return common.Bindings{
			common.Bind(keep, func() tea.Cmd { f.filter.Active = false; return nil }),
			common.Bind(clearFilter, func() tea.Cmd { f.filter = components.Filter{}; f.refilter(); return nil }),
		}
	case f.detail:
		return common.Bindings{common.Bind(k.Back, func() tea.Cmd { f.detail = false; return nil })}
	}
	bs := append(f.table.Bindings(),
		common.Bind(k.Select, func() tea.Cmd { f.detail = true; return nil }).When(f.table.Cursor() >= 0),
		common.Bind(k.Filter, func() tea.Cmd { f.filter.Active = true; return nil }),
		common.Bind(k.ReasonFilter, func() tea.Cmd {
			f.reason = (f.reason + 1) % len(f.reasons)
			f.refilter()
			return nil
		}).When(len(f.reasons) > 2),
	)
	if f.filter.Value != "" {
		return append(bs, common.Bind(clearFilter, func() tea.Cmd { f.filter.Value = ""; f.refilter(); return nil }))
	}
	return append(bs, common.Bind(k.Back, func() tea.Cmd { closed(); return nil }))
}

// csvRows are the failures in view with a header.
func (f *Failures) csvRows() [][]string {
	out := [][]string{{"name", "raw number", "e164", "reason", "what to do"}}
	for _, o := range f.shown {
		out = append(out, []string{safe.Text(o.Name), safe.Text(o.Raw), o.E164, o.Reason, safe.Text(o.ReasonText)})
	}
	return out
}

func (f *Failures) refilter() {
	want := ""
	if f.reason < len(f.reasons) {
		want = f.reasons[f.reason]
	}
	text := searchText(f.filter.Value)
	f.shown = f.shown[:0]
	for i := range f.all {
		o := &f.all[i]
		if want != "" && o.Reason != want {
			continue
		}
		if text != "" && !strings.Contains(searchText(o.Name+"\t"+o.Raw+"\t"+o.E164+"\t"+o.Reason+"\t"+o.ReasonText), text) {
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
	head := fmt.Sprintf("Run #%d failures: %d of %d shown · reason: %s%s", f.run.ID, len(f.shown), len(f.all), reason, positionOf(f.table))
	return st.Label.Render(components.Fit(head, f.width)) + "\n" +
		st.Muted.Render(components.Fit(safe.Text(strings.Join(parts, " · ")), f.width)) + "\n" +
		components.Fit(filterOrEmpty(f.filter, len(f.shown)), f.width) + "\n" + f.table.View()
}

// detailView shows one failure with every value wrapped, never cut: the
// "What to do" guidance comes right after the contact, whole.
func (f *Failures) detailView() string {
	st := f.c.Styles
	o := f.shown[f.table.Cursor()]
	w := max(f.width-13, 20)
	field := func(label, value string) string {
		lines := strings.Split(components.Wrap(safe.Text(value), w), "\n")
		for i := range lines {
			if i > 0 {
				lines[i] = strings.Repeat(" ", 13) + lines[i]
			}
		}
		return st.Label.Render(fmt.Sprintf("%-12s", label)) + " " + strings.Join(lines, "\n")
	}
	return strings.Join([]string{
		st.Label.Render(fmt.Sprintf("Run #%d · contact %d", o.RunID, o.ContactID)),
		field("Name", components.NameOr(o.Name)),
		field("Raw number", o.Raw),
		field("What to do", o.ReasonText),
		field("Reason", o.Reason),
		field("E.164", o.E164),
		field("Status", string(o.Status)),
		field("CRM record", o.CRMID),
		field("Attempts", fmt.Sprint(o.Attempts)),
		field("Updated", o.UpdatedAt.Local().Format("2006-01-02 15:04:05")),
	}, "\n")
}

// filterOrEmpty is the filter line, saying so when nothing matches.
func filterOrEmpty(f components.Filter, shown int) string {
	if shown == 0 && (f.Value != "") {
		return strings.TrimSpace(f.View() + "  no matches: esc clears the filter")
	}
	return f.View()
}
