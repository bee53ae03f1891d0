package components

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"coexsync/ui/common"
)

// numbered is a Source of n rows whose cells say where they are; it
// counts the cells read so tests can prove only visible rows are touched.
type numbered struct {
	n     int
	reads int
}

func (s *numbered) Len() int { return s.n }
func (s *numbered) Cell(r, c int) string {
	s.reads++
	return fmt.Sprintf("r%d c%d", r, c)
}

func testCommon() *common.Common {
	b := func(keys ...string) key.Binding { return key.NewBinding(key.WithKeys(keys...)) }
	plain := lipgloss.NewStyle()
	return &common.Common{
		Styles: &common.Styles{Plain: true, TableHead: plain, Selected: plain, Row: plain},
		Keys: &common.KeyMap{Up: b("up"), Down: b("down"), PageUp: b("pgup"), PageDown: b("pgdown"),
			Home: b("home"), End: b("end")},
	}
}

func TestTableRendersOnlyVisibleRows(t *testing.T) {
	src := &numbered{n: 100_000}
	tb := NewTable(testCommon(), []Column{{Title: "A", Width: 10}, {Title: "B"}})
	tb.SetSize(40, 6)
	tb.SetSource(src)
	out := tb.View()
	lines := strings.Split(out, "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), out)
	}
	if src.reads != 5*2 {
		t.Fatalf("read %d cells for 5 visible rows of 2 columns", src.reads)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w != 40 {
			t.Fatalf("line %q is %d wide, want 40", l, w)
		}
	}
	if !strings.HasPrefix(lines[1], "▸ r0 c0") || !strings.HasPrefix(lines[5], "  r4 c0") {
		t.Fatalf("first window wrong:\n%s", out)
	}
}

func TestTableNavigationKeepsCursorVisible(t *testing.T) {
	tb := NewTable(testCommon(), []Column{{Title: "A"}})
	tb.SetSize(20, 4) // 3 rows visible
	tb.SetSource(&numbered{n: 10})
	steps := []struct {
		key    tea.KeyPressMsg
		cursor int
		first  string
	}{
		{tea.KeyPressMsg{Code: tea.KeyDown}, 1, "r0"},
		{tea.KeyPressMsg{Code: tea.KeyDown}, 2, "r0"},
		{tea.KeyPressMsg{Code: tea.KeyDown}, 3, "r1"},
		{tea.KeyPressMsg{Code: tea.KeyEnd}, 9, "r7"},
		{tea.KeyPressMsg{Code: tea.KeyDown}, 9, "r7"},
		{tea.KeyPressMsg{Code: tea.KeyPgUp}, 6, "r6"},
		{tea.KeyPressMsg{Code: tea.KeyHome}, 0, "r0"},
		{tea.KeyPressMsg{Code: tea.KeyUp}, 0, "r0"},
	}
	for i, s := range steps {
		if !tb.Update(s.key) {
			t.Fatalf("step %d: key %s not used", i, s.key)
		}
		first := strings.TrimLeft(strings.Split(tb.View(), "\n")[1], "▸ ")
		if tb.Cursor() != s.cursor || !strings.HasPrefix(first, s.first) {
			t.Fatalf("step %d (%s): cursor %d first %q, want %d %q", i, s.key, tb.Cursor(), first, s.cursor, s.first)
		}
	}
	if tb.Update(tea.KeyPressMsg{Code: 'z', Text: "z"}) {
		t.Fatal("table claimed an unrelated key")
	}
}

func TestTableShrinkingSourceClampsCursor(t *testing.T) {
	tb := NewTable(testCommon(), []Column{{Title: "A"}})
	tb.SetSize(20, 4)
	tb.SetSource(&numbered{n: 10})
	tb.SetCursor(9)
	tb.SetSource(&numbered{n: 2})
	if tb.Cursor() != 1 {
		t.Fatalf("cursor %d after shrinking to 2 rows", tb.Cursor())
	}
	tb.SetSource(&numbered{})
	if tb.Cursor() != -1 {
		t.Fatalf("cursor %d with no rows, want -1", tb.Cursor())
	}
}

func TestTableSanitisesCells(t *testing.T) {
	tb := NewTable(testCommon(), []Column{{Title: "Name"}})
	tb.SetSize(30, 2)
	tb.SetSource(hostile{})
	if out := tb.View(); strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Fatalf("escape reached the table: %q", out)
	}
}

type hostile struct{}

func (hostile) Len() int             { return 1 }
func (hostile) Cell(int, int) string { return "\x1b]0;x\x07Eve\u202e\x1b[2J" }

func TestRingKeepsNewest(t *testing.T) {
	r := NewRing(3)
	for i := range 5 {
		r.Add(fmt.Sprint(i))
	}
	if got := strings.Join(r.Last(10), ","); got != "2,3,4" || r.Len() != 3 {
		t.Fatalf("ring holds %q (len %d), want 2,3,4", got, r.Len())
	}
	if got := strings.Join(r.Last(2), ","); got != "3,4" {
		t.Fatalf("Last(2) = %q", got)
	}
}

func TestFilterEditing(t *testing.T) {
	f := Filter{}
	if f.Update(tea.KeyPressMsg{Code: 'a', Text: "a"}) {
		t.Fatal("inactive filter took a key")
	}
	f.Active = true
	for _, k := range []tea.KeyPressMsg{{Code: 'j', Text: "j"}, {Code: 'ö', Text: "ö"}, {Code: 'c', Mod: tea.ModCtrl}} {
		f.Update(k)
	}
	if f.Value != "jö" {
		t.Fatalf("value %q, want jö (ctrl+c is not text)", f.Value)
	}
	f.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	if f.Value != "j" {
		t.Fatalf("backspace left %q, want j", f.Value)
	}
	f.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if f.Active || f.View() != "filter: j" {
		t.Fatalf("enter: active %v view %q", f.Active, f.View())
	}
	f.Active = true
	if !f.Update(tea.KeyPressMsg{Code: tea.KeyEscape}) || f.Value != "" || f.Active {
		t.Fatalf("esc should clear and close: %+v", f)
	}
}

func TestFitAndFrame(t *testing.T) {
	if got := Fit("李小龍abc", 5); got != "李小…" {
		t.Fatalf("Fit wide = %q", got)
	}
	if got := Fit("ab", 4); got != "ab  " {
		t.Fatalf("Fit pad = %q", got)
	}
	got := Frame("abcdef\nx\ny\nz", 3, 2)
	if got != "ab…\nx" {
		t.Fatalf("Frame = %q", got)
	}
	if got := Lines("a", 3); got != "a\n\n" {
		t.Fatalf("Lines = %q", got)
	}
}

func TestLayoutSharesFlexibleWidth(t *testing.T) {
	w := layout([]Column{{Width: 10}, {}, {}}, 50)
	if w[0] != 10 || w[1] != 19 || w[2] != 19 {
		t.Fatalf("widths %v, want [10 19 19]", w)
	}
}
