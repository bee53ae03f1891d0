package ui

import (
	"bytes"
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // run times render in local time; pin it
	os.Exit(m.Run())
}

// sizes are the terminal sizes every screen is checked at.
var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"120x40", 120, 40}}

func newApp(t testing.TB, b *uitest.Backend, start common.ScreenID) *App {
	return New(b, Options{
		Start: start, Now: func() time.Time { return uitest.Clock }, PollEvery: 5 * time.Millisecond,
		ExportDir: t.TempDir(), Styles: NewStyles(true), Keys: DefaultKeyMap(),
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
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// session drives the console in a real program at one terminal size.
type session struct {
	t       *testing.T
	b       *uitest.Backend
	tm      *teatest.TestModel
	timeout time.Duration // per waitFor; 3 s unless set
	seen    []byte        // output read but not yet matched
}

func start(t *testing.T, m tea.Model, w, h int) *session {
	return &session{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h)), timeout: 3 * time.Second}
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
			s.t.Fatalf("waiting for %q: not shown after %s; last output:\n%s", text, s.timeout, ansi.Strip(string(s.seen)))
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
	if err := s.tm.Quit(); err != nil {
		s.t.Fatal(err)
	}
	m := s.tm.FinalModel(s.t, teatest.WithFinalTimeout(3*time.Second)).(*App)
	return ansi.Strip(m.View().Content)
}

// requireGolden compares a frame with testdata/<test>.golden (-update
// rewrites it).
func requireGolden(t *testing.T, frame string) {
	t.Helper()
	golden.RequireEqual(t, frame)
}
