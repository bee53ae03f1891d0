package screens

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

var archiveKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "archive (type the confirmation first)"))

// keepWords name the reasons an undo keeps a record.
var keepWords = []struct {
	reason engine.KeepReason
	words  string
}{
	{engine.KeepModified, "modified since coexsync created them"},
	{engine.KeepGone, "already archived or deleted"},
	{engine.KeepNotCreated, "not created by this run (matched only)"},
	{engine.KeepUnconfirmed, "creates never confirmed: resume that run first"},
	{engine.KeepUndone, "archived by an earlier undo"},
}

// confirmUndo starts the undo only when the agent typed exactly the
// plan's confirmation ("undo 12"); anything else refuses.
func (s *Sync) confirmUndo() tea.Cmd {
	want := s.req.undo.Confirmation()
	if strings.Join(strings.Fields(s.typed.Value), " ") != want {
		return common.Status(fmt.Sprintf("Not confirmed: type %q, then enter. Nothing was archived.", want))
	}
	return tea.Batch(common.Status(""), s.start()) // the refusal, if any, is over
}

// undoView is the preview of an undo and its typed confirmation.
func (s *Sync) undoView() string {
	st := s.c.Styles
	p := s.req.undo
	want := p.Confirmation()
	lines := []string{
		st.BadgeAlert.Render(components.Fit(fmt.Sprintf("Archive %d records in %s? Type %q and press enter.",
			len(p.Archive), safe.Text(p.CRM), want), s.width)),
		s.typed.View(),
		"",
		st.Label.Render(components.Fit(fmt.Sprintf("Undo run #%d of %s in %s", p.RunID,
			components.NumberLabel(s.req.number), safe.Text(p.CRM)), s.width)),
		st.Muted.Render(components.Fit("account: "+safe.Text(p.Target), s.width)),
		"",
		components.Fit(fmt.Sprintf("  To archive       %7d records this run created, untouched since", len(p.Archive)), s.width),
		components.Fit(fmt.Sprintf("  Kept             %7d records left alone:", len(p.Kept)), s.width),
	}
	for _, k := range keepWords {
		if n := p.KeptCounts[k.reason]; n > 0 {
			lines = append(lines, components.Fit(fmt.Sprintf("    %-14s %7d %s", k.reason, n, k.words), s.width))
		}
	}
	if p.UndoRunID != 0 {
		lines = append(lines, components.Fit(fmt.Sprintf("  Continues undo run #%d: %d records already settled", p.UndoRunID, p.Done), s.width))
	}
	lines = append(lines, "",
		components.Wrap(fmt.Sprintf("Each record is read again right before it is archived: one modified meanwhile "+
			"(more than %s after the create) is kept. Archived records can be restored in %s. Anything but %q cancels.",
			p.Tolerance, safe.Text(p.CRM), want), s.width))
	return strings.Join(lines, "\n")
}
