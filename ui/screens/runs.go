package screens

import (
	"fmt"
	"os"
	"path/filepath"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/components"
)

// runsPageSize bounds how many past runs the list loads.
const runsPageSize = 500

type (
	runsLoadedMsg struct {
		runs       []store.Run
		numbers    []store.Number
		unfinished []store.Run
		open       int64 // run whose failures to open, 0 for none
		err        error
	}
	exportedMsg struct {
		path string
		err  error
	}
	retryPlannedMsg struct {
		run  store.Run
		plan *engine.Plan
		err  error
	}
)

// Runs browses past runs and their failures; it needs only the database.
type Runs struct {
	c          *common.Common
	table      *components.Table
	runs       []store.Run
	numbers    map[string]store.Number // by id, from the store
	unfinished int
	openID     int64     // asked for by the screen before: opened once loaded
	failures   *Failures // non-nil while a run is open
	width      int
	height     int
}

// NewRuns makes the runs screen.
func NewRuns(c *common.Common) *Runs {
	return &Runs{c: c, table: components.NewTable(c, []components.Column{
		{Title: "Run", Width: 5}, {Title: "Number"}, {Title: "CRM", Width: 8}, {Title: "Started", Width: 16},
		{Title: "Created", Width: 7}, {Title: "Skipped", Width: 7}, {Title: "Failed", Width: 6}, {Title: "Status", Width: 12},
	})}
}

// numberOf shows a run's number as people know it, its Graph id when the
// number is not in the database.
func (s *Runs) numberOf(r store.Run) string {
	if n := s.numbers[r.NumberID]; n.DisplayPhoneNumber != "" {
		return n.DisplayPhoneNumber
	}
	return r.NumberID
}

// numberFor is a run's number for the header.
func (s *Runs) numberFor(r store.Run) store.Number {
	if n, ok := s.numbers[r.NumberID]; ok {
		return n
	}
	return store.Number{ID: r.NumberID}
}

// runCols read the table's cells.
func (s *Runs) runCols() []func(store.Run) string {
	return []func(store.Run) string{
		func(r store.Run) string { return fmt.Sprint(r.ID) },
		s.numberOf,
		func(r store.Run) string { return r.CRM },
		func(r store.Run) string { return r.StartedAt.Local().Format("2006-01-02 15:04") },
		func(r store.Run) string { return fmt.Sprint(r.Created) },
		func(r store.Run) string { return fmt.Sprint(r.Skipped) },
		func(r store.Run) string { return fmt.Sprint(r.Failed) },
		func(r store.Run) string {
			if resumable(r) {
				return string(r.Status) + "*"
			}
			return string(r.Status)
		},
	}
}

func (s *Runs) Init() tea.Cmd { return nil }

func (s *Runs) Activate() tea.Cmd {
	s.failures = nil
	c, open := s.c, s.openID
	s.openID = 0
	return func() tea.Msg {
		st := c.Backend.Store()
		runs, err := st.Runs(c.Ctx, runsPageSize, 0)
		if err != nil {
			return runsLoadedMsg{err: err}
		}
		nums, err := st.Numbers(c.Ctx)
		if err != nil {
			return runsLoadedMsg{err: err}
		}
		unfinished, err := resumableRuns(c.Ctx, st, runs)
		return runsLoadedMsg{runs: runs, numbers: nums, unfinished: unfinished, open: open, err: err}
	}
}

func (s *Runs) SetSize(w, h int) {
	s.width, s.height = w, h
	s.table.SetSize(w, h-2)
	if s.failures != nil {
		s.failures.SetSize(w, h)
	}
}

func (s *Runs) Capturing() bool { return s.failures != nil && s.failures.Capturing() }

func (s *Runs) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case runsLoadedMsg:
		if msg.err != nil {
			return s, common.Fail("loading runs", msg.err)
		}
		s.runs, s.unfinished = msg.runs, len(msg.unfinished)
		s.numbers = make(map[string]store.Number, len(msg.numbers))
		for _, n := range msg.numbers {
			s.numbers[n.ID] = n
		}
		s.table.SetSource(components.ListSource[store.Run]{Items: s.runs, Cols: s.runCols()})
		return s, s.openRequested(msg.open)
	case openRunMsg:
		s.openID = msg.runID
		return s, nil
	case exportedMsg:
		if msg.err != nil {
			return s, common.Fail("exporting CSV", msg.err)
		}
		return s, common.Status("Exported failures to " + msg.path)
	case retryPlannedMsg:
		if msg.err != nil {
			return s, common.Fail(fmt.Sprintf("planning a retry of run #%d", msg.run.ID), msg.err)
		}
		return s, common.GoWith(common.SyncScreen, confirmMsg{request{number: s.numberFor(msg.run), crm: msg.run.CRM,
			plan: msg.plan, opts: engine.RunOptions{Mode: store.ModeRetry, ParentRunID: msg.run.ID}}})
	}
	if s.failures != nil {
		return s, s.updateFailures(msg)
	}
	if km, ok := msg.(tea.KeyPressMsg); ok {
		if cmd, used := s.onKey(km); used {
			return s, cmd
		}
	}
	s.table.Update(msg)
	return s, nil
}

// openRequested opens the run another screen asked for (a finished sync).
func (s *Runs) openRequested(id int64) tea.Cmd {
	if id == 0 {
		return nil
	}
	for i, r := range s.runs {
		if r.ID == id {
			s.table.SetCursor(i)
			return s.open(r)
		}
	}
	return nil
}

func (s *Runs) open(r store.Run) tea.Cmd {
	s.failures = NewFailures(s.c, r)
	s.failures.SetSize(s.width, s.height)
	return s.failures.Load()
}

func (s *Runs) updateFailures(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if ok && !s.failures.Capturing() {
		if cmd, used := s.runAction(km, s.failures.run); used {
			return cmd
		}
	}
	cmd, closed := s.failures.Update(msg)
	if closed {
		s.failures = nil
	}
	return cmd
}

func (s *Runs) onKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := s.c.Keys
	i := s.table.Cursor()
	switch {
	case key.Matches(msg, k.Back):
		return common.Back(), true
	case key.Matches(msg, k.Refresh):
		return s.Activate(), true
	case i < 0:
		return nil, false
	case key.Matches(msg, k.Select):
		return s.open(s.runs[i]), true
	}
	return s.runAction(msg, s.runs[i])
}

// runAction handles the keys that act on one run, from the list or from
// its failures.
func (s *Runs) runAction(msg tea.KeyPressMsg, r store.Run) (tea.Cmd, bool) {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Export):
		return s.export(r), true
	case key.Matches(msg, k.Retry):
		if r.Failed == 0 {
			return common.Status(fmt.Sprintf("Run #%d has no failed contacts to retry.", r.ID)), true
		}
		return s.withEngine(r, "planning a retry", func(e common.Engine, region string) tea.Msg {
			p, err := e.PlanRetry(s.c.Ctx, r.ID, region)
			return retryPlannedMsg{run: r, plan: p, err: err}
		}), true
	case key.Matches(msg, k.Resume):
		if !resumable(r) {
			return common.Status(fmt.Sprintf("Run #%d is %s with no contacts left: nothing to resume.", r.ID, r.Status)), true
		}
		// Only asks: the sync screen resumes after y.
		req := request{number: s.numberFor(r), crm: r.CRM, resume: r}
		return s.withEngine(r, "resuming", func(common.Engine, string) tea.Msg {
			return common.GoMsg{To: common.SyncScreen, With: confirmMsg{req}}
		}), true
	}
	return nil, false
}

// withEngine runs fn with the engine of the run's CRM; offline there is
// none and the error says so.
func (s *Runs) withEngine(r store.Run, doing string, fn func(common.Engine, string) tea.Msg) tea.Cmd {
	b := s.c.Backend
	return func() tea.Msg {
		e, err := b.Engine(r.CRM)
		if err != nil {
			return common.StatusMsg{Text: fmt.Sprintf("%s run #%d: %v", doing, r.ID, err), Err: true}
		}
		return fn(e, b.Region(r.NumberID))
	}
}

// ExportName is the file a run's failures are exported to.
func ExportName(runID int64) string {
	return fmt.Sprintf("coexsync-run-%d-failures.csv", runID)
}

func (s *Runs) export(r store.Run) tea.Cmd {
	c := s.c
	return func() tea.Msg {
		path, err := filepath.Abs(filepath.Join(c.ExportDir, ExportName(r.ID)))
		if err != nil {
			return exportedMsg{err: err}
		}
		return exportedMsg{path: path, err: writeFileAtomic(path, func(f *os.File) error {
			return c.Backend.Store().WriteCSV(c.Ctx, f, store.OutcomeFilter{RunID: r.ID, Status: store.OutcomeFailed})
		})}
	}
}

// writeFileAtomic writes through a temporary file so a failed export never
// leaves half a CSV under the final name. Mode 0600: it holds personal data.
func writeFileAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (s *Runs) View() string {
	if s.failures != nil {
		return s.failures.View()
	}
	st := s.c.Styles
	if len(s.runs) == 0 {
		return "No runs yet."
	}
	note := st.Muted.Render("Newest first.")
	if s.unfinished > 0 {
		note = st.Warn.Render(fmt.Sprintf("%d unfinished run(s), marked *: select one and press u to resume.", s.unfinished))
	}
	return components.Fit(note, s.width) + "\n" + s.table.View()
}

func (s *Runs) ShortHelp() []key.Binding {
	if s.failures != nil {
		return s.failures.ShortHelp()
	}
	k := s.c.Keys
	return []key.Binding{k.Select, k.Retry, k.Resume, k.Export, k.Back, k.Help}
}

func (s *Runs) FullHelp() [][]key.Binding {
	if s.failures != nil {
		return s.failures.FullHelp()
	}
	k := s.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Select, k.Retry, k.Resume, k.Export, k.Refresh}, {k.Back, k.Help, k.Quit}}
}
