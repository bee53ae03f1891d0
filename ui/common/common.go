// Package common is what every part of the console shares: the size, the
// styles, the key map, the backend and the current session, plus the
// Screen interface and the messages screens use to ask the root model to
// switch.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	engine "coexsync/sync"
)

// Common is embedded (by pointer) in every screen and component instead of
// globals. Only the root model's Update goroutine touches it.
type Common struct {
	Width, Height int
	Styles        *Styles
	Keys          *KeyMap
	Backend       Backend
	Ctx           context.Context
	Now           func() time.Time // fixed in tests so renders are stable
	PollEvery     time.Duration    // contact-count polling interval
	ExportDir     string           // where CSV exports are written
	Session       *Session
}

// Session is what the operator picked so far; the header shows it.
type Session struct {
	Number store.Number
	CRM    string
	Plan   *engine.Plan
	Opts   engine.RunOptions
	// Job is set when a job was started elsewhere (resume) and the sync
	// screen should attach to it instead of asking to confirm a plan.
	Job Job
	// RunID asks the runs screen to open this run's failures.
	RunID int64
}

// ScreenID names a screen.
type ScreenID int

const (
	NumbersScreen ScreenID = iota
	ContactsScreen
	SyncScreen
	RunsScreen
)

// Screen is one page of the console: a model, its keys for the help view,
// and a size (the body area, without header and footer).
type Screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	help.KeyMap
	SetSize(width, height int)
	// Activate is called each time the screen is shown; it reads the
	// Session and returns the loading command.
	Activate() tea.Cmd
	// Capturing reports that keys are text (a filter being typed or a
	// confirmation pending), so global keys like q must not act.
	Capturing() bool
}

// Stopper is implemented by screens that hold something to stop on quit
// (a running job).
type Stopper interface{ Stop() }

// GoMsg asks the root model to show a screen.
type GoMsg struct{ To ScreenID }

// BackMsg asks the root model to go back to the previous screen.
type BackMsg struct{}

// Go returns a command sending GoMsg.
func Go(to ScreenID) tea.Cmd { return func() tea.Msg { return GoMsg{To: to} } }

// Back returns a command sending BackMsg.
func Back() tea.Cmd { return func() tea.Msg { return BackMsg{} } }

// StatusMsg sets the status line. Err shows it as an error.
type StatusMsg struct {
	Text string
	Err  bool
}

// Status returns a command setting the status line.
func Status(text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text} }
}

// Fail returns a command showing err (with what was being done) on the
// status line. The text is sanitised when rendered: it may carry a vendor
// message.
func Fail(doing string, err error) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: doing + ": " + err.Error(), Err: true} }
}
