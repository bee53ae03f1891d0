package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
		a.status = ""
		return a, a.current().Activate()
	case tea.KeyPressMsg:
		if a.quit != quitNone {
			return a, a.quitKey(msg)
		}
		if cmd, used := a.globalKey(msg); used {
			return a, cmd
		}
		return a, a.toCurrent(msg)
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

func (a *App) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := a.c.Keys
	if msg.String() == "ctrl+c" || (!a.current().Capturing() && key.Matches(msg, k.Quit)) {
		return a.askQuit(), true
	}
	if !a.current().Capturing() && key.Matches(msg, k.Help) {
		a.help.ShowAll = !a.help.ShowAll
		a.layout()
		return nil, true
	}
	return nil, false
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
	a.status = ""
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

func (a *App) helpView() string {
	if a.quit != quitNone {
		return a.help.View(quitHelp{a.c.Keys, a.quit})
	}
	return a.help.View(a.current())
}

// View draws header, screen, status line and help.
func (a *App) View() tea.View {
	helpView := a.helpView()
	bodyH := max(a.c.Height-2-strings.Count(helpView, "\n")-1, 3)
	body := components.Frame(a.current().View(), a.c.Width, bodyH)
	content := strings.Join([]string{
		components.Header(a.c), body, a.statusView(), helpView,
	}, "\n")
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
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
