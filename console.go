package main

import (
	"context"
	"io"

	"coexsync/ui"
	"coexsync/ui/common"
)

// runConsole opens the console on the sandbox, real clients, or the
// database alone (--offline: straight to past runs).
func runConsole(ctx context.Context, cfg *config, notes io.Writer) error {
	if cfg.consoleDefaultsToSandbox() {
		cfg.sandbox = true
	}
	opts := ui.Options{Ctx: ctx}
	b, closeAll, err := cfg.openBackend(ctx, notes)
	if err != nil {
		return err
	}
	defer closeAll()
	if cfg.offline {
		opts.Start = common.RunsScreen
	}
	return ui.Run(ctx, common.Wire(b), opts)
}
