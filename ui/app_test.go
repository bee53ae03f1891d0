package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"coexsync/store"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
	"coexsync/whatsapp"
)

func TestNumbersApiOnlyCannotSync(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		d.keys("down", "down", "enter")
		d.mustShow("not on the WhatsApp Business App", "Business App")
		if d.a.stack[len(d.a.stack)-1] != common.NumbersScreen {
			t.Fatal("an API-only number opened the contacts screen")
		}
	})
}

func TestNumbersPickCRMThenBack(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		d.keys("enter").mustShow("Sync into which CRM?")
		d.keys("q").mustShow("Sync into which CRM?") // q is not quit inside the picker
		d.keys("down", "enter")
		if got := d.a.c.Session.CRM; got != "intercom" {
			t.Fatalf("CRM = %q, want intercom", got)
		}
		d.mustShow("→ intercom", "showing 12/12")
		d.keys("esc").mustShow("Bay Bikes", "Phone-number id")
		d.mustNotShow("→ intercom", "Loja Lima  →") // the header no longer names the number left
	})
}

func TestSingleCRMSkipsPicker(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.CRMList = []string{"hubspot"}
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter").mustShow("→ hubspot", "create 4 · exists 2 · ambiguous 2 · invalid 2 · duplicate 2")
	})
}

func TestOfflineBrowsesRunsWithoutEngine(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.ModeName, b.CRMList, b.EngineErr = common.ModeOffline, nil, errors.New("offline: no CRM token")
		d := drive(t, newApp(t, b, common.RunsScreen))
		d.mustShow("[OFFLINE]", "interrupted*")
		d.keys("R").mustShow("Planning a retry run #5: offline: no CRM token.")
		d.keys("esc") // runs is the first screen: nothing to go back to
		d.mustShow("interrupted*")
		d.keys("down", "u").mustShow("Resuming run #4: offline")
	})
}

func TestOfflineNumbersSayNoCRM(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.CRMList = nil
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter").mustShow("No CRM is configured")
	})
}

func TestContactSyncRequestIsConfirmedThenPolled(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("down", "enter", "enter")
		d.mustShow("ONCE per number", "Press enter to send the request.")
		d.keys("enter").mustShow("now? (y/n)")
		d.keys("n").mustShow("Press enter to send the request.")
		if len(b.Requested) != 0 {
			t.Fatal("request sent without confirmation")
		}
		b.SetCount("1002", 5)
		d.keys("enter", "y")
		if len(b.Requested) != 1 || b.Requested[0] != "1002" {
			t.Fatalf("requested %v, want [1002]", b.Requested)
		}
		d.mustShow("Contacts received so far: 5")
		d.keys("p").mustShow("showing 12/12")
	})
}

func TestContactSyncRequestErrorIsShown(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.RequestErr = errors.New("(#100) sync already requested\x1b[2J")
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("down", "enter", "enter", "enter", "y")
		d.mustShow("Requesting the contact sync: (#100) sync already requested", "Press enter to send")
		if strings.Contains(d.a.View().Content, "\x1b[2J") {
			t.Fatal("vendor escape sequence reached the terminal")
		}
	})
}

// contactNames lists the Name column of the visible plan rows.
func contactNames(d *driver) []string {
	var names []string
	for _, l := range strings.Split(d.frame(), "\n") {
		if strings.Contains(l, "55119") || strings.Contains(l, "invalid:") {
			names = append(names, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(l, "▸ "), "  ")[:20]))
		}
	}
	return names
}

func TestContactsFilterStatusAndSort(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		d.keys("enter", "enter").mustShow("showing 12/12")
		d.keys("/", "a", "n", "a")
		// Bruno 11 is the duplicate of Ana 10: its match names her.
		if got := contactNames(d); strings.Join(got, ",") != "Ana 0,Ana 10,Bruno 11" {
			t.Fatalf("filter ana: rows %v", got)
		}
		d.keys("q") // typed into the filter, not quit
		d.mustShow("/anaq", "showing 0/12")
		d.mustShow("no matches")
		d.keys("backspace", "enter").mustShow("filter: ana", "showing 3/12")
		d.keys("esc").mustShow("showing 12/12")
		d.keys("s").mustShow("status: create", "showing 4/12")
		d.keys("s", "s", "s").mustShow("status: invalid", "showing 2/12")
		d.keys("s", "s", "o").mustShow("status: all", "sort: name")
		if got := contactNames(d); got[0] != "Ana 0" || got[1] != "Ana 10" || got[2] != "Bruno 11" {
			t.Fatalf("sorted by name: %v", got)
		}
	})
}

func TestSyncConfirmStartCancel(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		for _, ev := range uitest.LiveEvents() {
			b.Eng.Job.Ch <- ev
		}
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter", "enter", "S").mustShow("Create                 4", "of which             1", "Total                 12", "(y/n)")
		started, _, _ := b.Eng.Calls()
		if len(started) != 0 {
			t.Fatal("sync started before confirmation")
		}
		d.keys("y").mustShow("Running run #7", "Created 2", "2.5 contacts/s", "ETA 3s", "Rate-limit waits 1", "Retries 1")
		if started, _, _ = b.Eng.Calls(); len(started) != 1 || started[0].Mode != store.ModeLive {
			t.Fatalf("started %+v, want one live run", started)
		}
		d.keys("esc").mustShow("press x to cancel")
		d.keys("x", "n")
		if b.Eng.Job.Cancelled() {
			t.Fatal("cancelled although the operator said no")
		}
		d.keys("x").mustShow("Cancel the run?")
		d.keys("y")
		if !b.Eng.Job.Cancelled() {
			t.Fatal("cancel confirmed but the job was not cancelled")
		}
		d.mustShow("Run #7 cancelled", "Created 2")
		d.keys("r").mustShow("interrupted*") // run 7 is not in the fake store: the list shows
	})
}

func TestRetryFailedPlansAndStartsRetryRun(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.RunsScreen))
		d.keys("enter").mustShow("Run #5 failures: 3 of 3")
		d.keys("R").mustShow("Retry the failed contacts of run #5 in hubspot")
		if _, retried, _ := b.Eng.Calls(); len(retried) != 1 || retried[0] != 5 {
			t.Fatalf("PlanRetry calls %v, want [5]", retried)
		}
		d.keys("y")
		started, _, _ := b.Eng.Calls()
		if len(started) != 1 || started[0].Mode != store.ModeRetry || started[0].ParentRunID != 5 {
			t.Fatalf("started %+v, want a retry of run 5", started)
		}
	})
}

func TestRetryNeedsFailures(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.RunsScreen))
		// Run #3 has no failures: R is not offered and does nothing.
		d.keys("down", "down").mustNotShow("R retry")
		d.keys("R").mustNotShow("Retry the failed")
		if _, retried, _ := b.Eng.Calls(); len(retried) != 0 {
			t.Fatalf("PlanRetry called for a run without failures: %v", retried)
		}
	})
}

func TestResumeOnlyUnfinishedRuns(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.RunsScreen))
		// Finished runs offer no resume, and u does nothing on them.
		d.mustNotShow("u resume")
		d.keys("u").mustNotShow("Resume run")
		d.keys("down", "down").mustNotShow("u resume")
		d.keys("u").mustNotShow("Resume run")
		d.keys("up", "u").mustShow("Resume run #4 (interrupted)", "Left                  10", "(y/n)")
		if _, _, resumed := b.Eng.Calls(); len(resumed) != 0 {
			t.Fatalf("resumed %v before the operator said yes", resumed)
		}
		d.keys("y").mustShow("Running run #7")
		if _, _, resumed := b.Eng.Calls(); len(resumed) != 1 || resumed[0] != 4 {
			t.Fatalf("Resume calls %v, want [4]", resumed)
		}
	})
}

func TestExportFailuresCSV(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		a := newApp(t, b, common.RunsScreen)
		d := drive(t, a)
		path := filepath.Join(a.c.ExportDir, "coexsync-run-5-failures.csv")
		d.keys("e").mustShow("Export the failures in view as CSV", "coexsync-run-5-failures.csv")
		d.keys("enter").mustShow("Exported 3 failures to")
		if !strings.Contains(a.status, path) {
			t.Fatalf("status %q does not name %s", a.status, path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), "\n"); n != 3 {
			t.Fatalf("exported %d rows, want the 3 failures:\n%s", n, data)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Fatalf("export mode %v, want 0600", fi.Mode().Perm())
		}
	})
}

func TestFailuresFilterAndDetail(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.RunsScreen))
		d.keys("enter", "f").mustShow("1 of 3 shown · reason: invalid_country_code")
		d.keys("f").mustShow("reason: no_phone_number", "(no name)")
		d.keys("f", "f").mustShow("3 of 3 shown · reason: all")
		d.keys("/", "l", "i", "m", "a", "enter").mustShow("1 of 3 shown", "Ana Lima")
		d.keys("enter").mustShow("What to do", "The CRM rate limit was hit repeatedly")
		d.keys("esc", "esc").mustShow("3 of 3 shown")
		d.keys("esc").mustShow("interrupted*", "Started")
	})
}

func TestResizeKeepsFrameInBounds(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		d.keys("enter", "enter")
		for _, size := range []struct{ w, h int }{{60, 15}, {120, 40}, {80, 24}} {
			d.send(tea.WindowSizeMsg{Width: size.w, Height: size.h})
			lines := strings.Split(d.a.View().Content, "\n")
			if len(lines) != size.h {
				t.Fatalf("%dx%d: %d lines", size.w, size.h, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size.w {
					t.Fatalf("%dx%d: line %d is %d wide: %q", size.w, size.h, i, w, l)
				}
			}
		}
	})
}

func TestMouseWheelScrolls(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.Eng.PlanRows = 200
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter", "enter").mustShow("Ana 0 ")
		for range 10 {
			d.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
		}
		d.mustNotShow("Ana 0 ")
		d.mustShow("Ana 30")
	})
}

func TestNoColorStylesArePlain(t *testing.T) {
	render := func() string {
		d := drive(t, New(uitest.NewBackend(), Options{}))
		return d.a.View().Content
	}
	t.Setenv("NO_COLOR", "")
	if !DefaultStyles().Plain {
		t.Fatal("NO_COLOR set (even empty) must give plain styles")
	}
	if f := render(); strings.Contains(f, "38;") || strings.Contains(f, "48;") {
		t.Fatalf("colour codes with NO_COLOR: %q", f)
	}
	os.Unsetenv("NO_COLOR")
	if f := render(); !strings.Contains(f, "48;") {
		t.Fatal("no colour codes without NO_COLOR: the check above proves nothing")
	}
}

func TestUntrustedTextNeverReachesTerminal(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		check := func(d *driver) {
			t.Helper()
			f := d.a.View().Content
			for _, bad := range []string{"\x1b]", "\x1b[2J", "\x1b[31m", "\x1b[5m", "\u202e", "\x07"} {
				if strings.Contains(f, bad) {
					t.Fatalf("frame holds %q:\n%q", bad, f)
				}
			}
		}
		b := uitest.NewBackend()
		for _, ev := range uitest.LiveEvents() {
			b.Eng.Job.Ch <- ev
		}
		d := drive(t, newApp(t, b, common.NumbersScreen))
		check(d)
		d.keys("enter", "enter")
		check(d)
		d.keys("S", "y")
		check(d)
		r := drive(t, newApp(t, b, common.RunsScreen))
		r.keys("enter")
		check(r)
		r.keys("enter")
		check(r)
	})
}

func TestBackFromSyncConfirmKeepsPreview(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		d := drive(t, newApp(t, uitest.NewBackend(), common.NumbersScreen))
		d.keys("enter", "enter", "s").mustShow("status: create")
		d.keys("S").mustShow("(y/n)")
		d.keys("n").mustShow("status: create", "showing 4/12")
	})
}

func TestSyncStartErrorStaysOnConfirm(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.Eng.StartErr = errors.New("unauthorized (HTTP 401)")
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("enter", "enter", "S", "y")
		d.mustShow("Starting the sync: unauthorized (HTTP 401).", "Start writing to hubspot? (y/n)")
	})
}

// A Graph error shows its hint whole, wrapped, even at 80 columns: the
// hint is the half an agent acts on.
func TestGraphErrorHintIsShownWhole(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.RequestErr = &whatsapp.GraphError{Status: 400, Code: whatsapp.CodeTokenInvalid, Message: "Error validating access token"}
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("down", "enter", "enter", "enter", "y")
		d.mustShow("Requesting the contact sync")
		frame := strings.Join(strings.Fields(d.frame()), " ")
		if !strings.Contains(frame, "create a new system user token and run again.") {
			t.Fatalf("the hint is cut off:\n%s", d.frame())
		}
	})
}
