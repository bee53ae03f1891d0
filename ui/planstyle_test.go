package ui

import (
	"os"
	"strings"
	"testing"
	"time"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// lineWith is the first line of the raw frame (styles kept) holding text.
func lineWith(t *testing.T, frame, text string) string {
	t.Helper()
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	t.Fatalf("no line holds %q:\n%s", text, frame)
	return ""
}

// In colour each status has its own colour and no symbol; without colour
// each has its symbol, so the preview reads the same in both.
func TestPlanStatusColoursAndSymbols(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		a := New(b, Options{Start: common.NumbersScreen, Now: func() time.Time { return uitest.Clock },
			ExportDir: t.TempDir(), Styles: NewStyles(false), Keys: DefaultKeyMap()})
		d := drive(t, a)
		d.keys("enter", "enter", "down").mustShow("showing 12/12")
		raw := d.a.View().Content
		colours := map[string]string{"Gabi 6": "38;5;42m", "Carla 2": "38;5;111m", "Diego 3": "38;5;214m",
			"Elisa 4": "38;5;203m", "Fábio 5": "38;5;244m"}
		seen := map[string]bool{}
		for name, colour := range colours {
			l := lineWith(t, raw, name)
			if !strings.Contains(l, colour) {
				t.Errorf("%s: want colour %q in %q", name, colour, l)
			}
			seen[colour] = true
		}
		if len(seen) != 5 {
			t.Fatalf("statuses share colours: %v", seen)
		}
		d.mustNotShow("+ create", "= exists")

		p := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		p.keys("enter", "enter").mustShow("+ create", "= exists #502", "? ambiguous: #1, #2", "! invalid: too_short",
			"~ duplicate of Elis")
		if f := p.a.View().Content; strings.Contains(f, "38;5;") {
			t.Fatal("colour in the plain preview")
		}
	})
}

// TERM=dumb draws without colour, as NO_COLOR does.
func TestDumbTerminalIsPlain(t *testing.T) {
	t.Setenv("TERM", "dumb")
	if !DefaultStyles().Plain {
		t.Fatal("TERM=dumb must give plain styles")
	}
	t.Setenv("TERM", "xterm-256color")
	if DefaultStyles().Plain && !noColorSet() {
		t.Fatal("a colour terminal got plain styles")
	}
}

// O reverses the sort and the header shows which way it runs.
func TestSortDirectionToggle(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		d.keys("enter", "enter", "o").mustShow("sort: name ↑")
		asc := contactNames(d)
		first := asc[0]
		d.keys("O").mustShow("sort: name ↓")
		desc := contactNames(d)
		if len(desc) != 12 || len(asc) != 12 {
			t.Fatalf("rows shown: %d ascending, %d descending", len(asc), len(desc))
		}
		for i := range desc {
			if desc[i] != asc[len(asc)-1-i] {
				t.Fatalf("descending %v is not ascending %v reversed", desc, asc)
			}
		}
		d.keys("O").mustShow("sort: name ↑")
		if got := contactNames(d)[0]; got != first {
			t.Fatalf("sort reversed twice starts with %q, want %q", got, first)
		}
	})
}

func noColorSet() bool {
	_, ok := os.LookupEnv("NO_COLOR")
	return ok
}
