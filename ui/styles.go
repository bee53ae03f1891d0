// Package ui is the coexsync operator console: a Bubble Tea program whose
// root model routes messages to one screen at a time.
package ui

import (
	"os"

	"charm.land/lipgloss/v2"

	"coexsync/ui/common"
)

// DefaultStyles is the console's look; plain (no colour) when the NO_COLOR
// environment variable is set, whatever its value, or TERM is dumb.
func DefaultStyles() *common.Styles {
	_, noColor := os.LookupEnv("NO_COLOR")
	return NewStyles(noColor || os.Getenv("TERM") == "dumb")
}

// NewStyles builds the styles; plain drops every colour.
func NewStyles(plain bool) *common.Styles {
	base := lipgloss.NewStyle()
	s := &common.Styles{
		Plain:      plain,
		App:        base,
		Title:      base.Bold(true),
		HeaderInfo: base,
		TableHead:  base.Bold(true),
		Selected:   base.Reverse(true),
		Row:        base,
		Muted:      base,
		OK:         base,
		Warn:       base,
		Error:      base,
		Box:        base.Border(lipgloss.NormalBorder()).Padding(0, 1),
		Label:      base.Bold(true),
		Status:     base,
		Help:       base,
		// Brackets keep the badge readable without colour.
		Badge:      base.Bold(true),
		BadgeAlert: base.Bold(true),
	}
	if plain {
		return s
	}
	s.Title = s.Title.Foreground(lipgloss.Color("212"))
	s.HeaderInfo = s.HeaderInfo.Foreground(lipgloss.Color("252"))
	s.TableHead = s.TableHead.Foreground(lipgloss.Color("111"))
	s.Selected = base.Foreground(lipgloss.Color("231")).Background(lipgloss.Color("62"))
	s.Muted = s.Muted.Foreground(lipgloss.Color("244"))
	s.OK = s.OK.Foreground(lipgloss.Color("42"))
	s.Warn = s.Warn.Foreground(lipgloss.Color("214"))
	s.Error = s.Error.Foreground(lipgloss.Color("203"))
	s.Box = s.Box.BorderForeground(lipgloss.Color("240"))
	s.Status = s.Status.Foreground(lipgloss.Color("252"))
	s.Help = s.Help.Foreground(lipgloss.Color("244"))
	s.Badge = s.Badge.Foreground(lipgloss.Color("231")).Background(lipgloss.Color("28"))
	s.BadgeAlert = s.BadgeAlert.Foreground(lipgloss.Color("16")).Background(lipgloss.Color("220"))
	s.PlanStatus = map[string]lipgloss.Style{
		"create":    base.Foreground(lipgloss.Color("42")),  // green: will be written
		"exists":    base.Foreground(lipgloss.Color("111")), // blue: already there
		"ambiguous": base.Foreground(lipgloss.Color("214")), // amber: needs a person
		"invalid":   base.Foreground(lipgloss.Color("203")), // red: cannot be synced
		"duplicate": base.Foreground(lipgloss.Color("244")), // grey: another row stands for it
	}
	return s
}
