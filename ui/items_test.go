package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
	"coexsync/ui/safe"
)

// An Arabic name in the log and in the summary is isolated, so the
// number after it is not reordered into it.
func TestBidiIsolatesOutsideTextInLogAndSummary(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		name := "محمد"
		b.Eng.Job.Ch <- engine.OutcomeEvent{Outcome: store.Outcome{RunID: 7, ContactID: 1, Name: name,
			Raw: "5511900000000", Status: store.OutcomeCreated, CRMID: "801"}}
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter", "enter", "S", "y")
		want := "created " + safe.FSI + name + safe.PDI + "  " + safe.FSI + "5511900000000" + safe.PDI + "  #" + safe.FSI + "801" + safe.PDI
		if f := d.frame(); !strings.Contains(f, want) {
			t.Fatalf("log line lacks %q:\n%q", want, f)
		}
		fail := store.Outcome{RunID: 7, ContactID: 2, Name: name, Raw: "12345", Status: store.OutcomeFailed,
			Reason: "invalid_country_code", ReasonText: "no country code"}
		b.Eng.Job.Finish(engine.RunSummary{RunID: 7, Status: store.RunFinished, Total: 2, Created: 1, Failed: 1,
			Failures: []store.Outcome{fail}})
		if !d.await("Run #7 finished", 2*time.Second) {
			t.Fatalf("no summary:\n%s", d.frame())
		}
		want = safe.FSI + name + safe.PDI + "  " + safe.FSI + "12345" + safe.PDI + "  invalid_country_code"
		if f := d.frame(); !strings.Contains(f, want) {
			t.Fatalf("summary line lacks %q:\n%q", want, f)
		}
	})
}

// The mouse is not captured until m: text can be selected; m toggles the
// wheel, and the help says which.
func TestMouseToggle(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		if got := d.a.View().MouseMode; got != tea.MouseModeNone {
			t.Fatalf("mouse mode %v at start, want none (text selection)", got)
		}
		d.a.help.ShowAll = true
		if h := d.a.helpView(); !strings.Contains(h, "mouse: wheel") {
			t.Fatalf("full help lacks the mouse key:\n%s", h)
		}
		d.keys("m")
		if got := d.a.View().MouseMode; got != tea.MouseModeCellMotion {
			t.Fatalf("mouse mode %v after m, want cell motion", got)
		}
		d.mustShow("Mouse wheel scrolls", "mouse: select text")
		d.keys("m")
		if got := d.a.View().MouseMode; got != tea.MouseModeNone {
			t.Fatalf("mouse mode %v after m twice, want none", got)
		}
		d.keys("/") // typing a filter: m is text
		d.keys("enter", "enter", "/", "m")
		if got := d.a.View().MouseMode; got != tea.MouseModeNone {
			t.Fatal("m typed into a filter toggled the mouse")
		}
	})
}

// The runs list and a run's summary count the names filled.
func TestNamesFilledInRunsAndSummary(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		r := drive(t, newApp(t, b, common.RunsScreen))
		r.mustShow("Named")
		if line := lineWith(t, r.frame(), "07:30 6"); !strings.Contains(line, "3       1     3") {
			t.Fatalf("run 5 row: %q, want 1 name filled", line)
		}
		st := b.St.(*uitest.Store)
		st.ByRun[7] = []store.Outcome{{RunID: 7, ContactID: 3, Status: store.OutcomeSkipped, Reason: "exists",
			ReasonText: "In the CRM." + store.NameFilledText, NameFilled: true}, {RunID: 7, ContactID: 9, Status: store.OutcomeSkipped,
			Reason: "exists", ReasonText: "In the CRM." + store.NameFilledText, NameFilled: true},
			// Only the flag counts, whatever the text says.
			{RunID: 7, ContactID: 10, Status: store.OutcomeSkipped, Reason: "exists", ReasonText: "In the CRM." + store.NameFilledText}}
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter", "enter", "S", "y")
		b.Eng.Job.Finish(engine.RunSummary{RunID: 7, Status: store.RunFinished, Total: 12, Created: 4, Skipped: 6, Failed: 2})
		if !d.await("names filled 2", 2*time.Second) {
			t.Fatalf("summary lacks the names filled:\n%s", d.frame())
		}
	})
}

// With TERM=dumb there is no colour: the selected row carries a marker.
func TestDumbTerminalMarksSelectedRow(t *testing.T) {
	t.Setenv("TERM", "dumb")
	a := New(uitest.NewBackend(), Options{Start: common.RunsScreen, Now: func() time.Time { return uitest.Clock }})
	d := drive(t, a)
	if f := d.a.View().Content; strings.Contains(f, "38;") || strings.Contains(f, "48;") {
		t.Fatalf("colour on a dumb terminal: %q", f)
	}
	if !strings.HasPrefix(lineWith(t, d.frame(), "07:30 6"), "▸ 5 ") {
		t.Fatalf("selected row unmarked:\n%s", d.frame())
	}
	d.keys("down")
	if !strings.HasPrefix(lineWith(t, d.frame(), "interrupted*"), "▸ 4 ") || strings.HasPrefix(lineWith(t, d.frame(), "07:30 6"), "▸") {
		t.Fatalf("marker did not follow the selection:\n%s", d.frame())
	}
}
