package screens

import (
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// stopping runs stopJob over a started job that only ends on Finish.
func stopping(job *uitest.Job) (<-chan tea.Msg, *bool) {
	cancelled := false
	h := &handle{cancel: func() { cancelled = true }, started: make(chan struct{}), job: job}
	close(h.started)
	out := make(chan tea.Msg, 1)
	go func() { out <- stopJob(h, 0)() }()
	return out, &cancelled
}

func TestStopWaitsForTheRunToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		job := uitest.NewJob(7, 4)
		job.SlowCancel = true
		out, cancelled := stopping(job)
		synctest.Wait()
		if !job.Cancelled() || !*cancelled {
			t.Fatal("stop did not cancel the job and its context")
		}
		select {
		case <-out:
			t.Fatal("stop returned while the run was still recording")
		default:
		}
		begun := time.Now()
		job.Finish(job.CancelledSummary())
		if msg := <-out; msg != (common.StoppedMsg{}) || time.Since(begun) != 0 {
			t.Fatalf("got %v after %s, want StoppedMsg as soon as the run ended", msg, time.Since(begun))
		}
	})
}

func TestStopGivesUpAfterTheBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		job := uitest.NewJob(7, 4)
		job.SlowCancel = true
		begun := time.Now()
		out, _ := stopping(job)
		if msg := <-out; msg != (common.StoppedMsg{}) {
			t.Fatalf("got %v, want StoppedMsg", msg)
		}
		if waited := time.Since(begun); waited != DefaultStopWait {
			t.Fatalf("waited %s for a run that never ends, want %s", waited, DefaultStopWait)
		}
		job.Finish(job.CancelledSummary()) // lets the waiting goroutine end
	})
}

// A quit while the start is on its way stops the job it returns.
func TestStopWhileStarting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := uitest.NewBackend()
		job := b.Eng.Job
		s := NewSync(screenCommon(b))
		s.Update(confirmMsg{request{crm: "hubspot", plan: uitest.MakePlan("1001", "BR", 4)}})
		startCmd := s.start()
		stop := s.Stop()
		if stop == nil || !s.Busy() {
			t.Fatal("a starting sync must be stoppable")
		}
		out := make(chan tea.Msg, 1)
		go func() { out <- stop() }()
		synctest.Wait()
		select {
		case <-out:
			t.Fatal("stop returned before the start did")
		default:
		}
		startCmd()
		if msg := <-out; msg != (common.StoppedMsg{}) || !job.Cancelled() || !job.Finished() {
			t.Fatalf("got %v; cancelled %v, finished %v", msg, job.Cancelled(), job.Finished())
		}
	})
}

// A finished run drains its events after its summary shows; when the
// agent starts again (a resume right after a cancel) before the drain
// ends, the old run's close must not end the new start.
func TestLateCloseOfTheLastRunLeavesTheNextStartAlone(t *testing.T) {
	s, late := cancelledWithCloseLate(t)
	s.Update(confirmMsg{request{crm: "hubspot", plan: uitest.MakePlan("1001", "BR", 4)}})
	s.start() // started, not yet begun
	late()
	if s.state != syncStarting || !s.Busy() {
		t.Fatalf("state %v after the last run's late close; the new start must still be starting", s.state)
	}
}

// The question asked from the summary (u: resume) must stay up when the
// run's late close arrives after it: that close showed the summary again,
// and the agent's u seemed to do nothing.
func TestLateCloseOfTheLastRunLeavesTheQuestionUp(t *testing.T) {
	s, late := cancelledWithCloseLate(t)
	s.Update(confirmMsg{request{crm: "hubspot", fromSummary: true, plan: uitest.MakePlan("1001", "BR", 4)}})
	late()
	if s.state != syncConfirm || s.req == nil {
		t.Fatalf("state %v (request %v) after the run's late close, want the question still asked", s.state, s.req)
	}
}

// cancelledWithCloseLate is a sync screen showing the summary of a
// cancelled run whose events have not closed yet; late delivers the rest
// of them, and what they lead to, to the screen.
func cancelledWithCloseLate(t *testing.T) (s *Sync, late func()) {
	t.Helper()
	b := uitest.NewBackend()
	s = NewSync(screenCommon(b))
	s.Update(confirmMsg{request{crm: "hubspot", plan: uitest.MakePlan("1001", "BR", 4)}})
	_, next := s.Update(s.start()())
	b.Eng.Job.Cancel() // Done, then the events close
	_, drain := s.Update(next())
	if s.state != syncDone {
		t.Fatalf("state %v after Done, want the summary", s.state)
	}
	return s, func() {
		for _, msg := range drainAll(drain) {
			if _, cmd := s.Update(msg); cmd != nil {
				s.Update(cmd())
			}
		}
	}
}

// drainAll runs cmd and every batched command in it, and returns the
// messages they produce.
func drainAll(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, drainAll(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}
