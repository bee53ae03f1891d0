// Package common is what every part of the console shares: the size, the
// styles, the key map, the backend and the current session, plus the
// Screen interface and the messages screens use to ask the root model to
// switch.
package common

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"coexsync/store"
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
	// StopWait bounds how long quitting waits for a cancelled run to
	// record its last outcomes.
	StopWait time.Duration
	Session  *Session
	// Depth is how many screens are on the stack: esc goes back only
	// when there is a screen to go back to. Set by the root model.
	Depth int
}

// Session is what the operator picked so far; the header shows it. It
// holds no plan or job: those are handed from screen to screen with GoMsg,
// so a spent plan can never be found here again.
type Session struct {
	Number store.Number
	CRM    string
}

// Heading is the number and CRM the screen in front works on; the header
// is derived from it, never from what an earlier screen picked.
type Heading struct {
	Number store.Number
	CRM    string
}

// ScreenID names a screen.
type ScreenID int

const (
	NumbersScreen ScreenID = iota
	ContactsScreen
	SyncScreen
	RunsScreen
)

// Screen is one page of the console: a model, its key table for the
// current state, and a size (the body area, without header and footer).
type Screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	// Keys is the screen's binding table in its current state: the root
	// model dispatches key presses through it and renders the help from
	// it, so the help never lists a key that does nothing.
	Keys() Bindings
	// Heading is what the header shows while the screen is in front.
	Heading() Heading
	SetSize(width, height int)
	// Activate is called each time the screen is shown; it reads the
	// Session and returns the loading command.
	Activate() tea.Cmd
	// Capturing reports that keys are text (a filter being typed or a
	// confirmation pending), so global keys like q must not act.
	Capturing() bool
}

// Stopper is implemented by screens that can hold a running job.
type Stopper interface {
	// Busy reports a job that quitting would cut short.
	Busy() bool
	// Stop cancels the job. Its command ends with StoppedMsg once the job
	// has recorded its end, or after StopWait.
	Stop() tea.Cmd
}

// StoppedMsg reports that a Stopper's job is over (or the wait ran out).
type StoppedMsg struct{}

// GoMsg asks the root model to show a screen. With, when set, is handed to
// that screen (its Update) before it is activated: how a screen passes a
// plan or a run to the next one.
type GoMsg struct {
	To   ScreenID
	With tea.Msg
}

// BackMsg asks the root model to go back to the previous screen.
type BackMsg struct{}

// Go returns a command sending GoMsg.
func Go(to ScreenID) tea.Cmd { return func() tea.Msg { return GoMsg{To: to} } }

// GoWith returns a command showing to after handing it with.
func GoWith(to ScreenID, with tea.Msg) tea.Cmd {
	return func() tea.Msg { return GoMsg{To: to, With: with} }
}

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
	return func() tea.Msg { return StatusMsg{Text: Sentence(doing, err), Err: true} }
}
