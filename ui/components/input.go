package components

import (
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// Input is a one-line text answer typed by the agent: a confirmation word
// ("force", "undo 12"). Enter and esc are the screen's keys, not text.
type Input struct {
	Value string
}

// Update edits the value with typed or pasted text and backspace.
func (in *Input) Update(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		in.Value += msg.Content
	case tea.KeyPressMsg:
		switch {
		case msg.String() == "backspace" && in.Value != "":
			_, n := utf8.DecodeLastRuneInString(in.Value)
			in.Value = in.Value[:len(in.Value)-n]
		case msg.Text != "" && msg.Mod&^tea.ModShift == 0:
			in.Value += msg.Text
		}
	}
}

// View is the value with a cursor after it.
func (in *Input) View() string { return "> " + in.Value + "▏" }
