package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// driver runs the console without a terminal: each message goes through
// Update and the commands it returns run right away, so a test reads the
// model's state after every step. Commands that block (a job with no event
// queued) are abandoned after a short wait, as a real program would simply
// still be waiting on them.
type driver struct {
	t       *testing.T
	a       *App
	pending []chan tea.Msg // commands still blocked, delivered when they finish
	quit    bool           // a command asked the program to quit
}

func drive(t *testing.T, a *App) *driver {
	d := &driver{t: t, a: a}
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	d.run(a.Init())
	return d
}

func (d *driver) send(msgs ...tea.Msg) *driver {
	for _, m := range msgs {
		_, cmd := d.a.Update(m)
		d.run(cmd)
	}
	return d
}

func (d *driver) keys(keys ...string) *driver {
	for _, k := range keys {
		d.send(press(k))
	}
	return d
}

// run executes cmd and feeds its messages back, breadth first, up to a
// bound so polling loops end.
func (d *driver) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for steps := 0; steps < 200; steps++ {
		if len(queue) == 0 {
			msg, ok := d.finished()
			if !ok {
				return
			}
			queue = append(queue, func() tea.Msg { return msg })
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		ch := launch(c)
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(100 * time.Millisecond):
			d.pending = append(d.pending, ch)
			continue
		}
		switch m := msg.(type) {
		case nil:
		case tea.QuitMsg:
			d.quit = true
		case tea.BatchMsg:
			queue = append(queue, m...)
		default:
			_, next := d.a.Update(m)
			queue = append(queue, next)
		}
	}
}

func launch(c tea.Cmd) chan tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	return ch
}

// finished returns the message of a blocked command that has since
// completed, waiting briefly for one.
func (d *driver) finished() (tea.Msg, bool) {
	deadline := time.After(20 * time.Millisecond)
	for {
		for i, ch := range d.pending {
			select {
			case m := <-ch:
				d.pending = append(d.pending[:i], d.pending[i+1:]...)
				return m, true
			default:
			}
		}
		select {
		case <-deadline:
			return nil, false
		case <-time.After(time.Millisecond):
		}
	}
}

// frame is the current screen without styling.
func (d *driver) frame() string { return ansi.Strip(d.a.View().Content) }

func (d *driver) mustShow(parts ...string) {
	d.t.Helper()
	f := d.frame()
	for _, p := range parts {
		if !strings.Contains(f, p) {
			d.t.Fatalf("screen lacks %q:\n%s", p, f)
		}
	}
}

func (d *driver) mustNotShow(parts ...string) {
	d.t.Helper()
	f := d.frame()
	for _, p := range parts {
		if strings.Contains(f, p) {
			d.t.Fatalf("screen shows %q:\n%s", p, f)
		}
	}
}

// await lets blocked commands finish until the screen shows text.
func (d *driver) await(text string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !strings.Contains(d.frame(), text) {
		if time.Now().After(deadline) {
			return false
		}
		if msg, ok := d.finished(); ok {
			_, cmd := d.a.Update(msg)
			d.run(cmd)
		}
	}
	return true
}
