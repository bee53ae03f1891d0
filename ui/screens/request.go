package screens

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"coexsync/doctor"
	"coexsync/ui/common"
	"coexsync/ui/components"
	"coexsync/ui/safe"
)

// forceWord is what the agent types to send the request although a Meta
// check failed.
const forceWord = "force"

var sendAnyway = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send anyway (type force first)"))

// checkMeta runs the doctor's read-only checks before the one-time
// request is offered: a request sent while the webhook is not set up is
// lost, and Meta never allows a second one.
func (s *Contacts) checkMeta() tea.Cmd {
	s.state, s.checks, s.force = contactsChecking, nil, components.Input{}
	return doctorCmd(s.c, s.gen, s.c.Session.Number.ID, doctor.ScopeMeta)
}

// refused reports a failing Meta check: y does not send, only a typed
// force does.
func (s *Contacts) refused() bool {
	_, bad := failing(s.checks)
	return bad
}

func (s *Contacts) typedForce(msg tea.Msg) {
	if s.refused() {
		s.force.Update(msg)
	}
}

// requestKeys are the keys while the checks run and while the request
// waits for the agent's answer.
func (s *Contacts) requestKeys() common.Bindings {
	k := s.c.Keys
	deny := func() tea.Cmd { s.state, s.force = contactsRequest, components.Input{}; return nil }
	switch {
	case s.state == contactsChecking:
		return common.Bindings{common.Bind(k.Back, deny)}
	case s.refused():
		return common.Bindings{
			common.Bind(sendAnyway, func() tea.Cmd {
				if strings.TrimSpace(s.force.Value) != forceWord {
					return common.Status("Not sent: type force, then enter, to send the request although a check failed.")
				}
				return s.sendRequest()
			}),
			common.Bind(k.Back, deny),
		}
	}
	return common.Bindings{common.Bind(k.Confirm, s.sendRequest), common.Bind(k.Deny, deny), common.Bind(k.Back, deny)}
}

func (s *Contacts) sendRequest() tea.Cmd {
	s.state, s.force = contactsLoading, components.Input{}
	c, id := s.c, s.c.Session.Number.ID
	return func() tea.Msg { return syncRequestedMsg{c.Backend.RequestContactSync(c.Ctx, id)} }
}

func (s *Contacts) requestView() string {
	st := s.c.Styles
	n := s.c.Session.Number
	text := "No Business App contacts are stored for this number yet.\n\n" +
		"coexsync can ask Meta to send them. This request can be sent ONCE per number, " +
		"and only within 24 hours of connecting the number to the Cloud API; Meta refuses " +
		"a second one. Every contact that arrives is kept in the local database."
	switch s.state {
	case contactsChecking:
		return st.Label.Render(components.Wrap("Checking Meta before the one-time request (read-only)…", s.width)) +
			"\n\n" + components.Wrap(text, s.width)
	case contactsConfirm:
		checks := strings.Join(checkLines(s.c, s.checks, s.width, false), "\n")
		if bad, ok := failing(s.checks); ok {
			// The refusal, its reason and its fix first: they must show
			// however small the terminal.
			lines := []string{
				st.BadgeAlert.Render(components.Wrap("Not sent: Meta is not ready for the one-time request of "+
					components.NumberLabel(n)+".", s.width)),
				st.Error.Render(components.Wrap(safe.Text(bad.Name+": "+bad.Detail), s.width)),
			}
			if bad.Fix != "" {
				lines = append(lines, components.Wrap("Fix: "+safe.Text(bad.Fix), s.width))
			}
			return strings.Join(append(lines,
				"",
				components.Wrap("The request can be sent only once. To send it anyway, type force and press enter:", s.width),
				s.force.View(),
				"",
				st.Label.Render("Meta checks"),
				checks,
			), "\n")
		}
		// The question first: it must show however small the terminal.
		return st.BadgeAlert.Render(components.Wrap("Send the one-time contact sync request for "+
			components.NumberLabel(n)+" now? (y/n)", s.width)) + "\n\n" +
			st.Label.Render("Meta checks (all passed)") + "\n" + checks + "\n\n" + components.Wrap(text, s.width)
	}
	return components.Wrap(text, s.width) + "\n\n" + st.Label.Render("Press enter to send the request.")
}
