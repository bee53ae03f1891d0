// Package components holds the console's reusable widgets: a virtualised
// table, a one-line filter input, the header, the status bar and the run
// panes.
package components

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"coexsync/ui/common"
	"coexsync/ui/safe"
)

// Column is one table column; Width 0 shares the space left by the fixed
// columns.
type Column struct {
	Title string
	Width int
}

// Source feeds the table by visible row index. Cells are raw: the table
// sanitises what it renders, so a Source may hold untrusted text.
type Source interface {
	Len() int
	Cell(row, col int) string
}

// Table renders only the rows that fit on screen, so its cost does not
// grow with the number of rows.
type Table struct {
	c       *common.Common
	cols    []Column
	widths  []int
	src     Source
	cursor  int
	offset  int
	width   int
	height  int // lines including the header
	scratch strings.Builder
}

// NewTable makes a table over cols with no rows.
func NewTable(c *common.Common, cols []Column) *Table {
	return &Table{c: c, cols: cols, src: emptySource{}}
}

type emptySource struct{}

func (emptySource) Len() int             { return 0 }
func (emptySource) Cell(int, int) string { return "" }

// SetSource replaces the rows, keeping the cursor in range.
func (t *Table) SetSource(s Source) {
	t.src = s
	t.clamp()
}

// SetSize sets the table's width and its height in lines (header included).
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, max(h, 2)
	t.widths = layout(t.cols, w-2) // two cells for the selection marker
	t.clamp()
}

// Cursor is the selected visible row (-1 when there are none).
func (t *Table) Cursor() int {
	if t.src.Len() == 0 {
		return -1
	}
	return t.cursor
}

// SetCursor selects row i.
func (t *Table) SetCursor(i int) {
	t.cursor = i
	t.clamp()
}

func (t *Table) pageRows() int { return t.height - 1 }

// Bindings are the cursor keys that would move the cursor now: up only
// below the first row, down only above the last.
func (t *Table) Bindings() common.Bindings {
	k, n := t.c.Keys, t.src.Len()
	move := func(m tea.KeyPressMsg) tea.Cmd { t.Update(m); return nil }
	up, down := t.cursor > 0, t.cursor < n-1
	return common.Bindings{
		common.BindMsg(k.Up, move).When(up).AsNav(),
		common.BindMsg(k.Down, move).When(down).AsNav(),
		common.BindMsg(k.PageUp, move).When(up).AsNav(),
		common.BindMsg(k.PageDown, move).When(down).AsNav(),
		common.BindMsg(k.Home, move).When(up).AsNav(),
		common.BindMsg(k.End, move).When(down).AsNav(),
	}
}

// Position is "row i of n" for the selected row ("" when empty).
func (t *Table) Position() string {
	if t.src.Len() == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d", t.cursor+1, t.src.Len())
}

// Update moves the cursor for navigation keys and the mouse wheel and
// reports whether it used msg.
func (t *Table) Update(msg tea.Msg) bool {
	k := t.c.Keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			t.cursor--
		case key.Matches(msg, k.Down):
			t.cursor++
		case key.Matches(msg, k.PageUp):
			t.cursor -= t.pageRows()
		case key.Matches(msg, k.PageDown):
			t.cursor += t.pageRows()
		case key.Matches(msg, k.Home):
			t.cursor = 0
		case key.Matches(msg, k.End):
			t.cursor = t.src.Len() - 1
		default:
			return false
		}
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			t.cursor -= 3
		case tea.MouseWheelDown:
			t.cursor += 3
		default:
			return false
		}
	default:
		return false
	}
	t.clamp()
	return true
}

func (t *Table) clamp() {
	n := t.src.Len()
	t.cursor = min(max(t.cursor, 0), max(n-1, 0))
	rows := t.pageRows()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if rows > 0 && t.cursor >= t.offset+rows {
		t.offset = t.cursor - rows + 1
	}
	t.offset = max(min(t.offset, n-rows), 0)
}

// View renders the header and the visible rows: exactly height lines.
func (t *Table) View() string {
	st := t.c.Styles
	b := &t.scratch
	b.Reset()
	cells := make([]string, len(t.cols))
	for i, col := range t.cols {
		cells[i] = col.Title
	}
	b.WriteString(st.TableHead.Render("  " + t.line(cells, -1)))
	end := min(t.offset+t.pageRows(), t.src.Len())
	for r := t.offset; r < end; r++ {
		for c := range t.cols {
			cells[c] = t.src.Cell(r, c)
		}
		b.WriteByte('\n')
		// The marker shows the selection where colour and reverse video
		// do not (NO_COLOR, TERM=dumb).
		if r == t.cursor {
			b.WriteString(st.Selected.Render("▸ " + t.line(cells, -1)))
		} else {
			b.WriteString(st.Row.Render("  " + t.line(cells, r)))
		}
	}
	for r := end - t.offset; r < t.pageRows(); r++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// CellStyler is a Source that styles some of its cells (a status in its
// colour). The selected row keeps the selection style instead.
type CellStyler interface {
	CellStyle(row, col int) (lipgloss.Style, bool)
}

// line lays out one row of cells to the table width; row >= 0 styles the
// cells of that row the Source styles.
func (t *Table) line(cells []string, row int) string {
	styler, _ := t.src.(CellStyler)
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		cell := Fit(safe.Text(c), t.widths[i])
		if styler != nil && row >= 0 {
			if style, ok := styler.CellStyle(row, i); ok {
				cell = style.Render(cell)
			}
		}
		b.WriteString(cell)
	}
	return Fit(b.String(), t.width-2)
}

// layout gives flexible columns an equal share of what fixed ones leave.
func layout(cols []Column, width int) []int {
	widths := make([]int, len(cols))
	left := width - (len(cols) - 1)
	flex := 0
	for i, c := range cols {
		widths[i] = c.Width
		left -= c.Width
		if c.Width == 0 {
			flex++
		}
	}
	for i, c := range cols {
		if c.Width == 0 {
			widths[i] = max(left/flex, 4)
		}
	}
	return widths
}

// ListSource shows a slice: one function per column reads a cell from an
// item.
type ListSource[T any] struct {
	Items []T
	Cols  []func(T) string
}

func (l ListSource[T]) Len() int             { return len(l.Items) }
func (l ListSource[T]) Cell(r, c int) string { return l.Cols[c](l.Items[r]) }
