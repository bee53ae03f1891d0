package ui

import (
	"strings"
	"testing"

	"coexsync/doctor"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// requested is what RequestContactSync was called for, read under lock.
func requested(b *uitest.Backend) []string {
	b.Lock()
	defer b.Unlock()
	return append([]string(nil), b.Requested...)
}

// The request confirmation lists the Meta checks, and only those, with a
// word for each result, and sends on y when they pass.
func TestRequestConfirmShowsMetaChecks(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("down", "enter", "enter", "enter")
		d.mustShow("now? (y/n)", "Meta checks (all passed)",
			"OK    graph token", "OK    waba", "OK    numbers", "OK    app subscribed", "WARN  webhook field", "OK    contacts +1 415")
		d.mustNotShow("hubspot token", "clock", "FAIL")
		if got := b.DoctorFor; len(got) != 1 || got[0] != "1002" {
			t.Fatalf("doctor asked about %v, want [1002]", got)
		}
		if got := b.DoctorScopes; len(got) != 1 || got[0] != doctor.ScopeMeta {
			t.Fatalf("doctor scopes %v, want only the Meta checks (no CRM is asked before a request)", got)
		}
		d.keys("y")
		if got := requested(b); len(got) != 1 || got[0] != "1002" {
			t.Fatalf("requested %v, want [1002]", got)
		}
	})
}

// A failing Meta check refuses the request: y is text, enter refuses
// until force is typed, esc leaves nothing sent.
func TestRequestRefusedUnlessForced(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.Checks = uitest.UnsubscribedChecks()
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("down", "enter", "enter", "enter")
		d.mustShow("Not sent: Meta is not ready", "app subscribed: no app is subscribed",
			"Fix: Subscribe the app to the WABA", "FAIL  app subscribed", "type force")
		d.mustNotShow("(y/n)")
		d.keys("y", "enter")
		d.mustShow("Not sent: type force, then enter")
		if got := requested(b); len(got) != 0 {
			t.Fatalf("refused request was sent: %v", got)
		}
		d.keys("backspace", "f", "o", "r", "c", "x", "enter")
		if got := requested(b); len(got) != 0 {
			t.Fatalf("a word other than force sent the request: %v", got)
		}
		d.keys("esc").mustShow("Press enter to send the request.")
		d.keys("enter").mustShow("> ▏") // the typed word does not survive leaving
		d.keys("f", "o", "r", "c", "e").mustShow("> force▏")
		d.keys("enter")
		if got := requested(b); len(got) != 1 || got[0] != "1002" {
			t.Fatalf("forced request: requested %v, want [1002]", got)
		}
		d.mustShow("Requested.")
	})
}

// d on the numbers screen shows every check, CRM and clock too, with the
// fix of each one not passed; esc returns to the list.
func TestNumbersDoctorShowsAllChecks(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		b := uitest.NewBackend()
		b.Checks = uitest.UnsubscribedChecks()
		d := drive(t, newApp(t, b, common.NumbersScreen))
		d.keys("down", "d")
		d.mustShow("Doctor: some checks failed", "FAIL  app subscribed", "fix: Subscribe the app to",
			"OK    hubspot token", "OK    clock", "Bay Bikes") // the header names the number checked
		if got := b.DoctorFor; len(got) != 1 || got[0] != "1002" {
			t.Fatalf("doctor asked about %v, want [1002]", got)
		}
		if got := b.DoctorScopes; len(got) != 1 || got[0] != doctor.ScopeAll {
			t.Fatalf("doctor scopes %v, want every check", got)
		}
		b.SetChecks(uitest.AllChecks())
		d.keys("ctrl+r").mustShow("Doctor: every check passed, 1 with a warning")
		d.keys("esc").mustShow("Phone-number id")
		d.mustNotShow("Doctor:")
		if strings.Contains(d.frame(), "Bay Bikes  →") {
			t.Fatal("header still names the checked number")
		}
	})
}
