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

// contactsWith100k is the console on the contacts screen with a 100,000
// row plan loaded.
func contactsWith100k(b *testing.B) *App {
	be := uitest.NewBackend()
	be.Eng.PlanRows = 100_000
	be.CRMList = []string{"hubspot"}
	a := newApp(b, be, common.NumbersScreen)
	d := &driver{t: nil, a: a}
	d.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	d.run(a.Init())
	d.keys("enter")
	if !d.await("showing 100000/100000", 30*time.Second) {
		b.Fatalf("plan not loaded:\n%s", d.frame())
	}
	return a
}

// BenchmarkKeyPress100k is one key press and the next frame with 100k rows.
func BenchmarkKeyPress100k(b *testing.B) {
	b.Run("down", func(b *testing.B) { benchKeys(b, nil, "down") })
	// Narrow to rows holding "a", then widen again: the worst case, as
	// nearly every row matches.
	b.Run("filter_char", func(b *testing.B) { benchKeys(b, []string{"/"}, "a", "backspace") })
	b.Run("status_cycle", func(b *testing.B) { benchKeys(b, nil, "s") })
}

// benchKeys presses setup once, then cycles through keys, one press and
// one frame per op.
func benchKeys(b *testing.B, setup []string, keys ...string) {
	a := contactsWith100k(b)
	for _, k := range setup {
		a.Update(press(k))
	}
	msgs := make([]tea.KeyPressMsg, len(keys))
	for i, k := range keys {
		msgs[i] = press(k)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		a.Update(msgs[i%len(msgs)])
		_ = a.View()
		i++
	}
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
