package screens

import (
	"fmt"
	"os"
	"path/filepath"

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
		named      map[int64]int // names filled per run
		open       int64         // run whose failures to open, 0 for none
		err        error
	}
	exportedMsg struct {
		path string
		rows int
		err  error
	}
	retryPlannedMsg struct {
		run  store.Run
		plan *engine.Plan
		err  error
	}
	undoPlannedMsg struct {
		run  store.Run
		plan *engine.UndoPlan
		err  error
	}
)

// Runs browses past runs and their failures; it needs only the database.
type Runs struct {
	c          *common.Common
	table      *components.Table
	runs       []store.Run
	numbers    map[string]store.Number // by id, from the store
	named      map[int64]int           // names filled per run
	unfinished int
	openID     int64     // asked for by the screen before: opened once loaded
	failures   *Failures // non-nil while a run is open
	dialog     *exportDialog
	width      int
	height     int
}

// NewRuns makes the runs screen.
func NewRuns(c *common.Common) *Runs {
	return &Runs{c: c, table: components.NewTable(c, []components.Column{
		{Title: "Run", Width: 5}, {Title: "Number"}, {Title: "CRM", Width: 8}, {Title: "Started", Width: 16},
		{Title: "Created", Width: 7}, {Title: "Skipped", Width: 7}, {Title: "Named", Width: 5}, {Title: "Failed", Width: 6}, {Title: "Status", Width: 12},
	})}
}

// numberOf shows a run's number as people know it.
func (s *Runs) numberOf(r store.Run) string {
	if n := s.numbers[r.NumberID]; n.DisplayPhoneNumber != "" {
		return n.DisplayPhoneNumber
	}
	return "(not in the database)"
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
		func(r store.Run) string { return fmt.Sprint(s.named[r.ID]) },
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
		ids := make([]int64, len(runs))
		for i, r := range runs {
			ids[i] = r.ID
		}
		named, err := st.NamesFilled(c.Ctx, ids...)
		if err != nil {
			return runsLoadedMsg{err: err}
		}
		unfinished, err := resumableRuns(c.Ctx, st, runs)
		return runsLoadedMsg{runs: runs, numbers: nums, unfinished: unfinished, named: named, open: open, err: err}
	}
}

func (s *Runs) SetSize(w, h int) {
	s.width, s.height = w, h
	s.table.SetSize(w, h-2)
	if s.failures != nil {
		s.failures.SetSize(w, h)
	}
}

func (s *Runs) Capturing() bool {
	return s.dialog != nil || (s.failures != nil && s.failures.Capturing())
}

func (s *Runs) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case runsLoadedMsg:
		if msg.err != nil {
			return s, common.Fail("loading runs", msg.err)
		}
		s.runs, s.unfinished, s.named = msg.runs, len(msg.unfinished), msg.named
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
		return s, common.Status(fmt.Sprintf("Exported %d failures to %s", msg.rows, msg.path))
	case undoPlannedMsg:
		return s, s.onUndoPlanned(msg)
	case retryPlannedMsg:
		if msg.err != nil {
			return s, common.Fail(fmt.Sprintf("planning a retry of run #%d", msg.run.ID), msg.err)
		}
		if len(msg.plan.Rows) == 0 {
			return s, common.Status(fmt.Sprintf("Nothing to retry in run #%d. %s", msg.run.ID, msg.plan.LeftOut.Text()))
		}
		return s, common.GoWith(common.SyncScreen, confirmMsg{request{number: s.numberFor(msg.run), crm: msg.run.CRM,
			plan: msg.plan, opts: engine.RunOptions{Mode: store.ModeRetry, ParentRunID: msg.run.ID}}})
	}
	if s.dialog != nil {
		s.dialog.typed(msg)
		return s, nil
	}
	if s.failures != nil {
		return s, s.failures.Update(msg)
	}
	if _, ok := msg.(tea.MouseWheelMsg); ok {
		s.table.Update(msg)
	}
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

// Keys is the runs list's table, or the open run's failures'.
func (s *Runs) Keys() common.Bindings {
	k := s.c.Keys
	if s.dialog != nil {
		return s.dialog.keys(k)
	}
	if s.failures != nil {
		bs := s.failures.Keys(func() { s.failures = nil })
		if !s.failures.Capturing() {
			bs = append(bs, s.runKeys(s.failures.run)...)
		}
		return bs
	}
	bs := append(s.table.Bindings(),
		common.Bind(k.Refresh, s.Activate),
		common.Bind(k.Back, common.Back).When(s.c.Depth > 1),
	)
	i := s.table.Cursor()
	if i < 0 {
		return bs
	}
	r := s.runs[i]
	return append(bs, append(common.Bindings{
		common.Bind(k.Select, func() tea.Cmd { return s.open(r) })}, s.runKeys(r)...)...)
}

// runKeys act on one run, from the list or from its failures; each is
// live only when it can do something for that run.
func (s *Runs) runKeys(r store.Run) common.Bindings {
	k := s.c.Keys
	return common.Bindings{
		common.Bind(k.Export, func() tea.Cmd { return s.export(r) }).When(r.Failed > 0),
		common.Bind(k.Retry, func() tea.Cmd {
			return s.withEngine(r, "planning a retry", func(e common.Engine, region string) tea.Msg {
				p, err := e.PlanRetry(s.c.Ctx, r.ID, region)
				return retryPlannedMsg{run: r, plan: p, err: err}
			})
		}).When(r.Failed > 0),
		common.Bind(k.Resume, func() tea.Cmd {
			// Only asks: the sync screen resumes after y.
			req := request{number: s.numberFor(r), crm: r.CRM, resume: r}
			return s.withEngine(r, "resuming", func(common.Engine, string) tea.Msg {
				return common.GoMsg{To: common.SyncScreen, With: confirmMsg{req}}
			})
		}).When(resumable(r)),
		common.Bind(k.Undo, func() tea.Cmd {
			return s.withEngine(r, "planning the undo of", func(e common.Engine, _ string) tea.Msg {
				u, ok := e.(common.Undoer)
				if !ok {
					return common.StatusMsg{Text: fmt.Sprintf("The %s engine cannot undo runs.", r.CRM), Err: true}
				}
				p, err := u.PlanUndo(s.c.Ctx, r.ID)
				return undoPlannedMsg{run: r, plan: p, err: err}
			})
		}).When(undoable(r)),
	}
}

// undoable runs created records and are over: an undo archives them.
func undoable(r store.Run) bool {
	return (r.Mode == store.ModeLive || r.Mode == store.ModeRetry) && r.Created > 0 && r.Status != store.RunRunning
}

// onUndoPlanned hands the undo preview to the sync screen, which asks for
// the typed confirmation.
func (s *Runs) onUndoPlanned(msg undoPlannedMsg) tea.Cmd {
	if msg.err != nil {
		return common.Fail(fmt.Sprintf("planning the undo of run #%d", msg.run.ID), msg.err)
	}
	p := msg.plan
	if len(p.Archive) == 0 && p.UndoRunID == 0 {
		return common.Status(fmt.Sprintf("Nothing to undo in run #%d: all %d records kept.", msg.run.ID, len(p.Kept)))
	}
	return common.GoWith(common.SyncScreen, confirmMsg{request{number: s.numberFor(msg.run), crm: msg.run.CRM, undo: p}})
}

// Heading is the open run's number and CRM; the list works on none.
func (s *Runs) Heading() common.Heading {
	if s.failures != nil {
		r := s.failures.run
		return common.Heading{Number: s.numberFor(r), CRM: r.CRM}
	}
	return common.Heading{}
}

// withEngine runs fn with the engine of the run's CRM; offline there is
// none and the error says so.
func (s *Runs) withEngine(r store.Run, doing string, fn func(common.Engine, string) tea.Msg) tea.Cmd {
	b := s.c.Backend
	return func() tea.Msg {
		e, err := b.Engine(r.CRM)
		if err != nil {
			return common.StatusMsg{Text: common.Sentence(fmt.Sprintf("%s run #%d", doing, r.ID), err), Err: true}
		}
		return fn(e, b.Region(r.NumberID))
	}
}

// ExportName is the file a run's failures are exported to.
func ExportName(runID int64) string {
	return fmt.Sprintf("coexsync-run-%d-failures.csv", runID)
}

// export asks where to write the failures in view: the open run's rows
// as filtered, or all of a run's failures from the list.
func (s *Runs) export(r store.Run) tea.Cmd {
	c := s.c
	path, err := filepath.Abs(filepath.Join(c.ExportDir, ExportName(r.ID)))
	if err != nil {
		path = filepath.Join(c.ExportDir, ExportName(r.ID))
	}
	var write func(string) tea.Msg
	if f := s.failures; f != nil && len(f.shown) < len(f.all) {
		rows := f.csvRows()
		write = func(path string) tea.Msg {
			return exportedMsg{path: path, rows: len(rows) - 1, err: writeCSV(path, rows)}
		}
	} else {
		write = func(path string) tea.Msg {
			return exportedMsg{path: path, rows: r.Failed, err: writeFileAtomic(path, func(f *os.File) error {
				return c.Backend.Store().WriteCSV(c.Ctx, f, store.OutcomeFilter{RunID: r.ID, Status: store.OutcomeFailed})
			})}
		}
	}
	s.dialog = &exportDialog{path: path, cancel: func() { s.dialog = nil },
		write: func(path string) tea.Cmd {
			s.dialog = nil
			return func() tea.Msg { return write(path) }
		}}
	return nil
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
	if s.dialog != nil {
		return s.dialog.view(s.c, "the failures in view", s.width)
	}
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
