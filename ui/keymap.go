package ui

import (
	"charm.land/bubbles/v2/key"

	"coexsync/ui/common"
)

// DefaultKeyMap is every binding of the console.
func DefaultKeyMap() *common.KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &common.KeyMap{
		Up:           b("↑/k", "up", "up", "k"),
		Down:         b("↓/j", "down", "down", "j"),
		PageUp:       b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown:     b("pgdn", "page down", "pgdown", "ctrl+d"),
		Home:         b("g", "top", "home", "g"),
		End:          b("G", "bottom", "end", "G"),
		Select:       b("enter", "select", "enter"),
		Back:         b("esc", "back", "esc"),
		Quit:         b("q", "quit", "q", "ctrl+c"),
		Help:         b("?", "help", "?"),
		Filter:       b("/", "filter", "/"),
		StatusFilter: b("s", "status filter", "s"),
		ReasonFilter: b("f", "reason filter", "f"),
		Sort:         b("o", "sort", "o"),
		Confirm:      b("y", "yes", "y"),
		Deny:         b("n", "no", "n"),
		Cancel:       b("x", "cancel run", "x"),
		Runs:         b("r", "runs", "r"),
		Refresh:      b("ctrl+r", "refresh", "ctrl+r"),
		Request:      b("enter", "request contacts", "enter"),
		BuildPlan:    b("p", "build plan", "p"),
		StartSync:    b("S", "sync…", "S"),
		Retry:        b("R", "retry failed", "R"),
		Resume:       b("u", "resume run", "u"),
		Export:       b("e", "export CSV", "e"),
		Copy:         b("y", "copy id", "y"),
		Doctor:       b("d", "doctor", "d"),
		Undo:         b("U", "undo run…", "U"),
		SortDir:      b("O", "reverse sort", "O"),
		Mouse:        b("m", "mouse", "m"),
	}
}
