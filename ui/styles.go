// Package ui is the coexsync operator console: a Bubble Tea program whose
// root model routes messages to one screen at a time.
package ui

import (
	"os"

	"charm.land/lipgloss/v2"

	"coexsync/ui/common"
)

// DefaultStyles is the console's look; plain (no colour) when the NO_COLOR
// environment variable is set, whatever its value.
func DefaultStyles() *common.Styles {
	_, noColor := os.LookupEnv("NO_COLOR")
	return NewStyles(noColor)
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
	return s
}
