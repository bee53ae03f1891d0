package ui

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"coexsync/ui/internal/uitest"
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

// inBubble runs a driver test in a synctest bubble, beside the other
// parallel tests: time there is fake and moves only once every goroutine
// of the test is blocked, so the driver's waits for blocked commands take
// no time, and a command still working is never taken for a blocked one
// however loaded the machine.
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Last of all, let the timers of abandoned commands (polls, ticks)
		// fire, so their goroutines end with the test.
		t.Cleanup(func() { time.Sleep(time.Hour) })
		f(t)
	})
}

func drive(t *testing.T, a *App) *driver {
	d := &driver{t: t, a: a}
	if b, ok := a.c.Backend.(*uitest.Backend); ok {
		t.Cleanup(func() { endJobs(b) })
	}
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

// endJobs ends the fake runs, so the commands still reading their events
// or waiting for their end return: a test in a bubble ends only once
// every goroutine it started has.
func endJobs(b *uitest.Backend) {
	if b.Eng == nil {
		return
	}
	for _, j := range []*uitest.Job{b.Eng.Job, b.Eng.ResumeJob, b.Eng.UndoJob} {
		if j == nil {
			continue
		}
		go func() {
			for range j.Ch { // room for Finish's last event
			}
		}()
		j.Finish(j.CancelledSummary())
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
