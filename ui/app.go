package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/screens"
)

// Options tune the console; the zero value is what main wants.
type Options struct {
	Start     common.ScreenID // first screen (RunsScreen for offline browsing)
	Ctx       context.Context // backend calls use it; Background when nil
	Now       func() time.Time
	PollEvery time.Duration // contact-count polling while webhooks arrive
	ExportDir string        // where CSV exports go; the current directory when ""
	StopWait  time.Duration // how long quitting waits for a cancelled run; 2 s when 0
	Styles    *common.Styles
	Keys      *common.KeyMap
}

// MinWidth and MinHeight are the smallest terminal the console draws in:
// below them a question or its answer keys could be cut off.
const (
	MinWidth  = 60
	MinHeight = 15
)

// App is the root model: it routes messages to the current screen and
// switches screens. Everything else lives in the screens.
type App struct {
	c       *common.Common
	screens [4]common.Screen
	stack   []common.ScreenID
	help    help.Model
	status  string
	isErr   bool
	quit    quitState
	stops   int // Stop commands still waiting for their job
	// wheel is mouse capture: off by default so a phone number can be
	// selected and copied with the mouse; m turns it on for the wheel.
	wheel bool
}

// New builds the console over b.
func New(b common.Backend, opts Options) *App {
	c := &common.Common{
		Width: 80, Height: 24, Backend: b, Ctx: opts.Ctx, Now: opts.Now, PollEvery: opts.PollEvery,
		ExportDir: opts.ExportDir, StopWait: opts.StopWait, Styles: opts.Styles, Keys: opts.Keys,
		Session: &common.Session{},
	}
	if c.Ctx == nil {
		c.Ctx = context.Background()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PollEvery <= 0 {
		c.PollEvery = time.Second
	}
	if c.StopWait <= 0 {
		c.StopWait = screens.DefaultStopWait
	}
	if c.ExportDir == "" {
		c.ExportDir = "."
	}
	if c.Styles == nil {
		c.Styles = DefaultStyles()
	}
	if c.Keys == nil {
		c.Keys = DefaultKeyMap()
	}
	a := &App{c: c, stack: []common.ScreenID{opts.Start}, help: help.New()}
	c.Depth = 1
	a.screens = [4]common.Screen{
		common.NumbersScreen:  screens.NewNumbers(c),
		common.ContactsScreen: screens.NewContacts(c),
		common.SyncScreen:     screens.NewSync(c),
		common.RunsScreen:     screens.NewRuns(c),
	}
	hs := c.Styles.Help
	a.help.Styles = help.Styles{Ellipsis: hs, ShortKey: hs, ShortDesc: hs, ShortSeparator: hs,
		FullKey: hs, FullDesc: hs, FullSeparator: hs}
	a.layout()
	return a
}

func (a *App) current() common.Screen { return a.screens[a.stack[len(a.stack)-1]] }

// Init loads the first screen.
func (a *App) Init() tea.Cmd { return a.current().Activate() }

// Update routes msg.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.layout()
		return a, nil
	case common.StatusMsg:
		a.status, a.isErr = msg.Text, msg.Err
		return a, nil
	case common.GoMsg:
		return a, a.show(msg.To, msg.With)
	case common.StoppedMsg:
		return a, a.stopped()
	case common.BackMsg:
		if len(a.stack) == 1 {
			return a, nil
		}
		a.stack = a.stack[:len(a.stack)-1]
		a.c.Depth = len(a.stack)
		a.status, a.isErr = "", false
		return a, a.current().Activate()
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" { // always honoured, even while typing
			switch a.quit {
			case quitNone:
				return a, a.askQuit()
			case quitAsking:
				return a, a.confirmQuit()
			}
		}
		if cmd, used := a.Keys().Handle(msg); used {
			return a, cmd
		}
		if a.quit == quitNone && a.current().Capturing() {
			return a, a.toCurrent(msg) // text typed into a filter or a path
		}
		return a, nil
	case tea.MouseMsg, tea.PasteMsg:
		return a, a.toCurrent(msg)
	}
	// Replies of async work go to every screen: the one that asked may no
	// longer be in front (a sync keeps running while runs are browsed).
	var cmds []tea.Cmd
	for i, s := range a.screens {
		var cmd tea.Cmd
		a.screens[i], cmd = s.Update(msg)
		cmds = append(cmds, cmd)
	}
	return a, tea.Batch(cmds...)
}

func (a *App) toCurrent(msg tea.Msg) tea.Cmd {
	id := a.stack[len(a.stack)-1]
	var cmd tea.Cmd
	a.screens[id], cmd = a.screens[id].Update(msg)
	return cmd
}

// Keys is the one table of live keys: the quit question's while it
// shows, else the screen's plus help and quit (unless the screen takes
// keys as text or asks a question). Dispatch and help both read it.
func (a *App) Keys() common.Bindings {
	if a.quit != quitNone {
		return a.quitKeys()
	}
	help := common.Bind(a.c.Keys.Help, func() tea.Cmd {
		a.help.ShowAll = !a.help.ShowAll
		a.layout()
		return nil
	})
	quit := common.Bind(a.c.Keys.Quit, a.askQuit)
	free := !a.current().Capturing()
	return append(a.current().Keys(),
		help.When(free),
		quit.When(free),
		common.Bind(a.mouseKey(), a.toggleMouse).When(free).AsNav(),
	)
}

// mouseKey is the mouse toggle with help saying what pressing it does.
func (a *App) mouseKey() key.Binding {
	k := a.c.Keys.Mouse
	if a.wheel {
		k.SetHelp(k.Help().Key, "mouse: select text")
	} else {
		k.SetHelp(k.Help().Key, "mouse: wheel")
	}
	return k
}

// toggleMouse switches between selecting text with the mouse (the
// default) and scrolling lists with the wheel.
func (a *App) toggleMouse() tea.Cmd {
	a.wheel = !a.wheel
	if a.wheel {
		return common.Status("Mouse wheel scrolls; press m again to select text with the mouse.")
	}
	return common.Status("Mouse selects text; press m for the wheel to scroll.")
}

// MouseMode is the mouse reporting the console asks of the terminal.
func (a *App) MouseMode() tea.MouseMode {
	if a.wheel {
		return tea.MouseModeCellMotion
	}
	return tea.MouseModeNone
}

// show brings a screen to the front, handing it with first; a screen
// already on the stack is returned to rather than stacked twice.
func (a *App) show(id common.ScreenID, with tea.Msg) tea.Cmd {
	for i, s := range a.stack {
		if s == id {
			a.stack = a.stack[:i]
			break
		}
	}
	a.stack = append(a.stack, id)
	a.c.Depth = len(a.stack)
	a.status, a.isErr = "", false
	a.layout()
	var handed tea.Cmd
	if with != nil {
		a.screens[id], handed = a.screens[id].Update(with)
	}
	return tea.Batch(handed, a.current().Activate())
}

// layout gives the screens what header, status line and help leave.
func (a *App) layout() {
	a.help.SetWidth(a.c.Width)
	h := max(a.c.Height-2-strings.Count(a.helpView(), "\n")-1, 3)
	for _, s := range a.screens {
		s.SetSize(a.c.Width, h)
	}
}

// helpView is the live keys: all of them, grouped, after ?; else one
// line per screenful of keys, wrapped rather than cut so none is hidden.
func (a *App) helpView() string {
	keys := a.Keys()
	if a.help.ShowAll {
		return a.help.FullHelpView(keys.FullHelp())
	}
	var lines []string
	line := ""
	for _, b := range keys.ShortHelp() {
		item := b.Help().Key + " " + b.Help().Desc
		switch {
		case line == "":
			line = item
		case ansi.StringWidth(line+" • "+item) > a.c.Width:
			lines = append(lines, line)
			line = item
		default:
			line += " • " + item
		}
	}
	lines = append(lines, line)
	return a.c.Styles.Help.Render(components.Frame(strings.Join(lines, "\n"), a.c.Width, len(lines)))
}

// View draws header, screen, status line and help.
func (a *App) View() tea.View {
	var content string
	if a.c.Width < MinWidth || a.c.Height < MinHeight {
		content = components.Frame(fmt.Sprintf("Terminal too small (%d×%d): make it at least %d×%d.",
			a.c.Width, a.c.Height, MinWidth, MinHeight), a.c.Width, a.c.Height)
	} else {
		helpView, statusView := a.helpView(), a.statusView()
		bodyH := max(a.c.Height-2-strings.Count(helpView, "\n")-strings.Count(statusView, "\n")-1, 3)
		body := components.Frame(a.current().View(), a.c.Width, bodyH)
		content = strings.Join([]string{
			components.Header(a.c, a.current().Heading()), body, statusView, helpView,
		}, "\n")
	}
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = a.MouseMode()
	v.WindowTitle = "coexsync"
	return v
}

// Run shows the console on the terminal until the operator quits or ctx
// ends. opts.Ctx defaults to ctx.
func Run(ctx context.Context, b common.Backend, opts Options) error {
	if opts.Ctx == nil {
		opts.Ctx = ctx
	}
	a := New(b, opts)
	_, err := tea.NewProgram(a, tea.WithContext(ctx)).Run()
	// The program may have ended without the operator (ctx done): a job
	// still running must record its end before the database closes.
	a.stopAll()
	return err
}
