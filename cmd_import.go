package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"coexsync/whatsapp"
)

func newImportCommand(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE…",
		Short: "Store the contacts of saved smb_app_state_sync webhook payloads",
		Long: "For when the webhook went to another system: each FILE holds one webhook body\n" +
			"(a JSON object) or many (JSON lines). Contacts are stored exactly as the\n" +
			"webhook would store them; a replayed payload changes nothing. They go to\n" +
			"the real database unless --sandbox (or --db) says otherwise.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			db, err := cfg.openStore(dbWrite, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer db.Close()
			for _, name := range files {
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				res, err := whatsapp.Import(cmd.Context(), db, "import:"+name, f)
				f.Close()
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", name, res)
				if err != nil {
					return err // already names the file and line
				}
			}
			return nil
		},
	}
}
