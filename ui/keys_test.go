package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// keyStates are the screen states whose keys are checked: each builds a
// fresh console in that state.
var keyStates = []struct {
	name  string
	start common.ScreenID
	setup func(*uitest.Backend) []string
}{
	{"numbers", common.NumbersScreen, nil},
	{"numbers_picker", common.NumbersScreen, keysOf("enter")},
	{"contacts_request", common.NumbersScreen, keysOf("down", "enter", "enter")},
	{"contacts_request_confirm", common.NumbersScreen, keysOf("down", "enter", "enter", "enter")},
	{"contacts_request_refused", common.NumbersScreen, func(b *uitest.Backend) []string {
		b.Checks = uitest.UnsubscribedChecks()
		return []string{"down", "enter", "enter", "enter"}
	}},
	{"contacts_request_forcing", common.NumbersScreen, func(b *uitest.Backend) []string {
		b.Checks = uitest.UnsubscribedChecks()
		return []string{"down", "enter", "enter", "enter", "f", "o", "r", "c", "e"}
	}},
	{"numbers_doctor", common.NumbersScreen, keysOf("d")},
	{"contacts_table", common.NumbersScreen, keysOf("enter", "enter")},
	{"contacts_table_moved", common.NumbersScreen, keysOf("enter", "enter", "down")},
	{"contacts_filter_typing", common.NumbersScreen, keysOf("enter", "enter", "/", "a")},
	{"contacts_filtered", common.NumbersScreen, keysOf("enter", "enter", "/", "a", "enter")},
	{"contacts_export", common.NumbersScreen, keysOf("enter", "enter", "e")},
	{"sync_confirm", common.NumbersScreen, keysOf("enter", "enter", "S")},
	{"sync_running", common.NumbersScreen, func(b *uitest.Backend) []string {
		for _, ev := range uitest.LiveEvents() {
			b.Eng.Job.Ch <- ev
		}
		return []string{"enter", "enter", "S", "y"}
	}},
	{"sync_cancel_ask", common.NumbersScreen, func(b *uitest.Backend) []string {
		for _, ev := range uitest.LiveEvents() {
			b.Eng.Job.Ch <- ev
		}
		return []string{"enter", "enter", "S", "y", "x"}
	}},
	{"runs", common.RunsScreen, nil},
	{"runs_moved", common.RunsScreen, keysOf("down")},
	{"runs_last", common.RunsScreen, keysOf("end")},
	{"failures", common.RunsScreen, keysOf("enter")},
	{"failure_detail", common.RunsScreen, keysOf("enter", "enter")},
	{"runs_export", common.RunsScreen, keysOf("e")},
	{"undo_confirm", common.RunsScreen, keysOf("U")},
	{"undo_typed", common.RunsScreen, keysOf("U", "u", "n", "d", "o", " ", "3")},
	{"undo_running", common.RunsScreen, func(b *uitest.Backend) []string {
		for _, ev := range uitest.UndoEvents() {
			b.Eng.UndoJob.Ch <- ev
		}
		return []string{"U", "u", "n", "d", "o", " ", "3", "enter"}
	}},
}

func keysOf(k ...string) func(*uitest.Backend) []string {
	return func(*uitest.Backend) []string { return k }
}

// universe is every key the console knows plus a few it does not.
func universe(a *App) []string {
	k := a.c.Keys
	seen := map[string]bool{}
	var out []string
	for _, kb := range []interface{ Keys() []string }{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Home, &k.End,
		&k.Select, &k.Back, &k.Quit, &k.Help, &k.Filter, &k.StatusFilter, &k.ReasonFilter, &k.Sort, &k.Confirm,
		&k.Deny, &k.Cancel, &k.Runs, &k.Refresh, &k.Request, &k.BuildPlan, &k.StartSync, &k.Retry, &k.Resume,
		&k.Export, &k.Copy, &k.Doctor, &k.Undo, &k.SortDir, &k.Mouse} {
		for _, key := range kb.Keys() {
			if !seen[key] && key != "ctrl+c" {
				seen[key] = true
				out = append(out, key)
			}
		}
	}
	return append(out, "z", "1", "tab")
}

func stateDriver(t *testing.T, i int) *driver {
	st := keyStates[i]
	b := uitest.NewBackend()
	var setup []string
	if st.setup != nil {
		setup = st.setup(b)
	}
	d := drive(t, newApp(t, b, st.start))
	d.keys(setup...)
	return d
}

// Every key the help lists does something; no key it leaves out does.
func TestHelpListsExactlyTheLiveKeys(t *testing.T) {
	t.Parallel()
	for i, st := range keyStates {
		t.Run(st.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T) { checkLiveKeys(t, i) })
		})
	}
}

// checkLiveKeys checks the help of one key state against what each key
// does there; every key is pressed on a fresh console in that state.
func checkLiveKeys(t *testing.T, i int) {
	d := stateDriver(t, i)
	live := d.a.Keys().Live()
	if len(live) == 0 {
		t.Fatal("no live keys: the agent would be stuck")
	}
	d.a.help.ShowAll = true
	full := d.a.helpView()
	for _, b := range live {
		if !strings.Contains(full, b.Help().Desc) {
			t.Errorf("help lacks live key %s (%s):\n%s", b.Help().Key, b.Help().Desc, full)
		}
	}
	for _, b := range live {
		k := b.Keys()[0]
		d := stateDriver(t, i)
		before := d.frame()
		_, cmd := d.a.Update(press(k))
		after := d.frame()
		d.run(cmd)
		if cmd == nil && after == before && !d.quit {
			t.Errorf("listed key %q (%s) did nothing", k, b.Help().Desc)
		}
	}
	typing := strings.Contains(d.frame(), "▏")
	for _, k := range universe(d.a) {
		if listed(live, k) {
			continue
		}
		if typing && len([]rune(k)) == 1 {
			continue // text typed into the filter or path
		}
		d := stateDriver(t, i)
		before := d.frame()
		_, cmd := d.a.Update(press(k))
		if cmd != nil || d.frame() != before {
			t.Errorf("unlisted key %q acted:\n%s", k, d.frame())
		}
	}
}

func listed(bs common.Bindings, k string) bool {
	for _, b := range bs {
		if key.Matches(press(k), b.Binding) {
			return true
		}
	}
	return false
}
