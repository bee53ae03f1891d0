package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/safe"
)

// undoFlags are the undo command's options.
type undoFlags struct {
	run    int64
	yes    bool
	asJSON bool
	force  bool
}

func newUndoCommand(cfg *config) *cobra.Command {
	var f undoFlags
	cmd := &cobra.Command{
		Use:   "undo --run ID",
		Short: "Archive the CRM records a sync run created (after syncing into the wrong account)",
		Long: "Archives in the CRM the records run ID created, and only those nobody modified\n" +
			"since; records the run only matched, records edited after the create and records\n" +
			"already gone are kept, each with its reason. Shows the preview, then asks you to\n" +
			"type \"undo <count>\" unless --yes. The undo is recorded as a run of its own; a\n" +
			"killed or cancelled undo is continued by running the same command again.\n" +
			"Exit status: 0 done (or nothing to undo), 1 some records could not be\n" +
			"archived, 2 the undo could not run or was not confirmed.",
		Example: "  coexsync undo --run 7\n" +
			"  coexsync undo --run 7 --yes --json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := runUndo(cmd.Context(), cfg, f, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err != nil || code != 0 {
				if err == nil {
					err = errors.New("some records could not be archived")
				}
				return exitCode{code: code, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.Var((*runIDFlag)(&f.run), "run", "the run `id` whose created records to archive (see coexsync runs)")
	fl.BoolVar(&f.yes, "yes", false, "do not ask for the typed confirmation")
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary on standard output (the preview goes to standard error)")
	fl.BoolVar(&f.force, "force", false, "take over the write lease of a number whose holder process is gone")
	return cmd
}

// runUndo returns the exit status and, for status 2, why.
func runUndo(ctx context.Context, cfg *config, f undoFlags, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	switch {
	case f.run <= 0:
		return 2, errors.New("--run is required (see coexsync runs)")
	case cfg.offline:
		return 2, errors.New("undo needs the CRM: drop --offline")
	case !cfg.sandbox && !cfg.hasCRMCredentials():
		return 2, errors.New("no CRM credentials are set: set HUBSPOT_TOKEN or INTERCOM_TOKEN for the account the run " +
			"synced into, or add --sandbox")
	}
	b, closeAll, err := cfg.openBackend(ctx, stderr)
	if err != nil {
		return 2, err
	}
	defer closeAll()
	run, err := b.Store().Run(ctx, f.run)
	if err != nil {
		return 2, err
	}
	if cfg.crm != "" && cfg.crm != run.CRM {
		return 2, fmt.Errorf("run %d synced into %s, not %s: drop --crm", run.ID, run.CRM, cfg.crm)
	}
	eng, err := b.Engine(run.CRM)
	if err != nil {
		return 2, err
	}
	eng.Force = f.force
	plan, err := eng.PlanUndo(ctx, f.run)
	if err != nil {
		return 2, err
	}
	preview := stdout
	if f.asJSON {
		preview = stderr
	}
	printUndoPlan(preview, plan, run, cfg.sandbox)
	out := undoJSON{Sandbox: cfg.sandbox, UndoneRunID: f.run, ToArchive: plan.ArchiveIDs(), Kept: keptJSON(plan.Kept), Failures: []failureJSON{}}
	if len(plan.Archive) == 0 && plan.UndoRunID == 0 {
		fmt.Fprintln(preview, sandboxWord(cfg.sandbox)+"nothing to archive")
		out.Status = "nothing_to_undo"
		return 0, printUndoJSON(stdout, out, f.asJSON)
	}
	if !f.yes {
		if err := confirmUndo(stdin, stderr, plan); err != nil {
			out.Status = "not_confirmed"
			if jerr := printUndoJSON(stdout, out, f.asJSON); jerr != nil {
				return 2, jerr
			}
			return 2, err
		}
	}
	job, err := eng.StartUndo(ctx, plan)
	if err != nil {
		return 2, err
	}
	sum := followJob(job, stderr, !f.asJSON && isatty.IsTerminal(os.Stderr.Fd()))
	out.RunID, out.Status = sum.RunID, string(sum.Status)
	out.Archived, out.Skipped, out.Failed, out.Seconds = sum.Created, sum.Skipped, sum.Failed, sum.Elapsed.Seconds()
	if sum.Err != nil {
		out.Error = shownText(sum.Err.Error())
	}
	for _, o := range sum.Failures {
		out.Failures = append(out.Failures, failureJSON{
			ContactID: o.ContactID, Name: o.Name, Raw: o.Raw, E164: o.E164, Reason: o.Reason, Message: shownText(o.ReasonText),
		})
	}
	if f.asJSON {
		if err := printUndoJSON(stdout, out, true); err != nil {
			return 2, err
		}
	} else {
		printUndoSummary(stdout, sum, f.run, cfg.sandbox)
	}
	switch {
	case sum.Status != store.RunFinished:
		if sum.Err != nil {
			return 2, sum.Err
		}
		return 2, fmt.Errorf("undo run %d %s; run the same undo again to finish it", sum.RunID, sum.Status)
	case sum.Failed > 0:
		return 1, nil
	}
	return 0, nil
}

// confirmUndo asks for the plan's confirmation on stdin.
func confirmUndo(stdin io.Reader, prompt io.Writer, plan *engine.UndoPlan) error {
	want := plan.Confirmation()
	fmt.Fprintf(prompt, "Type %q to archive these %d records (anything else cancels): ", want, len(plan.Archive))
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if strings.Join(strings.Fields(line), " ") != want {
		return fmt.Errorf("not confirmed (want %q): nothing was archived", want)
	}
	return nil
}

// keepWords name the kept reasons in the preview.
var keepWords = map[engine.KeepReason]string{
	engine.KeepModified:    "modified since coexsync created them",
	engine.KeepGone:        "already archived or deleted",
	engine.KeepNotCreated:  "not created by this run",
	engine.KeepUnconfirmed: "creates never confirmed",
	engine.KeepUndone:      "archived by an earlier undo",
}

// undoIDsPerLine is how many record ids one preview line lists.
const undoIDsPerLine = 8

func printUndoPlan(w io.Writer, p *engine.UndoPlan, run store.Run, sandboxed bool) {
	fmt.Fprintf(w, sandboxWord(sandboxed)+"undo of run %d (%s %s, number %s, %s): %d to archive, %d kept\n",
		p.RunID, run.Mode, run.CRM, safe.Text(p.NumberID), run.StartedAt.Local().Format("2006-01-02 15:04"), len(p.Archive), len(p.Kept))
	if p.UndoRunID != 0 {
		fmt.Fprintf(w, "continuing undo run %d: %d records already settled\n", p.UndoRunID, p.Done)
	}
	fmt.Fprintf(w, "to archive (%d):\n", len(p.Archive))
	ids := p.ArchiveIDs()
	for i := 0; i < len(ids); i += undoIDsPerLine {
		fmt.Fprintf(w, "  %s\n", safe.Text(strings.Join(ids[i:min(i+undoIDsPerLine, len(ids))], " ")))
	}
	if len(p.Kept) == 0 {
		return
	}
	var counts []string
	for _, k := range []engine.KeepReason{engine.KeepModified, engine.KeepGone, engine.KeepNotCreated, engine.KeepUnconfirmed, engine.KeepUndone} {
		if n := p.KeptCounts[k]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, keepWords[k]))
		}
	}
	fmt.Fprintf(w, "kept (%d): %s\n", len(p.Kept), strings.Join(counts, ", "))
	for _, it := range p.Kept {
		id := it.RecordID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(w, "  %-12s %-18s %-12s %s\n", safe.Text(id), safe.Text(it.Raw), it.Keep, shownText(it.Reason))
	}
}

func printUndoSummary(w io.Writer, s engine.RunSummary, undone int64, sandboxed bool) {
	fmt.Fprintf(w, sandboxWord(sandboxed)+"undo run %d of run %d %s: %d archived, %d kept, %d failed (of %d)\n",
		s.RunID, undone, s.Status, s.Created, s.Skipped, s.Failed, s.Total)
	printStopAndFailures(w, s)
}

// undoJSON is the --json summary of an undo; its fields are stable for
// scripts.
type undoJSON struct {
	Sandbox     bool  `json:"sandbox"`
	UndoneRunID int64 `json:"undone_run_id"`
	// RunID is the undo run (0 when nothing ran); Status its final status,
	// or "nothing_to_undo" / "not_confirmed".
	RunID     int64          `json:"run_id"`
	Status    string         `json:"status"`
	ToArchive []string       `json:"to_archive"`
	Kept      []undoKeptJSON `json:"kept"`
	Archived  int            `json:"archived"`
	Skipped   int            `json:"skipped"`
	Failed    int            `json:"failed"`
	Seconds   float64        `json:"seconds"`
	Error     string         `json:"error,omitempty"`
	Failures  []failureJSON  `json:"failures"`
}

// undoKeptJSON is one record the undo keeps.
type undoKeptJSON struct {
	RecordID  string `json:"record_id,omitempty"`
	ContactID int64  `json:"contact_id"`
	Raw       string `json:"raw"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
}

func keptJSON(items []engine.UndoItem) []undoKeptJSON {
	out := make([]undoKeptJSON, len(items))
	for i, it := range items {
		out[i] = undoKeptJSON{RecordID: it.RecordID, ContactID: it.ContactID, Raw: it.Raw, Reason: string(it.Keep), Message: shownText(it.Reason)}
	}
	return out
}

func printUndoJSON(w io.Writer, out undoJSON, asJSON bool) error {
	if !asJSON {
		return nil
	}
	if out.ToArchive == nil {
		out.ToArchive = []string{}
	}
	return json.NewEncoder(w).Encode(out)
}
