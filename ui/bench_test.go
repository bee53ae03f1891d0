package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"coexsync/backend"
	"coexsync/sandbox"
	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// stepClock runs messages through the console the way a program does,
// but one at a time, and splits the time they take: Update and View run
// on the UI goroutine (a frame waits for them), commands on others.
type stepClock struct {
	maxUI time.Duration // the longest single Update+View
	bg    time.Duration // time inside commands
	steps int
	// watch, when set, sees each message with the frame before and after.
	watch func(msg tea.Msg, before, after string)
}

// send is msg through Update and the frame after it, then the commands
// it returned, run in order, each message sent on in turn.
func (c *stepClock) send(a *App, msg tea.Msg) {
	c.steps++
	if c.steps > 10_000 {
		panic("bench: the console never settled")
	}
	var before string
	if c.watch != nil {
		before = a.View().Content
	}
	t := time.Now()
	_, cmd := a.Update(msg)
	after := a.View().Content
	c.maxUI = max(c.maxUI, time.Since(t))
	if c.watch != nil {
		c.watch(msg, before, after)
	}
	c.run(a, cmd)
}

func (c *stepClock) run(a *App, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	t := time.Now()
	msg := cmd()
	c.bg += time.Since(t)
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, cmd := range m {
			c.run(a, cmd)
		}
	default:
		c.send(a, m)
	}
}

// split accumulates stepClocks over a benchmark's ops and reports the
// UI goroutine's longest step and the commands' time, per op.
type split struct{ ui, bg time.Duration }

func (s *split) add(c stepClock) { s.ui += c.maxUI; s.bg += c.bg }

func (s *split) report(b *testing.B) {
	b.ReportMetric(float64(s.ui.Nanoseconds())/float64(b.N), "ui-ns/op")
	b.ReportMetric(float64(s.bg.Nanoseconds())/float64(b.N), "bg-ns/op")
}

// contactsWith is the console on the contacts screen with an n-row plan
// in view, and the message that brought the plan: sent again, the screen
// takes it as a new plan and prepares its preview afresh.
func contactsWith(b *testing.B, n int) (*App, tea.Msg) {
	be := uitest.NewBackend()
	be.Eng.PlanRows = n
	be.CRMList = []string{"hubspot"}
	a := newApp(b, be, common.NumbersScreen)
	var arrival tea.Msg
	c := stepClock{watch: func(msg tea.Msg, before, after string) {
		if strings.Contains(before, "Building the plan") && !strings.Contains(after, "Building the plan") {
			arrival = msg
		}
	}}
	c.send(a, tea.WindowSizeMsg{Width: 120, Height: 40})
	c.run(a, a.Init())
	c.send(a, press("enter"))
	if want := fmt.Sprintf("showing %d/%d", n, n); !strings.Contains(a.View().Content, want) || arrival == nil {
		b.Fatalf("plan not loaded:\n%s", a.View().Content)
	}
	return a, arrival
}

// BenchmarkKeyPress100k is one key press and what follows it with 100k
// rows: ns/op is until the frame shows the result, ui-ns/op the longest
// the UI goroutine was busy on the way (one Update and its frame),
// bg-ns/op the time in commands (other goroutines).
func BenchmarkKeyPress100k(b *testing.B) { benchKeyKinds(b, 100_000) }

// BenchmarkKeyPress1M is BenchmarkKeyPress100k with a million rows.
func BenchmarkKeyPress1M(b *testing.B) { benchKeyKinds(b, 1_000_000) }

func benchKeyKinds(b *testing.B, n int) {
	b.Run("down", func(b *testing.B) { benchKeys(b, n, nil, "down") })
	// Narrow to rows holding "a", then widen again: the worst case, as
	// nearly every row matches.
	b.Run("filter_char", func(b *testing.B) { benchKeys(b, n, []string{"/"}, "a", "backspace") })
	b.Run("status_cycle", func(b *testing.B) { benchKeys(b, n, nil, "s") })
	// Every sort already computed once: o walks plan, name, status, E.164.
	b.Run("sort_cycle", func(b *testing.B) { benchKeys(b, n, []string{"o", "o", "o", "o"}, "o") })
	b.Run("reverse", func(b *testing.B) { benchKeys(b, n, []string{"o"}, "O") })
	// The first press of each sort, on a preview nobody sorted yet.
	for i, name := range []string{"name", "status", "E.164"} {
		b.Run("sort_first_"+name, func(b *testing.B) { benchFirstSort(b, n, i+1) })
	}
}

// benchKeys presses setup once, then cycles through keys, one press and
// what follows per op.
func benchKeys(b *testing.B, n int, setup []string, keys ...string) {
	a, _ := contactsWith(b, n)
	for _, k := range setup {
		var c stepClock
		c.send(a, press(k))
	}
	msgs := make([]tea.KeyPressMsg, len(keys))
	for i, k := range keys {
		msgs[i] = press(k)
	}
	var s split
	i := 0
	for b.Loop() {
		var c stepClock
		c.send(a, msgs[i%len(msgs)])
		s.add(c)
		i++
	}
	s.report(b)
}

// benchFirstSort is the nth sort's first press: each op starts from a
// fresh preview (its making not timed) and presses o n times, only the
// last timed.
func benchFirstSort(b *testing.B, n, nth int) {
	a, arrival := contactsWith(b, n)
	var s split
	for b.Loop() {
		b.StopTimer()
		var prep stepClock
		prep.send(a, arrival)
		for range nth - 1 {
			a.Update(press("o")) // its sort, if any, is not waited for
		}
		b.StartTimer()
		var c stepClock
		c.send(a, press("o"))
		s.add(c)
	}
	s.report(b)
}

// BenchmarkPlanArrival100k is the plan reaching the contacts screen and
// what follows until the preview shows: ui-ns/op is the longest the UI
// goroutine was busy (the target is one frame), bg-ns/op the preview's
// making in commands.
func BenchmarkPlanArrival100k(b *testing.B) { benchPlanArrival(b, 100_000) }

// BenchmarkPlanArrival1M is BenchmarkPlanArrival100k with a million rows.
func BenchmarkPlanArrival1M(b *testing.B) { benchPlanArrival(b, 1_000_000) }

func benchPlanArrival(b *testing.B, n int) {
	a, arrival := contactsWith(b, n)
	want := fmt.Sprintf("showing %d/%d", n, n)
	var s split
	for b.Loop() {
		var c stepClock
		c.send(a, arrival)
		s.add(c)
	}
	if !strings.Contains(a.View().Content, want) {
		b.Fatalf("preview not shown:\n%s", a.View().Content)
	}
	s.report(b)
}

// BenchmarkFirstFrame is New → numbers loaded → first View.
func BenchmarkFirstFrame(b *testing.B) {
	be := uitest.NewBackend()
	for b.Loop() {
		a := New(be, Options{Styles: NewStyles(false)})
		a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		a.Update(a.Init()())
		_ = a.View()
	}
}

// BenchmarkSandboxFirstFrame is what `go run .` does before the agent sees
// anything: open the database, start the three fakes and the webhook
// receiver with the generated dataset, list the numbers over the Graph
// API, and draw the first frame.
func BenchmarkSandboxFirstFrame(b *testing.B) {
	dir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		db, err := store.Open(filepath.Join(dir, fmt.Sprintf("s%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		sb, err := sandbox.Start(context.Background(), db, 1)
		if err != nil {
			b.Fatal(err)
		}
		a := New(common.Wire(backend.New(sb.Config())), Options{Styles: NewStyles(false)})
		a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		a.Update(a.Init()())
		if !strings.Contains(a.View().Content, "Coexistence") {
			b.Fatal("first frame has no numbers")
		}
		sb.Close()
		db.Close()
	}
}
