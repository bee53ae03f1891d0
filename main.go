// Command coexsync is the operator console for WhatsApp Coexistence contact
// sync: it copies the contacts of a WhatsApp Business App number, one way,
// into HubSpot or Intercom, and keeps every run and outcome in SQLite.
//
// main only reads flags and the environment, wires real clients or the
// sandbox, and dispatches subcommands.
package main

import (
	"coexsync/crm"
	"coexsync/ui/safe"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitCode carries a command's exit status through cobra (the headless sync
// uses 1 for "some contacts failed" and 2 for "could not run").
type exitCode struct {
	code int
	err  error
}

func (e exitCode) Error() string { return e.err.Error() }
func (e exitCode) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := fang.Execute(ctx, newRootCommand(os.LookupEnv), fang.WithVersion(version),
		fang.WithErrorHandler(printError))
	stop()
	if err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(ec.code)
		}
		os.Exit(2)
	}
}

// printError prints one line; errors may carry text from outside, so it
// goes through the same sanitiser as the console. A CRM failure ends with
// what the agent can do about it.
func printError(w io.Writer, _ fang.Styles, err error) {
	text := err.Error()
	var ce *crm.Error
	if errors.As(err, &ce) {
		text += ". " + ce.Reason.Sentence()
	}
	fmt.Fprintln(w, "coexsync: "+safe.Text(text))
}

// newRootCommand builds the command tree; every environment variable it
// reads comes from getenv (os.LookupEnv in main), so tests can give each
// run its own environment and run side by side.
func newRootCommand(getenv func(string) (string, bool)) *cobra.Command {
	cfg := &config{getenv: getenv}
	root := &cobra.Command{
		Use:   "coexsync",
		Short: "Sync WhatsApp Business App contacts into HubSpot or Intercom",
		Long: "coexsync is an operator console for WhatsApp Coexistence contact sync.\n" +
			"With no credentials at all it opens on the SANDBOX: fake Meta, HubSpot and\n" +
			"Intercom servers on loopback with a generated dataset, kept in sandbox.db.\n" +
			"Every other command uses the sandbox only with --sandbox.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConsole(cmd.Context(), cfg, cmd.ErrOrStderr())
		},
	}
	cfg.bindFlags(root)
	root.AddCommand(
		newSyncCommand(cfg),
		newUndoCommand(cfg),
		newNormalizeCommand(),
		newWebhookCommand(cfg),
		newImportCommand(cfg),
		newRunsCommand(cfg),
		newExportCommand(cfg),
		newSandboxCommand(cfg),
		newDoctorCommand(cfg),
		newIndexCommand(cfg),
	)
	return root
}
