package screens

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

func screenCommon(b common.Backend) *common.Common {
	return &common.Common{
		Width: 80, Height: 24, Backend: b, Ctx: context.Background(), PollEvery: time.Millisecond,
		Now: func() time.Time { return uitest.Clock }, Styles: &common.Styles{},
		Keys:    &common.KeyMap{Back: key.NewBinding(key.WithKeys("esc"))},
		Session: &common.Session{},
	}
}

func TestContactsStopPollingWhenLeft(t *testing.T) {
	b := uitest.NewBackend()
	c := screenCommon(b)
	c.Session.Number = b.NumberList[1]
	c.Session.Number.SyncRequestedAt = uitest.Clock // requested: nothing to do but wait
	s := NewContacts(c)
	_, poll := s.Update(s.Activate()())
	if poll == nil {
		t.Fatal("waiting for contacts without polling")
	}
	tick := poll()
	if _, next := s.Update(tick); next == nil {
		t.Fatal("a poll tick while waiting must count contacts again")
	}
	if back, used := s.Keys().Handle(tea.KeyPressMsg{Code: tea.KeyEscape}); !used || back == nil {
		t.Fatal("esc did not go back")
	}
	if _, next := s.Update(tick); next != nil {
		t.Fatal("still polling after the operator left the screen")
	}
}

// planning is the contacts screen of a number with contacts, its plan
// built, and the message bringing it not yet sent.
func planning(t *testing.T) (*Contacts, tea.Msg) {
	t.Helper()
	b := uitest.NewBackend()
	s, cmds := startPlanning(t, b)
	if !slices.Equal(b.Chosen, []string{"hubspot"}) {
		t.Fatalf("the backend heard of CRMs %q before the plan, want hubspot", b.Chosen)
	}
	msg := cmds[0]() // the build; the others read its progress and why it waits
	if _, ok := msg.(planBuiltMsg); !ok {
		t.Fatalf("the build returned %T", msg)
	}
	return s, msg
}

// startPlanning opens the contacts screen of b's first number, which has
// contacts, for HubSpot: the plan starts at once. cmds are its commands:
// the build, its progress, why it waits.
func startPlanning(t *testing.T, b *uitest.Backend) (s *Contacts, cmds tea.BatchMsg) {
	t.Helper()
	c := screenCommon(b)
	c.Keys.Sort = key.NewBinding(key.WithKeys("o"))
	c.Session.Number, c.Session.CRM = b.NumberList[0], "hubspot"
	s = NewContacts(c)
	s.SetSize(c.Width, c.Height)
	_, plan := s.Update(s.Activate()())
	if plan == nil || s.state != contactsPlanning {
		t.Fatal("the plan is not being built")
	}
	return s, plan().(tea.BatchMsg)
}

// prepare sends the plan and then what its command returns.
func prepare(t *testing.T, s *Contacts, plan tea.Msg) {
	t.Helper()
	_, cmd := s.Update(plan)
	if cmd == nil {
		t.Fatal("the preview was not left to a command")
	}
	s.Update(cmd())
	if s.state != contactsTable {
		t.Fatalf("state %d once the preview is ready", s.state)
	}
}

// A plan into a sandbox still making its records has nothing to report
// for a while (a minute at a million contacts): the screen says why it
// waits, asks again while it does, and drops the reason once the plan can
// go on.
func TestContactsSaysWhyThePlanWaits(t *testing.T) {
	b := uitest.NewBackend()
	b.SetWaiting("The sandbox is still making its HubSpot records.")
	s, cmds := startPlanning(t, b)
	_, again := s.Update(cmds[2]())
	if v := s.View(); !strings.Contains(v, "Building the plan") || !strings.Contains(v, "still making its HubSpot records") {
		t.Fatalf("screen while the sandbox makes its records:\n%s", v)
	}
	if again == nil {
		t.Fatal("the reason is not asked again while it holds")
	}
	b.SetWaiting("")
	if _, more := s.Update(again()); more != nil {
		t.Error("the reason is still asked once nothing holds the plan")
	}
	if v := s.View(); strings.Contains(v, "still making") || !strings.Contains(v, "Building the plan") {
		t.Fatalf("screen once nothing holds the plan:\n%s", v)
	}

	// A reason answered after the plan arrived is not shown, nor asked again.
	b.SetWaiting("late")
	s.Update(cmds[0]())
	if _, more := s.Update(s.preparingCmd(0)()); more != nil || strings.Contains(s.View(), "late") {
		t.Fatalf("a late reason was taken:\n%s", s.View())
	}
}

func TestContactsPreparesPreviewInACommand(t *testing.T) {
	s, plan := planning(t)
	_, cmd := s.Update(plan)
	if cmd == nil || s.state != contactsPreparing {
		t.Fatal("the plan's arrival did not hand the preview to a command")
	}
	if v := s.View(); !strings.Contains(v, "Preparing the preview of 12 rows") || !strings.Contains(v, "create 4") {
		t.Fatalf("screen while preparing:\n%s", v)
	}
	if ks := s.Keys(); len(ks) != 1 {
		t.Fatalf("%d keys while preparing, want only back", len(ks))
	}
	s.Update(tea.KeyPressMsg{Code: 'a', Text: "a"}) // typed meanwhile: nothing to filter yet
	ready := cmd().(previewReadyMsg)
	stale := ready
	stale.gen--
	if s.Update(stale); s.state != contactsPreparing {
		t.Fatal("a preview of an earlier visit was shown")
	}
	if s.Update(ready); s.state != contactsTable || !strings.Contains(s.View(), "showing 12/12 · status: all · sort: plan ↑") {
		t.Fatalf("screen once ready:\n%s", s.View())
	}
}

// The order of a preview that was replaced meanwhile (a new plan, or a
// run started) is dropped.
func TestContactsDropsSortOfReplacedPreview(t *testing.T) {
	s, plan := planning(t)
	prepare(t, s, plan)
	sortCmd, used := s.Keys().Handle(tea.KeyPressMsg{Code: 'o', Text: "o"})
	if !used || sortCmd == nil || !strings.Contains(s.View(), "sorting by name…") {
		t.Fatalf("first press of o: used %v, command %v:\n%s", used, sortCmd != nil, s.View())
	}
	old := sortCmd()
	prepare(t, s, plan) // the same plan again, so a new view
	if s.Update(old); !strings.Contains(s.View(), "sort: plan ↑") || s.view.orders[1] != nil {
		t.Fatalf("the old view's order reached the new one:\n%s", s.View())
	}
	s.Update(jobStartedMsg{})
	s.Update(old) // no preview at all now
	if s.state != contactsLoading {
		t.Fatalf("state %d after a run started", s.state)
	}
}

// Leaving while the preview is prepared, then coming back, prepares it
// again: the first one's result belongs to the earlier visit.
func TestContactsPreparesAgainWhenComingBack(t *testing.T) {
	s, plan := planning(t)
	_, first := s.Update(plan)
	if _, used := s.Keys().Handle(tea.KeyPressMsg{Code: tea.KeyEscape}); !used {
		t.Fatal("esc did not go back")
	}
	again := s.Activate()
	if again == nil {
		t.Fatal("coming back did not prepare the preview")
	}
	if s.Update(first()); s.state != contactsPreparing {
		t.Fatal("the earlier visit's preview was shown")
	}
	if s.Update(again()); s.state != contactsTable {
		t.Fatalf("state %d after preparing again", s.state)
	}
}

// A poll's count still on its way when p starts the plan must not start a
// second one: its plan would arrive after the first, take the preview back
// to "Preparing…" and drop the S pressed on the table in between.
func TestContactsCountAnsweredAfterPlanStartsNoSecondPlan(t *testing.T) {
	b := uitest.NewBackend()
	c := screenCommon(b)
	c.Keys.BuildPlan = key.NewBinding(key.WithKeys("p"))
	c.Session.Number, c.Session.CRM = b.NumberList[0], "hubspot"
	s := NewContacts(c)
	s.Activate()
	s.state = contactsWaiting // requested: contacts are arriving
	if _, poll := s.Update(s.countCmd()()); poll == nil || s.count == 0 {
		t.Fatalf("waiting with %d contacts and no poll", s.count)
	}
	late := s.countCmd()() // the next poll's count, not yet delivered
	if plan, used := s.Keys().Handle(tea.KeyPressMsg{Code: 'p', Text: "p"}); !used || plan == nil || s.state != contactsPlanning {
		t.Fatalf("p did not start the plan (state %d)", s.state)
	}
	if _, again := s.Update(late); again != nil || s.state != contactsPlanning {
		t.Fatalf("a count answered while planning returned a command (state %d): a second plan", s.state)
	}
}
