package main

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"coexsync/backend"
	engine "coexsync/sync"
	"coexsync/ui"
	"coexsync/ui/common"
)

// consoleBackend adapts the backend to what the console asks of it.
type consoleBackend struct{ *backend.Backend }

func (c consoleBackend) Engine(name string) (common.Engine, error) {
	eng, err := c.Backend.Engine(name)
	if err != nil {
		return nil, err
	}
	return common.AdaptEngine(eng, func(j *engine.Job) int64 { return j.ID }), nil
}

func (c consoleBackend) Store() common.Store { return c.Backend.Store() }

// runConsole opens the console on the sandbox, real clients, or the
// database alone (--offline: straight to past runs).
func runConsole(ctx context.Context, cfg *config) error {
	b, closeAll, err := cfg.openBackend(ctx)
	if err != nil {
		return err
	}
	defer closeAll()
	opts := ui.Options{Ctx: ctx}
	if cfg.offline {
		opts.Start = common.RunsScreen
	}
	_, err = tea.NewProgram(ui.New(consoleBackend{b}, opts), tea.WithContext(ctx)).Run()
	return err
}
