package ui

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"coexsync/internal/testexit"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // run times render in local time; pin it
	testexit.Exit(m.Run())
}

// consoleGoroutines is the stacks of the goroutines in Bubble Tea's or
// the console's code, for a wait that timed out: whether the event loop
// was stuck, and where, or idle while the screen did not change.
func consoleGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "bubbletea") || strings.Contains(g, "coexsync/ui") {
			out = append(out, g)
		}
	}
	return "goroutines of the console:\n" + strings.Join(out, "\n\n")
}

// sizes are the terminal sizes every screen is checked at.
var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"120x40", 120, 40}}

func newApp(t testing.TB, b *uitest.Backend, start common.ScreenID) *App {
	return newStyledApp(t, b, start, NewStyles(true))
}

// newStyledApp is newApp with other styles (colour).
func newStyledApp(t testing.TB, b *uitest.Backend, start common.ScreenID, st *common.Styles) *App {
	return New(b, Options{
		Start: start, Now: func() time.Time { return uitest.Clock }, PollEvery: 5 * time.Millisecond,
		ExportDir: t.TempDir(), Styles: st, Keys: DefaultKeyMap(),
	})
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	}
	if c, ok := strings.CutPrefix(s, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(c)[0], Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// session drives the console in a real program at one terminal size.
type session struct {
	t       *testing.T
	b       *uitest.Backend
	tm      *teatest.TestModel
	frames  *frames
	timeout time.Duration // per wait; 10 s unless set: a bound for failures only
	seen    []byte        // output read but not yet matched
}

func start(t *testing.T, a *App, w, h int) *session {
	f := &frames{}
	return &session{t: t, tm: teatest.NewTestModel(t, framed{a, f}, teatest.WithInitialTermSize(w, h)),
		frames: f, timeout: 10 * time.Second}
}

// frames keeps the last frame the program drew: the terminal stream holds
// only what changed, so a text can be on screen without being in it.
type frames struct {
	mu     sync.Mutex
	last   string
	header string // the header line of the last frame
	status string // the status line of the last frame
	mouse  tea.MouseMode
}

// lines returns the header and status line of the last frame, trimmed.
func (f *frames) lines() (header, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.TrimSpace(f.header), strings.TrimSpace(f.status)
}

func (f *frames) get() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// framed is the console recording each frame it draws.
type framed struct {
	*App
	f *frames
}

func (m framed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.App.Update(msg)
	return m, cmd
}

func (m framed) View() tea.View {
	v := m.App.View()
	m.f.mu.Lock()
	m.f.last = ansi.Strip(v.Content)
	m.f.header, _, _ = strings.Cut(m.f.last, "\n")
	m.f.status = ansi.Strip(m.App.statusView())
	m.f.mouse = v.MouseMode
	m.f.mu.Unlock()
	return v
}

// shows waits until the frame on screen holds every text.
func (s *session) shows(texts ...string) *session {
	s.t.Helper()
	deadline := time.Now().Add(s.timeout)
	for {
		f := s.frames.get()
		missing := ""
		for _, text := range texts {
			if !strings.Contains(f, text) {
				missing = text
				break
			}
		}
		if missing == "" {
			return s
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %q: not on screen after %s; screen:\n%s\n%s", missing, s.timeout, f, consoleGoroutines())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// until waits for cond, which a command of the console makes true.
func (s *session) until(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(s.timeout)
	for !cond() {
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s: not after %s; screen:\n%s\n%s", what, s.timeout, s.frames.get(), consoleGoroutines())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *session) keys(keys ...string) *session {
	for _, k := range keys {
		s.tm.Send(press(k))
	}
	return s
}

// waitFor blocks until the terminal shows text after what the previous
// waitFor matched; output read past a match is kept for the next wait, so
// two waits on one frame both succeed.
func (s *session) waitFor(text string) *session {
	s.t.Helper()
	deadline := time.Now().Add(s.timeout)
	buf := make([]byte, 64<<10)
	for {
		if i := bytes.Index(s.seen, []byte(text)); i >= 0 {
			s.seen = s.seen[i+len(text):]
			return s
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %q: not shown after %s; last output:\n%s\n%s", text, s.timeout, ansi.Strip(string(s.seen)), consoleGoroutines())
		}
		n, _ := s.tm.Output().Read(buf)
		s.seen = append(s.seen, buf[:n]...)
		if n == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// final quits and returns the last frame without styling.
func (s *session) final() string {
	s.t.Helper()
	return ansi.Strip(s.finalStyled())
}

// finalStyled quits and returns the last frame with its escape sequences.
func (s *session) finalStyled() string {
	s.t.Helper()
	if err := s.tm.Quit(); err != nil {
		s.t.Fatal(err)
	}
	m := s.tm.FinalModel(s.t, teatest.WithFinalTimeout(10*time.Second)).(framed)
	return m.App.View().Content
}

// requireGolden compares a frame with testdata/<test>.golden (-update
// rewrites it).
func requireGolden(t *testing.T, frame string) {
	t.Helper()
	golden.RequireEqual(t, frame)
}
