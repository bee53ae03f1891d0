package screens

import "charm.land/bubbles/v2/key"

// Keys whose help says something more precise than the key map's.
var (
	keep        = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter"))
	clearFilter = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"))
	writeFile   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write"))
	cancelKey   = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
)
