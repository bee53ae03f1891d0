package components

import (
	"strings"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/safe"
)

// Header is the top line: the product, the mode badge and the number and
// CRM of the screen in front (h), never what an earlier screen picked.
func Header(c *common.Common, h common.Heading) string {
	st := c.Styles
	mode := c.Backend.Mode()
	badge := st.Badge
	if mode == common.ModeSandbox {
		badge = st.BadgeAlert
	}
	parts := []string{st.Title.Render("coexsync"), badge.Render("[" + mode + "]")}
	if n := h.Number; n.ID != "" || n.DisplayPhoneNumber != "" {
		parts = append(parts, st.HeaderInfo.Render(NumberLabel(n)))
	}
	if h.CRM != "" {
		parts = append(parts, st.HeaderInfo.Render("→ "+safe.Text(h.CRM)))
	}
	return Fit(strings.Join(parts, "  "), c.Width)
}

// NumberLabel is a number's display form and name, safe to print. A
// number known only by its Graph id (a run whose number is no longer in
// the database) is not shown by that id, which agents do not know it by.
func NumberLabel(n store.Number) string {
	if n.DisplayPhoneNumber == "" {
		return "(number not in the database)"
	}
	return safe.Text(strings.TrimSpace(n.DisplayPhoneNumber + " " + n.VerifiedName))
}

// maxErrorLines bounds how much of the screen an error may take: enough for
// what went wrong and the hint that says what to do.
const maxErrorLines = 3

// StatusBar is the line above the help: the last message of the screen.
// An error wraps (up to maxErrorLines) so its advice is never cut off.
func StatusBar(c *common.Common, msg string, isErr bool) string {
	if !isErr {
		return c.Styles.Status.Render(Fit(safe.Text(msg), c.Width))
	}
	lines := strings.Split(Wrap(safe.Text(msg), c.Width), "\n")
	if len(lines) > maxErrorLines {
		lines = lines[:maxErrorLines]
		lines[maxErrorLines-1] = Fit(lines[maxErrorLines-1]+" …", c.Width)
	}
	for i, l := range lines {
		lines[i] = c.Styles.Error.Render(Fit(l, c.Width))
	}
	return strings.Join(lines, "\n")
}
