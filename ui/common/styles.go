package common

import "charm.land/lipgloss/v2"

// Styles holds every style of the console in one place; the ui package
// builds it (with or without colour).
type Styles struct {
	Plain      bool // NO_COLOR: no colours, attributes only where harmless
	App        lipgloss.Style
	Title      lipgloss.Style
	Badge      lipgloss.Style // mode badge (LIVE, OFFLINE)
	BadgeAlert lipgloss.Style // SANDBOX badge: must stand out
	HeaderInfo lipgloss.Style
	TableHead  lipgloss.Style
	Selected   lipgloss.Style
	Row        lipgloss.Style
	Muted      lipgloss.Style
	OK         lipgloss.Style
	Warn       lipgloss.Style
	Error      lipgloss.Style
	Box        lipgloss.Style // bordered panes and dialogs
	Label      lipgloss.Style
	Status     lipgloss.Style
	Help       lipgloss.Style
	// PlanStatus styles a preview row's match by its status (create,
	// exists, ambiguous, invalid, duplicate). Plain styles have none: the
	// preview prefixes a symbol instead (PlanSymbol).
	PlanStatus map[string]lipgloss.Style
}

// PlanSymbol marks a plan status where there is no colour (NO_COLOR,
// TERM=dumb): + create, = exists, ? ambiguous, ! invalid, ~ duplicate.
func PlanSymbol(status string) string {
	switch status {
	case "create":
		return "+"
	case "exists":
		return "="
	case "ambiguous":
		return "?"
	case "invalid":
		return "!"
	case "duplicate":
		return "~"
	}
	return " "
}
