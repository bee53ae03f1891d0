package main

import (
	"context"
	"fmt"
	"io"

	"coexsync/backend"
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
	var (
		b        *backend.Backend
		closeAll func()
		err      error
	)
	if cfg.sandbox && !cfg.offline && cfg.sandboxContacts > 0 {
		b, closeAll, opts.Loading, err = cfg.openSizedSandbox(ctx, notes)
	} else {
		b, closeAll, err = cfg.openBackend(ctx, notes)
	}
	if err != nil {
		return err
	}
	defer closeAll()
	if cfg.offline {
		opts.Start = common.RunsScreen
	}
	return ui.Run(ctx, common.Wire(b), opts)
}

// openSizedSandbox is openBackend's sandbox with --sandbox-contacts: the
// console waits for its dataset, saying so, rather than show numbers
// whose contacts are not there yet (a contact request sent then would
// deliver none). StartWith now sets the address books before it returns,
// so the wait ends at once.
func (c *config) openSizedSandbox(ctx context.Context, notes io.Writer) (*backend.Backend, func(), *ui.Loading, error) {
	db, err := c.openStore(dbWrite, notes)
	if err != nil {
		return nil, nil, nil, err
	}
	b, sb, err := c.startSandbox(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	loading := &ui.Loading{
		What: fmt.Sprintf("the sandbox: %s Business App contacts per number",
			thousands(c.sandboxContacts)),
		Wait: sb.Wait,
	}
	return b, func() { sb.Close(); db.Close() }, loading, nil
}

// thousands is n with comma separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
