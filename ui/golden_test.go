package ui

import (
	"testing"
	"time"

	"coexsync/store"
	engine "coexsync/sync"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// Each case drives the console from its first screen to one state and
// compares the frame with its golden file at 80×24 and 120×40. A case
// waits for the last thing its golden shows (the numbers' resume offer
// comes from a query of its own), as the cases run side by side.
func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		start common.ScreenID
		drive func(*session)
	}{
		{"numbers", common.NumbersScreen, func(s *session) { s.waitFor("Bay Bikes").shows(resumeOffer) }},
		{"numbers_crm_picker", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("enter").waitFor("intercom").shows(resumeOffer)
		}},
		{"contacts_plan", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("enter", "enter").waitFor("sort: plan")
		}},
		{"contacts_filtered", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("enter", "enter").waitFor("sort: plan").
				keys("/", "a", "n", "a", "enter", "s").waitFor("status: create")
		}},
		{"contacts_sorted_desc", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("enter", "enter").waitFor("sort: plan").keys("o", "O").shows("sort: name ↓")
		}},
		{"contacts_request", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("down", "enter", "enter").waitFor("Press enter").keys("enter").waitFor("(y/n)")
		}},
		{"contacts_request_refused", common.NumbersScreen, func(s *session) {
			s.b.SetChecks(uitest.UnsubscribedChecks())
			s.waitFor("Bay Bikes").keys("down", "enter", "enter").waitFor("Press enter").keys("enter").
				waitFor("type force").keys("f", "o").shows("fo▏")
		}},
		{"numbers_doctor", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("down", "d").waitFor("with a warning").shows(resumeOffer)
		}},
		{"sync_confirm", common.NumbersScreen, func(s *session) {
			s.waitFor("Bay Bikes").keys("enter", "enter").waitFor("sort: plan").keys("S").waitFor("(y/n)")
		}},
		{"sync_live", common.NumbersScreen, func(s *session) {
			sendLiveEvents(s)
			s.waitFor("Bay Bikes").keys("enter", "enter").waitFor("sort: plan").keys("S").waitFor("(y/n)").
				keys("y").waitFor("search 1.5s").shows("5/12") // the last event drawn
		}},
		{"sync_summary", common.NumbersScreen, func(s *session) {
			sendLiveEvents(s)
			s.waitFor("Bay Bikes").keys("enter", "enter").waitFor("sort: plan").keys("S").waitFor("(y/n)").
				keys("y").waitFor("search 1.5s").keys("x").waitFor("(y/n)").keys("y").waitFor("cancelled")
		}},
		{"sync_resume", common.RunsScreen, func(s *session) {
			s.waitFor("interrupted").keys("down", "u").shows("Resume writing to intercom? (y/n)")
		}},
		{"undo_confirm", common.RunsScreen, func(s *session) {
			s.waitFor("interrupted").keys("U").waitFor("and press enter").keys("u", "n", "d", "o").shows("undo▏")
		}},
		{"undo_live", common.RunsScreen, func(s *session) {
			for _, ev := range uitest.UndoEvents() {
				s.b.Eng.UndoJob.Ch <- ev
			}
			s.waitFor("interrupted").keys("U").waitFor("and press enter").keys("u", "n", "d", "o", " ", "3", "enter").shows("Carla 2", "Archived 1   Kept 1", "elapsed 1s")
		}},
		{"undo_summary", common.RunsScreen, func(s *session) {
			s.waitFor("interrupted").keys("U").waitFor("and press enter").keys("u", "n", "d", "o", " ", "3", "enter").shows("Archiving")
			s.b.Eng.UndoJob.Finish(engine.RunSummary{RunID: 8, Status: store.RunFinished, Total: 5, Created: 3, Skipped: 2,
				Elapsed: 2 * time.Second})
			s.shows("Undo run #8 finished")
		}},
		{"runs", common.RunsScreen, func(s *session) { s.waitFor("interrupted") }},
		{"failures", common.RunsScreen, func(s *session) {
			s.waitFor("interrupted").keys("enter").waitFor("no_phone_number")
		}},
		{"failure_detail", common.RunsScreen, func(s *session) {
			s.waitFor("interrupted").keys("enter").waitFor("no_phone_number").keys("enter").waitFor("Attempts")
		}},
		{"help", common.NumbersScreen, func(s *session) { s.waitFor("Bay Bikes").keys("?").waitFor("refresh").shows(resumeOffer) }},
	}
	// The harness's default is NO_COLOR (symbols, no colour); the colour
	// goldens keep the escape sequences, so a lost colour shows too.
	for _, c := range cases {
		for _, size := range sizes {
			for _, colour := range []bool{false, true} {
				name := c.name + "/" + size.name
				if colour {
					name = c.name + "/colour_" + size.name
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					b := uitest.NewBackend()
					a := newApp(t, b, c.start)
					if colour {
						a = newStyledApp(t, b, c.start, NewStyles(false))
					}
					s := start(t, a, size.w, size.h)
					s.b = b
					c.drive(s)
					if colour {
						requireGolden(t, s.finalStyled())
						return
					}
					requireGolden(t, s.final())
				})
			}
		}
	}
}

// sendLiveEvents queues what a running job reports before the key presses
// reach it.
func sendLiveEvents(s *session) {
	job := s.b.Eng.Job
	for _, ev := range uitest.LiveEvents() {
		job.Ch <- ev
	}
}
