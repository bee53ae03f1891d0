package screens

import (
	"cmp"
	"fmt"
	"strings"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

func (s *Sync) View() string {
	switch s.state {
	case syncIdle:
		return "Nothing to sync: pick a number first."
	case syncConfirm:
		if s.req.isUndo() {
			return s.undoView()
		}
		if s.req.isResume() {
			return s.resumeView()
		}
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
	req := s.req
	p := req.plan
	fills := fillCount(p)
	title := "Sync " + components.NumberLabel(req.number) + " into " + req.crm
	if req.opts.Mode == store.ModeRetry {
		title = fmt.Sprintf("Retry the failed contacts of run #%d in %s", req.opts.ParentRunID, req.crm)
	}
	skips := p.Counts[engine.StatusExists] + p.Counts[engine.StatusAmbiguous] + p.Counts[engine.StatusDuplicate]
	create, fail := p.Counts[engine.StatusCreate], p.Counts[engine.StatusInvalid]
	// The question comes first so no terminal size can hide it; the lines
	// add up to the total (filled names are part of Skip).
	lines := []string{
		st.BadgeAlert.Render(components.Fit("Start writing to "+safe.Text(req.crm)+"? (y/n)", s.width)),
		"",
		st.Label.Render(components.Fit(title, s.width)),
		st.Muted.Render(components.Fit("account: "+safe.Text(p.Target), s.width)),
		"",
		components.Fit(fmt.Sprintf("  Create           %7d new contacts", create), s.width),
		components.Fit(fmt.Sprintf("  Skip             %7d already in the CRM, ambiguous or duplicate", skips), s.width),
		components.Fit(fmt.Sprintf("    of which       %7d existing records with no name get the WhatsApp name", fills), s.width),
		components.Fit(fmt.Sprintf("  Fail             %7d invalid numbers (listed in the runs browser)", fail), s.width),
		components.Fit(fmt.Sprintf("  Total            %7d contacts", create+skips+fail), s.width),
		"",
		components.Fit("Nothing is ever written back to WhatsApp.", s.width),
	}
	if n := p.LeftOut.Count; n > 0 {
		// Outside the total: these contacts are not part of the run.
		lines = append(lines, "", st.Warn.Render(components.Wrap(p.LeftOut.Text(), s.width)))
	}
	return strings.Join(lines, "\n")
}

// resumeView says what resuming a run will do before anything is written.
func (s *Sync) resumeView() string {
	st := s.c.Styles
	r := s.req.resume
	lines := []string{
		st.BadgeAlert.Render(components.Fit("Resume writing to "+safe.Text(r.CRM)+"? (y/n)", s.width)),
		"",
		st.Label.Render(components.Fit(fmt.Sprintf("Resume run #%d (%s) of %s into %s",
			r.ID, r.Status, components.NumberLabel(s.req.number), safe.Text(r.CRM)), s.width)),
		st.Muted.Render(components.Fit("account: "+safe.Text(cmp.Or(r.Target, "(not recorded)")), s.width)),
		"",
		components.Fit(fmt.Sprintf("  Done             %7d created, skipped or failed: not touched again", r.Created+r.Skipped+r.Failed), s.width),
		components.Fit(fmt.Sprintf("  Left             %7d contacts, matched against the CRM again", unprocessed(r)), s.width),
		"",
		components.Fit("Creates sent before the stop but never confirmed are looked up in the", s.width),
		components.Fit("CRM first: no contact is created twice. Nothing is written to WhatsApp.", s.width),
	}
	return strings.Join(lines, "\n")
}

func (s *Sync) liveView() string {
	st := s.c.Styles
	pane := components.RunPane(s.c, &s.bar, s.run, s.width)
	status := "Running run #" + fmt.Sprint(s.job.RunID())
	if s.undo {
		status = "Archiving: undo run #" + fmt.Sprint(s.job.RunID())
	}
	switch {
	case s.askCancel:
		status = st.BadgeAlert.Render("Cancel the run? Written contacts stay recorded; resume it later. (y/n)")
	case s.state == syncCancelling && s.quitting:
		status = st.Warn.Render("Quitting: cancelling the run and recording its last outcomes…")
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
	counts := st.OK.Render(fmt.Sprintf("Created %d", sum.Created)) + "   " + fmt.Sprintf("Skipped %d (names filled %d)", sum.Skipped, s.named)
	title := fmt.Sprintf("Run #%d %s in %s", sum.RunID, sum.Status, components.Dur(sum.Elapsed))
	if s.undo {
		counts = st.OK.Render(fmt.Sprintf("Archived %d", sum.Created)) + "   " + fmt.Sprintf("Kept %d", sum.Skipped)
		title = fmt.Sprintf("Undo run #%d %s in %s", sum.RunID, sum.Status, components.Dur(sum.Elapsed))
	}
	lines := []string{
		st.Label.Render(title),
		counts + "   " + st.Error.Render(fmt.Sprintf("Failed %d", sum.Failed)) + fmt.Sprintf("   of %d", sum.Total),
	}
	if sum.Err != nil {
		lines = append(lines, st.Error.Render(components.Wrap(safe.Text(common.Sentence("stopped", sum.Err)), s.width)))
	}
	if r := s.summaryRun(); resumable(r) && !s.undo {
		lines = append(lines, st.Warn.Render(components.Fit(
			fmt.Sprintf("%d contacts not processed: press u to resume this run.", unprocessed(r)), s.width)))
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
			lines = append(lines, components.Fit(safe.Line(failureLine(o)), s.width))
		}
	}
	return strings.Join(lines, "\n")
}

// failureLine is a failed outcome with what an agent can do about it; the
// name, number and CRM's text are isolated from each other.
func failureLine(o store.Outcome) string {
	return fmt.Sprintf("%s  %s  %s: %s", components.IsolatedName(o.Name), safe.Isolate(o.Raw), o.Reason,
		safe.Isolate(o.ReasonText))
}

// fillCount is how many existing records the plan gives a name.
func fillCount(p *engine.Plan) int {
	n := 0
	for i := range p.Rows {
		if p.Rows[i].FillName {
			n++
		}
	}
	return n
}
