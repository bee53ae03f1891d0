package screens

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"coexsync/ui/common"
)

// DefaultStopWait bounds how long quitting waits for a cancelled run.
const DefaultStopWait = 2 * time.Second

// handle is one job from the moment Start (or Resume) is called: cancel
// ends the context it was started with; started closes when the call has
// returned, with job set when it succeeded. It lets a quit stop a job that
// is still being started.
type handle struct {
	cancel  context.CancelFunc
	started chan struct{}
	job     common.Job
}

// begin starts req on its CRM's engine under ctx.
func begin(ctx context.Context, c *common.Common, req request) (common.Job, error) {
	eng, err := c.Backend.Engine(req.crm)
	if err != nil {
		return nil, err
	}
	if req.isUndo() {
		u, ok := eng.(common.Undoer)
		if !ok {
			return nil, fmt.Errorf("the %s engine cannot undo runs", req.crm)
		}
		return u.StartUndo(ctx, req.undo)
	}
	if req.isResume() {
		return eng.Resume(ctx, req.resume.ID, c.Backend.Region(req.resume.NumberID))
	}
	return eng.Start(ctx, req.plan, req.opts)
}

// stopJob cancels h's job and waits, at most wait, for it to record its
// last outcomes and status, so the database is not closed under it. It
// runs as a command: Update never blocks on it.
func stopJob(h *handle, wait time.Duration) tea.Cmd {
	if wait <= 0 {
		wait = DefaultStopWait
	}
	return func() tea.Msg {
		h.cancel()
		timeout := time.NewTimer(wait)
		defer timeout.Stop()
		select {
		case <-h.started:
		case <-timeout.C:
			return common.StoppedMsg{}
		}
		if h.job == nil {
			return common.StoppedMsg{} // the start failed: nothing runs
		}
		h.job.Cancel()
		over := make(chan struct{})
		go func() { h.job.Wait(); close(over) }()
		select {
		case <-over:
		case <-timeout.C:
		}
		return common.StoppedMsg{}
	}
}
