package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

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

// openSizedSandbox is openBackend's sandbox with --sandbox-contacts: its
// dataset loads in the background, and the console waits for it, saying
// so, rather than show numbers whose contacts are not there yet (a
// contact request sent then would deliver none).
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

// limitMemory sets a soft memory limit a little above what a sandbox of
// perNumber contacts per number keeps in use at its peak, the console's
// preview of one number (a headless sync holds less: no preview): its plan
// and preview hold about 400 bytes per contact and
// the CRM fake it matched against about 120, on top of about 25 MB the
// console and the phone metadata keep (measured at 100,000: 60 MB live
// at the preview, 76 MB while the plan is built; the limit is 97 MiB).
// Without it the Go runtime lets the heap grow to twice what is live
// before collecting, nearly doubling the process's peak; with it the
// collector works harder near the peak instead. An explicit GOMEMLIMIT is
// left alone.
func limitMemory(perNumber int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(memoryLimit(perNumber))
}

// memoryLimit is limitMemory's limit. Up to smallSandbox contacts a number
// it sits about 10 % above the live heap: a collection of a heap that
// small is cheap, however often it runs. Past that, each contact adds
// headroom too: a collection at a million contacts marks some 500 MB, and
// with 10 % headroom (640 MB) the console collected back to back, its
// index build five times slower than HubSpot's pace.
func memoryLimit(perNumber int) int64 {
	limit := 40<<20 + int64(perNumber)*600
	if past := perNumber - smallSandbox; past > 0 {
		limit += int64(past) * 300
	}
	return limit
}

// smallSandbox is the largest sandbox whose limit keeps 10 % headroom.
const smallSandbox = 100_000

// thousands is n with comma separators: 100,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
