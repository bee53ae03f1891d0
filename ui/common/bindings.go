package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Binding is one key of a screen in one state: the key with its help
// text, what it does, and whether it is live. A screen's keys are a
// Bindings table built for its current state, and both the dispatch and
// the help are read from that one table, so the help lists exactly the
// keys that act.
type Binding struct {
	key.Binding
	Do func(tea.KeyPressMsg) tea.Cmd
	// Nav bindings (cursor movement) are left out of the one-line help;
	// the full help (?) lists them.
	Nav bool
}

// Bind makes a live binding of k running do.
func Bind(k key.Binding, do func() tea.Cmd) Binding {
	return Binding{Binding: k, Do: func(tea.KeyPressMsg) tea.Cmd { return do() }}
}

// BindMsg is Bind for handlers that read the key pressed.
func BindMsg(k key.Binding, do func(tea.KeyPressMsg) tea.Cmd) Binding {
	return Binding{Binding: k, Do: do}
}

// When enables the binding only if live.
func (b Binding) When(live bool) Binding {
	b.SetEnabled(live)
	return b
}

// AsNav marks a cursor movement key.
func (b Binding) AsNav() Binding {
	b.Nav = true
	return b
}

// Bindings is a screen's key table for its current state.
type Bindings []Binding

// Handle runs the first live binding matching msg; used is false when no
// live binding matches (the key does nothing).
func (bs Bindings) Handle(msg tea.KeyPressMsg) (cmd tea.Cmd, used bool) {
	for _, b := range bs {
		if b.Enabled() && key.Matches(msg, b.Binding) {
			return b.Do(msg), true
		}
	}
	return nil, false
}

// Live are the enabled bindings.
func (bs Bindings) Live() Bindings {
	out := make(Bindings, 0, len(bs))
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

// ShortHelp is the one-line help: the live keys except cursor movement.
func (bs Bindings) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, b := range bs.Live() {
		if !b.Nav {
			out = append(out, b.Binding)
		}
	}
	return out
}

// FullHelp is every live key, movement first.
func (bs Bindings) FullHelp() [][]key.Binding {
	var nav, act []key.Binding
	for _, b := range bs.Live() {
		if b.Nav {
			nav = append(nav, b.Binding)
		} else {
			act = append(act, b.Binding)
		}
	}
	var out [][]key.Binding
	for len(act) > 0 {
		n := min(len(act), 4)
		out = append(out, act[:n])
		act = act[n:]
	}
	if len(nav) > 0 {
		out = append([][]key.Binding{nav}, out...)
	}
	return out
}
