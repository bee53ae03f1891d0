package components

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/progress"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/safe"
)

// RunState is what the live panes show, folded from the engine's events.
type RunState struct {
	Progress engine.Progress
	Waits    int
	// WaitLongest is the longest single wait: waits of concurrent calls
	// overlap, so their sum would exceed the time that passed.
	WaitLongest time.Duration
	LastWait    string
	Retries     int
	LastRetry   string
	Phase       string
	// Undo: the run archives; its created outcomes are records archived
	// and its skipped ones records kept.
	Undo bool
}

// Apply folds ev into the state and returns the log line it produces ("" for
// none). Lines are raw; the log pane sanitises them.
func (s *RunState) Apply(ev engine.Event) string {
	switch ev := ev.(type) {
	case engine.Progress:
		s.Progress = ev
	case engine.OutcomeEvent:
		if s.Undo {
			return UndoLine(ev.Outcome)
		}
		return OutcomeLine(ev.Outcome)
	case engine.RateLimited:
		s.Waits++
		s.WaitLongest = max(s.WaitLongest, ev.Wait)
		s.LastWait = fmt.Sprintf("%s %s %s", ev.Endpoint, Dur(ev.Wait), ev.Detail)
		return "rate limit: waiting " + s.LastWait
	case engine.Retrying:
		s.Retries++
		s.LastRetry = fmt.Sprintf("%s attempt %d in %s (%s)", ev.Endpoint, ev.Attempt, Dur(ev.Wait), ev.Reason)
		return "retry: " + s.LastRetry
	case engine.Phase:
		s.Phase = ev.Name
		return "phase: " + ev.Name
	}
	return ""
}

// OutcomeLine is one outcome for the log and the failure lists. The name
// and the CRM's id are isolated (safe.Isolate): a number next to an Arabic
// or Hebrew name must not be reordered into it.
func OutcomeLine(o store.Outcome) string {
	line := fmt.Sprintf("%-7s %s  %s", o.Status, IsolatedName(o.Name), safe.Isolate(o.Raw))
	if o.CRMID != "" {
		line += "  #" + safe.Isolate(o.CRMID)
	}
	if o.Reason != "" {
		line += "  " + o.Reason
	}
	return line
}

// UndoLine is one outcome of an undo run for the log.
func UndoLine(o store.Outcome) string {
	word := string(o.Status)
	switch o.Status {
	case store.OutcomeCreated:
		word = "archived"
	case store.OutcomeSkipped:
		word = "kept"
	}
	o.Status = store.OutcomeStatus(word)
	if o.Reason == "archived" {
		o.Reason = ""
	}
	return OutcomeLine(o)
}

// IsolatedName is NameOr made safe and isolated from the text around it.
func IsolatedName(n string) string {
	if n == "" {
		return NameOr(n)
	}
	return safe.Isolate(n)
}

// NameOr is a contact name, or a marker when WhatsApp gave none.
func NameOr(n string) string {
	if n == "" {
		return "(no name)"
	}
	return n
}

// Dur renders a duration to the tenth of a second: enough for waits.
func Dur(d time.Duration) string {
	if d >= time.Minute {
		return d.Round(time.Second).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// RunPane renders the progress bar, counters, throughput and rate-limit
// state.
func RunPane(c *common.Common, bar *progress.Model, s RunState, width int) string {
	st := c.Styles
	p := s.Progress
	pct := 0.0
	if p.Total > 0 {
		pct = float64(p.Done) / float64(p.Total)
	}
	count := fmt.Sprintf(" %d/%d", p.Done, p.Total)
	bar.SetWidth(max(width-len(count), 10))
	eta := "–"
	if p.ETA > 0 {
		eta = Dur(p.ETA)
	}
	created, skipped, unit := "Created", "Skipped", "contacts/s"
	if s.Undo {
		created, skipped, unit = "Archived", "Kept", "records/s"
	}
	lines := []string{
		bar.ViewAs(pct) + count,
		st.OK.Render(fmt.Sprintf("%s %d", created, p.Created)) + "   " +
			st.Muted.Render(fmt.Sprintf("%s %d", skipped, p.Skipped)) + "   " +
			st.Error.Render(fmt.Sprintf("Failed %d", p.Failed)),
		fmt.Sprintf("%.1f %s   ETA %s   elapsed %s", p.Rate, unit, eta, Dur(p.Elapsed)),
		fmt.Sprintf("Rate-limit waits %d (longest %s)   Retries %d", s.Waits, Dur(s.WaitLongest), s.Retries),
	}
	if s.LastWait != "" {
		lines = append(lines, "last wait: "+safe.Text(s.LastWait))
	}
	if s.LastRetry != "" {
		lines = append(lines, "last retry: "+safe.Text(s.LastRetry))
	}
	if s.Phase != "" {
		lines = append(lines, "phase: "+safe.Text(s.Phase))
	}
	for i, l := range lines {
		lines[i] = Fit(l, width)
	}
	return strings.Join(lines, "\n")
}

// LogPane renders the newest lines of the log that fit in h lines; the
// isolates of outside text in them are kept.
func LogPane(c *common.Common, log *Ring, width, h int) string {
	lines := log.Last(h)
	for i, l := range lines {
		lines[i] = Fit(safe.Line(l), width)
	}
	return Lines(strings.Join(lines, "\n"), h)
}
