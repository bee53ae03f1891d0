package components

import (
	"strings"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/safe"
)

// Header is the top line: the product, the mode badge and what the
// operator picked so far.
func Header(c *common.Common) string {
	st := c.Styles
	mode := c.Backend.Mode()
	badge := st.Badge
	if mode == common.ModeSandbox {
		badge = st.BadgeAlert
	}
	parts := []string{st.Title.Render("coexsync"), badge.Render("[" + mode + "]")}
	if n := c.Session.Number; n.ID != "" {
		parts = append(parts, st.HeaderInfo.Render(NumberLabel(n)))
	}
	if c.Session.CRM != "" {
		parts = append(parts, st.HeaderInfo.Render("→ "+c.Session.CRM))
	}
	return Fit(strings.Join(parts, "  "), c.Width)
}

// NumberLabel is a number's display form and name, safe to print; the
// Graph id when the number is known only by id (a run from the database).
func NumberLabel(n store.Number) string {
	if n.DisplayPhoneNumber == "" {
		return "number " + safe.Text(n.ID)
	}
	return safe.Text(strings.TrimSpace(n.DisplayPhoneNumber + " " + n.VerifiedName))
}

// StatusBar is the line above the help: the last message of the screen.
func StatusBar(c *common.Common, msg string, isErr bool) string {
	style := c.Styles.Status
	if isErr {
		style = c.Styles.Error
	}
	return style.Render(Fit(safe.Text(msg), c.Width))
}
