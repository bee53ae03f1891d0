package main

import (
	"context"
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
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List past sync runs, newest first (offline)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := cfg.openStore(dbBrowse, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer db.Close()
			runs, err := db.Runs(cmd.Context(), limit, 0)
			if err != nil {
				return err
			}
			if len(runs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no runs yet")
			}
			for _, r := range runs {
				fmt.Fprintln(cmd.OutOrStdout(), runLine(r))
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "how many runs to list")
	return cmd
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
	cmd.Flags().Int64Var(&runID, "run", 0, "run `id`")
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
