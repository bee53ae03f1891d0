package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"coexsync/backend"
	"coexsync/doctor"
	"coexsync/sandbox"
	"coexsync/store"
	"coexsync/ui/safe"
)

type doctorFlags struct {
	number string
	asJSON bool
}

func newDoctorCommand(cfg *config) *cobra.Command {
	var f doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor [--number ID] [--json]",
		Short: "Check, read-only, that a sync can work (tokens, webhooks, contacts, CRM, clock)",
		Long: "Runs read-only checks: the Graph token, the WABA and its numbers, that the app\n" +
			"receives the WABA's webhooks and the smb_app_state_sync field, that contacts are\n" +
			"stored or the one-time request is unspent, the CRM tokens (and HubSpot's tier),\n" +
			"and this machine's clock. It sends only GET requests, never spends the one-time\n" +
			"request and never writes the database.\n" +
			"Exit status: 0 every check passed, 1 some failed, 2 doctor could not run.",
		Example: "  coexsync doctor --sandbox\n  coexsync doctor --number 1234 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := runDoctor(cmd.Context(), cfg, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err != nil || code != 0 {
				if err == nil {
					err = errors.New("some checks failed")
				}
				return exitCode{code: code, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.number, "number", "", "check the contacts of this phone number `id` only (default: every Coexistence number)")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, `print {"checks":[{"name","ok","detail",…}]} on standard output`)
	return cmd
}

// runDoctor returns the exit status and, for status 2, why.
func runDoctor(ctx context.Context, cfg *config, f doctorFlags, stdout, _ io.Writer) (int, error) {
	if cfg.offline {
		return 2, errors.New("doctor asks Meta and the CRMs: drop --offline")
	}
	if !cfg.sandbox && !cfg.hasAnyCredentials() {
		return 2, errors.New("no credentials are set: add --sandbox to check the built-in fake servers, " +
			"or set WHATSAPP_TOKEN, WABA_ID and HUBSPOT_TOKEN or INTERCOM_TOKEN")
	}
	b, closeAll, err := openDoctorBackend(ctx, cfg)
	if err != nil {
		return 2, err
	}
	defer closeAll()
	checks := b.Doctor(ctx, f.number, doctor.ScopeAll)
	if ctx.Err() != nil {
		return 2, ctx.Err()
	}
	if f.asJSON {
		out := struct {
			Sandbox bool           `json:"sandbox,omitempty"`
			OK      bool           `json:"ok"`
			Checks  []doctor.Check `json:"checks"`
		}{cfg.sandbox, doctor.AllOK(checks), checks}
		if err := json.NewEncoder(stdout).Encode(out); err != nil {
			return 2, err
		}
	} else {
		printChecks(stdout, checks, cfg.sandbox)
	}
	if !doctor.AllOK(checks) {
		return 1, nil
	}
	return 0, nil
}

// printChecks prints one line per check, with words rather than colours
// or symbols alone so NO_COLOR and plain logs read the same.
func printChecks(w io.Writer, checks []doctor.Check, sandboxed bool) {
	if sandboxed {
		fmt.Fprintln(w, "SANDBOX: checks ran against the built-in fake servers")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range checks {
		word := "OK"
		switch {
		case !c.OK:
			word = "FAIL"
		case c.Warn:
			word = "WARN"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", word, c.Name, safe.Text(c.Detail))
		if c.Fix != "" && (!c.OK || c.Warn) {
			fmt.Fprintf(tw, "\t\tfix: %s\n", safe.Text(c.Fix))
		}
	}
	tw.Flush()
	failed := 0
	for _, c := range checks {
		if !c.OK {
			failed++
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "all %d checks passed\n", len(checks))
	} else {
		fmt.Fprintf(w, "%d of %d checks failed\n", failed, len(checks))
	}
}

// openDoctorBackend wires the backend without writing anything: the
// database the sync would use is opened read-only when it exists (no
// migration, no last-session note), and not at all when it does not.
func openDoctorBackend(ctx context.Context, cfg *config) (*backend.Backend, func(), error) {
	ch, err := cfg.chooseDB(dbWrite)
	if err != nil {
		return nil, nil, err
	}
	var db *store.DB
	if fileExists(ch.path) {
		if db, err = store.OpenReadOnly(ch.path); err != nil {
			return nil, nil, err
		}
	}
	closeDB := func() {
		if db != nil {
			db.Close()
		}
	}
	if cfg.sandbox {
		// The sandbox's webhook receiver would store into db, but doctor
		// never requests contacts, so nothing is delivered.
		sb, err := sandbox.Start(ctx, db, cfg.seed)
		if err != nil {
			closeDB()
			return nil, nil, err
		}
		bc := sb.Config()
		bc.CRMRegion, bc.AppID = cfg.crmRegion, cfg.appID
		return backend.New(bc), func() { sb.Close(); closeDB() }, nil
	}
	bc, err := cfg.liveConfig(db)
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	bc.CRMRegion, bc.AppID = cfg.crmRegion, cfg.appID
	return backend.New(bc), closeDB, nil
}
