package components

import (
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// Filter is a one-line text filter: `/` opens it, typing narrows, enter
// keeps it, esc clears it.
type Filter struct {
	Value  string
	Active bool
}

// Update edits the filter while it is active and reports whether the value
// changed.
func (f *Filter) Update(msg tea.Msg) (changed bool) {
	if !f.Active {
		return false
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.Value += msg.Content
		return true
	case tea.KeyPressMsg:
		switch msg.String() {
		case "enter":
			f.Active = false
		case "esc":
			f.Active = false
			changed = f.Value != ""
			f.Value = ""
		case "backspace":
			if f.Value != "" {
				_, size := utf8.DecodeLastRuneInString(f.Value)
				f.Value = f.Value[:len(f.Value)-size]
				changed = true
			}
		default:
			if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
				f.Value += msg.Text
				changed = true
			}
		}
	}
	return changed
}

// View is the prompt line ("" when there is no filter).
func (f *Filter) View() string {
	switch {
	case f.Active:
		return "/" + f.Value + "▏"
	case f.Value != "":
		return "filter: " + f.Value
	}
	return ""
}
