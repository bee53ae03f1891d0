package screens

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"coexsync/doctor"
	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

// doctorMsg is a doctor report for the screen visit gen asked in.
type doctorMsg struct {
	gen    int
	checks []doctor.Check
}

// doctorCmd runs the read-only checks for numberID.
func doctorCmd(c *common.Common, gen int, numberID string, scope doctor.Scope) tea.Cmd {
	return func() tea.Msg { return doctorMsg{gen: gen, checks: c.Backend.Doctor(c.Ctx, numberID, scope)} }
}

// failing is the first check that did not pass.
func failing(cs []doctor.Check) (doctor.Check, bool) {
	for _, c := range cs {
		if !c.OK {
			return c, true
		}
	}
	return doctor.Check{}, false
}

// checkWord is a check's result as a word, readable without colour.
func checkWord(c doctor.Check) string {
	switch {
	case !c.OK:
		return "FAIL"
	case c.Warn:
		return "WARN"
	}
	return "OK"
}

// checkLines lists checks one per line, cut to width; full wraps each
// detail and adds the fix of a failure or warning.
func checkLines(cm *common.Common, cs []doctor.Check, width int, full bool) []string {
	st := cm.Styles
	nameW := 14
	for _, c := range cs {
		nameW = max(nameW, len([]rune(c.Name)))
	}
	nameW = min(nameW, 28)
	var lines []string
	for _, c := range cs {
		word := fmt.Sprintf("%-4s", checkWord(c))
		switch {
		case !c.OK:
			word = st.Error.Render(word)
		case c.Warn:
			word = st.Warn.Render(word)
		default:
			word = st.OK.Render(word)
		}
		name := components.Fit(safe.Text(c.Name), nameW)
		if !full {
			lines = append(lines, components.Fit("  "+word+"  "+name+"  "+safe.Text(c.Detail), width))
			continue
		}
		// The whole report wraps its details under themselves: the agent
		// reads them to fix what failed.
		indent := strings.Repeat(" ", 2+4+2+nameW+2)
		detail := strings.Split(components.Wrap(safe.Text(c.Detail), max(width-len(indent), 20)), "\n")
		lines = append(lines, "  "+word+"  "+name+"  "+detail[0])
		for _, l := range detail[1:] {
			lines = append(lines, indent+l)
		}
		if c.Fix != "" && (!c.OK || c.Warn) {
			for _, l := range strings.Split(components.Wrap("fix: "+safe.Text(c.Fix), max(width-len(indent), 20)), "\n") {
				lines = append(lines, st.Muted.Render(indent+l))
			}
		}
	}
	return lines
}

// doctorView is the whole report, as the numbers screen shows it.
func doctorView(cm *common.Common, cs []doctor.Check, loading bool, width int) string {
	st := cm.Styles
	if loading {
		return "Running the read-only checks (Meta, the CRMs, the database, the clock)…"
	}
	warns := 0
	for _, c := range cs {
		if c.OK && c.Warn {
			warns++
		}
	}
	head := st.OK.Render(components.Fit("Doctor: every check passed. Nothing was written anywhere.", width))
	if warns > 0 {
		head = st.Warn.Render(components.Fit(fmt.Sprintf("Doctor: every check passed, %d with a warning to look at. Nothing was written.", warns), width))
	}
	if _, bad := failing(cs); bad {
		head = st.Error.Render(components.Fit("Doctor: some checks failed; each says how to fix it. Nothing was written.", width))
	}
	return head + "\n\n" + strings.Join(checkLines(cm, cs, width, true), "\n")
}
