package components

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit truncates s to w cells (with an ellipsis) and pads it to exactly w.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Lines pads or cuts s to exactly h lines, so a screen never pushes the
// footer off the terminal.
func Lines(s string, h int) string {
	return Frame(s, -1, h)
}

// Frame is Lines that also cuts every line to w cells (w < 0: no cut), so
// a narrow terminal never wraps a line into the next one.
func Frame(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	ls := strings.Split(s, "\n")
	if len(ls) > h {
		ls = ls[:h]
	}
	for i, l := range ls {
		if w >= 0 && ansi.StringWidth(l) > w {
			ls[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(ls) < h {
		ls = append(ls, "")
	}
	return strings.Join(ls, "\n")
}

// Wrap breaks s into lines of at most w cells at word boundaries (long
// words are cut), keeping its own line breaks.
func Wrap(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wrap(s, w, "")
}
