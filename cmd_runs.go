package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"coexsync/store"
	"coexsync/ui/safe"
)

func newRunsCommand(cfg *config) *cobra.Command {
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs [--json]",
		Short: "List past sync runs, newest first (offline)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := cfg.openStore(dbBrowse, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer db.Close()
			list, err := listRuns(cmd.Context(), db, limit)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(map[string]any{"runs": list})
			}
			if len(list) == 0 {
				fmt.Fprintln(w, "no runs yet")
				return nil
			}
			fmt.Fprintln(w, runHeader)
			for _, r := range list {
				fmt.Fprintln(w, r.line())
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "how many runs to list")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the runs as JSON")
	return cmd
}

// listedRun is one run as `coexsync runs` shows it: the number by its
// display form and business name, which agents know it by, not its id.
type listedRun struct {
	ID          int64  `json:"run_id"`
	Started     string `json:"started"`
	CRM         string `json:"crm"`
	Mode        string `json:"mode"`
	Status      string `json:"status"`
	Created     int    `json:"created"` // archived, for an undo
	Skipped     int    `json:"skipped"`
	Failed      int    `json:"failed"`
	Pending     int    `json:"pending"`
	NamesFilled int    `json:"names_filled"`
	NumberID    string `json:"number_id"`
	Number      string `json:"number"`
	Business    string `json:"business_name"`
}

func listRuns(ctx context.Context, db *store.DB, limit int) ([]listedRun, error) {
	runs, err := db.Runs(ctx, limit, 0)
	if err != nil {
		return nil, err
	}
	numbers, err := db.Numbers(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.Number, len(numbers))
	for _, n := range numbers {
		byID[n.ID] = n
	}
	ids := make([]int64, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	named, err := db.NamesFilled(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]listedRun, len(runs))
	for i, r := range runs {
		n := byID[r.NumberID]
		out[i] = listedRun{
			ID: r.ID, Started: r.StartedAt.Local().Format("2006-01-02 15:04"), CRM: r.CRM, Mode: string(r.Mode),
			Status: string(r.Status), Created: r.Created, Skipped: r.Skipped, Failed: r.Failed, Pending: r.Pending,
			NamesFilled: named[r.ID], NumberID: r.NumberID,
			Number: safe.Text(n.DisplayPhoneNumber), Business: safe.Text(n.VerifiedName),
		}
	}
	return out, nil
}

func newExportCommand(cfg *config) *cobra.Command {
	var (
		runID  int64
		status string
		reason string
		out    string
	)
	cmd := &cobra.Command{
		Use:     "export --run ID",
		Short:   "Export a run's outcomes as CSV (offline)",
		Example: "  coexsync export --run 3 --status failed --out failures.csv",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runID == 0 {
				return fmt.Errorf("--run is required (see coexsync runs)")
			}
			switch store.OutcomeStatus(status) {
			case "", store.OutcomeCreated, store.OutcomeSkipped, store.OutcomeFailed, store.OutcomePending:
			default:
				return fmt.Errorf("--status %q: want created, skipped, failed or pending", status)
			}
			db, err := cfg.openStore(dbBrowse, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer db.Close()
			if _, err := db.Run(cmd.Context(), runID); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			filter := store.OutcomeFilter{RunID: runID, Status: store.OutcomeStatus(status), Reason: reason}
			return exportCSV(cmd.Context(), db, w, filter, isTerminal(w))
		},
	}
	cmd.Flags().Var((*runIDFlag)(&runID), "run", "run `id`")
	cmd.Flags().StringVar(&status, "status", "", "only outcomes of this status (created, skipped, failed)")
	cmd.Flags().StringVar(&reason, "reason", "", "only outcomes with this reason code")
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to this file instead of standard output")
	return cmd
}

// exportCSV writes the outcomes as CSV. On a terminal every cell is made
// as harmless as the console makes it (names and CRM messages came from
// outside and may hold escape sequences); a file or pipe keeps the text.
func exportCSV(ctx context.Context, db *store.DB, w io.Writer, f store.OutcomeFilter, terminal bool) error {
	if terminal {
		return db.WriteCSVCells(ctx, w, f, safe.Text)
	}
	return db.WriteCSV(ctx, w, f)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
