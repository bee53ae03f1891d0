package screens

import (
	"cmp"
	"fmt"
	"strings"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

func (s *Sync) View() string {
	switch s.state {
	case syncIdle:
		return "Nothing to sync: pick a number first."
	case syncConfirm:
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
	fills := 0
	for i := range p.Rows {
		if p.Rows[i].FillName {
			fills++
		}
	}
	title := "Sync " + components.NumberLabel(req.number) + " into " + req.crm
	if req.opts.Mode == store.ModeRetry {
		title = fmt.Sprintf("Retry the failed contacts of run #%d in %s", req.opts.ParentRunID, req.crm)
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
		st.BadgeAlert.Render("Start writing to " + req.crm + "? (y/n)"),
	}
	return strings.Join(lines, "\n")
}

// resumeView says what resuming a run will do before anything is written.
func (s *Sync) resumeView() string {
	st := s.c.Styles
	r := s.req.resume
	lines := []string{
		st.Label.Render(components.Fit(fmt.Sprintf("Resume run #%d (%s) of %s into %s",
			r.ID, r.Status, components.NumberLabel(s.req.number), safe.Text(r.CRM)), s.width)),
		st.Muted.Render(components.Fit("account: "+safe.Text(cmp.Or(r.Target, "(not recorded)")), s.width)),
		"",
		components.Fit(fmt.Sprintf("  Done             %7d created, skipped or failed: not touched again", r.Created+r.Skipped+r.Failed), s.width),
		components.Fit(fmt.Sprintf("  Left             %7d contacts, matched against the CRM again", unprocessed(r)), s.width),
		"",
		components.Fit("Creates sent before the stop but never confirmed are looked up in the", s.width),
		components.Fit("CRM first: no contact is created twice. Nothing is written to WhatsApp.", s.width),
		"",
		st.BadgeAlert.Render("Resume writing to " + safe.Text(r.CRM) + "? (y/n)"),
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
	lines := []string{
		st.Label.Render(fmt.Sprintf("Run #%d %s in %s", sum.RunID, sum.Status, components.Dur(sum.Elapsed))),
		st.OK.Render(fmt.Sprintf("Created %d", sum.Created)) + "   " + fmt.Sprintf("Skipped %d", sum.Skipped) +
			"   " + st.Error.Render(fmt.Sprintf("Failed %d", sum.Failed)) + fmt.Sprintf("   of %d", sum.Total),
	}
	if sum.Err != nil {
		lines = append(lines, st.Error.Render(components.Fit("Stopped: "+safe.Text(sum.Err.Error()), s.width)))
	}
	if r := s.summaryRun(); resumable(r) {
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
			lines = append(lines, components.Fit(safe.Text(failureLine(o)), s.width))
		}
	}
	return strings.Join(lines, "\n")
}

// failureLine is a failed outcome with what an agent can do about it.
func failureLine(o store.Outcome) string {
	return fmt.Sprintf("%s  %s  %s: %s", components.NameOr(o.Name), o.Raw, o.Reason, o.ReasonText)
}
