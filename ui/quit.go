package ui

import (
	tea "charm.land/bubbletea/v2"

	"coexsync/ui/common"
	"coexsync/ui/components"
)

// quitState is where quitting stands while a sync runs.
type quitState int

const (
	quitNone    quitState = iota
	quitAsking            // "quit and cancel the run?" showing
	quitWaiting           // confirmed: waiting for the run to record its end
)

// busy are the screens holding a job that quitting would cut short.
func (a *App) busy() []common.Stopper {
	var out []common.Stopper
	for _, s := range a.screens {
		if st, ok := s.(common.Stopper); ok && st.Busy() {
			out = append(out, st)
		}
	}
	return out
}

// askQuit quits at once when nothing runs; otherwise it asks first, as
// cancelling a run does.
func (a *App) askQuit() tea.Cmd {
	if len(a.busy()) == 0 {
		return tea.Quit
	}
	a.quit = quitAsking
	a.layout()
	return nil
}

// quitKeys are the quit question's keys; none while waiting for the run
// (keys would only get in the way).
func (a *App) quitKeys() common.Bindings {
	if a.quit != quitAsking {
		return nil
	}
	k := a.c.Keys
	deny := func() tea.Cmd {
		a.quit = quitNone
		a.layout()
		return nil
	}
	return common.Bindings{
		common.Bind(k.Confirm, a.confirmQuit),
		common.Bind(k.Deny, deny),
		common.Bind(k.Back, deny),
	}
}

// confirmQuit cancels every running job and quits when all are over; the
// waiting happens in commands, never in Update.
func (a *App) confirmQuit() tea.Cmd {
	var cmds []tea.Cmd
	for _, st := range a.busy() {
		if cmd := st.Stop(); cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	if len(cmds) == 0 {
		return tea.Quit // the run ended while the question showed
	}
	a.quit, a.stops = quitWaiting, len(cmds)
	a.layout()
	return tea.Batch(cmds...)
}

func (a *App) stopped() tea.Cmd {
	a.stops--
	if a.quit == quitWaiting && a.stops <= 0 {
		return tea.Quit
	}
	return nil
}

// stopAll stops what still runs once the program is over, waiting as a
// quit does. Only called after the program has returned.
func (a *App) stopAll() {
	for _, st := range a.busy() {
		if cmd := st.Stop(); cmd != nil {
			cmd()
		}
	}
}

func (a *App) statusView() string {
	st := a.c.Styles
	switch a.quit {
	case quitAsking:
		return st.BadgeAlert.Render(components.Fit(
			"Quit? The running sync is cancelled; resume it later. (y/n)", a.c.Width))
	case quitWaiting:
		return st.Warn.Render(components.Fit(
			"Quitting: recording the run's last outcomes…", a.c.Width))
	}
	return components.StatusBar(a.c, a.status, a.isErr)
}
