package screens

import (
	"context"
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
