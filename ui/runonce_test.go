package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/ui/common"
	"coexsync/ui/internal/uitest"
)

// recordRun puts run r in the fake database, newest first, as the engine
// would have recorded it.
func recordRun(b *uitest.Backend, r store.Run, outs ...store.Outcome) {
	st := b.St.(*uitest.Store)
	st.RunList = append([]store.Run{r}, st.RunList...)
	st.ByRun[r.ID] = outs
}

// startSync goes from the numbers to a running sync of Loja Lima into
// HubSpot: run #7 of the fake engine.
func startSync(s *session) *session {
	return s.shows("Bay Bikes").keys("enter", "enter").shows("sort: plan").
		keys("S").shows("(y/n)").keys("y").shows("Running run #7")
}

// The duplicate-creating walk: after a run, r → esc → esc used to land on
// the old "Start writing?" and y ran the same plan again.
func TestPlanIsUsedOnce(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	sum := engine.RunSummary{RunID: 7, Status: store.RunFinished, Total: 12, Created: 4, Skipped: 6, Failed: 2}
	recordRun(b, store.Run{ID: 7, NumberID: "1001", CRM: "hubspot", Mode: store.ModeLive, Status: store.RunFinished,
		StartedAt: uitest.Clock, Total: 12, Created: 4, Skipped: 6, Failed: 2},
		store.Outcome{RunID: 7, ContactID: 5, Name: "Elisa 4", Raw: "05511", Status: store.OutcomeFailed, Reason: "too_short"})
	s := start(t, newApp(t, b, common.NumbersScreen), 80, 24)
	startSync(s)
	b.Eng.Job.Finish(sum)
	s.shows("Run #7 finished")
	s.keys("r").shows("Run #7 failures")
	s.keys("esc").shows("marked *: select one") // the runs list
	s.keys("esc").shows("sort: plan")
	// y must do nothing; s proves the y before it was handled.
	s.keys("y", "s").shows("status: create")
	frame := s.final()

	if started, _, _ := b.Eng.Calls(); len(started) != 1 {
		t.Fatalf("Start called %d times, want 1: the plan ran again", len(started))
	}
	if n := b.Eng.Plans(); n != 2 {
		t.Fatalf("%d plans built, want 2: going back must show a fresh preview", n)
	}
	for _, bad := range []string{"Start writing", "(y/n)", "Running run"} {
		if strings.Contains(frame, bad) {
			t.Fatalf("screen shows %q after the run:\n%s", bad, frame)
		}
	}
	if !strings.Contains(frame, "showing 4/12") {
		t.Fatalf("not the fresh preview:\n%s", frame)
	}
}

// A second y while the first start is on its way must not start twice,
// and a failed start keeps the same plan on offer.
func TestPlanStartedOnceOnDoubleYes(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	s := start(t, newApp(t, b, common.NumbersScreen), 80, 24)
	s.shows("Bay Bikes").keys("enter", "enter").shows("sort: plan").keys("S").shows("(y/n)")
	s.keys("y", "y", "y").shows("Running run #7")
	s.final()
	if started, _, _ := b.Eng.Calls(); len(started) != 1 {
		t.Fatalf("Start called %d times for one plan", len(started))
	}
}

func TestQuitDuringRunAsksThenWaitsForTheRun(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	job := b.Eng.Job
	job.SlowCancel = true // the run records its calls in flight until Finish
	a := newApp(t, b, common.NumbersScreen)
	a.c.StopWait = time.Minute // the bound is tested apart: here the run decides
	s := start(t, a, 80, 24)
	startSync(s)

	s.keys("q").shows("Quit? The running sync is cancelled")
	s.keys("n", "y") // no; then y means nothing on the live run
	job.Ch <- engine.Phase{Name: "still going"}
	s.shows("phase: still going")
	if job.Cancelled() {
		t.Fatal("the run was cancelled although the operator said no")
	}

	s.keys("ctrl+c").shows("Quit? The running sync is cancelled")
	s.keys("y").shows("Quitting: recording")
	s.until("quit confirmed: the run cancelled", job.Cancelled) // the cancel is a command
	// Still running while the job records its end: it draws new events.
	job.Ch <- engine.Phase{Name: "recording the calls in flight"}
	s.shows("phase: recording the calls in flight")
	if job.Finished() {
		t.Fatal("the fake job ended on its own")
	}
	job.Finish(job.CancelledSummary())
	s.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

func TestQuitWithoutRunQuitsAtOnce(t *testing.T) {
	t.Parallel()
	s := start(t, newApp(t, uitest.NewBackend(), common.NumbersScreen), 80, 24)
	s.shows("Bay Bikes").keys("q")
	s.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// cancelRun cancels the running run #7 and waits for its summary.
func cancelRun(s *session) *session {
	return s.keys("x").shows("Cancel the run?").keys("y").shows("Run #7 cancelled")
}

func TestResumeCancelledRunFromSummary(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	b.Eng.ResumeJob = uitest.NewJob(7, 8)
	recordRun(b, store.Run{ID: 7, NumberID: "1001", CRM: "hubspot", Target: "hubspot https://api.hubapi.com",
		Mode: store.ModeLive, Status: store.RunCancelled, StartedAt: uitest.Clock, Total: 10, Created: 2})
	s := start(t, newApp(t, b, common.NumbersScreen), 80, 24)
	cancelRun(startSync(s)).shows("8 contacts not processed: press u to resume")

	s.keys("u").shows("Left                   8", "Resume writing to hubspot? (y/n)")
	s.keys("n").shows("press u to resume") // back on the summary
	if _, _, resumed := b.Eng.Calls(); len(resumed) != 0 {
		t.Fatalf("resumed %v without a yes", resumed)
	}
	s.keys("u").shows("Resume writing to hubspot? (y/n)").keys("y").shows("Running run #7")
	b.Eng.ResumeJob.Finish(engine.RunSummary{RunID: 7, Status: store.RunFinished, Total: 10, Created: 9, Skipped: 1})
	frame := s.shows("Run #7 finished").final()

	started, _, resumed := b.Eng.Calls()
	if len(started) != 1 || len(resumed) != 1 || resumed[0] != 7 {
		t.Fatalf("started %d, resumed %v; want one start and a resume of run 7", len(started), resumed)
	}
	if strings.Contains(frame, "press u") {
		t.Fatalf("a finished run still offers resume:\n%s", frame)
	}
}

// cancelledWithContactsLeft makes fixture run 3 a cancelled run with 3 of
// its 4 contacts left, and run 4 finished, so run 3 is the one to resume.
func cancelledWithContactsLeft(b *uitest.Backend) {
	runs := b.St.(*uitest.Store).RunList
	runs[1].Status = store.RunFinished
	runs[2].Skipped = 0
}

func TestResumeCancelledRunFromRunsBrowser(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	cancelledWithContactsLeft(b)
	s := start(t, newApp(t, b, common.RunsScreen), 80, 24)
	s.shows("cancelled*").keys("down", "down", "u")
	s.shows("Resume run #3 (cancelled)", "Left                   3")
	s.keys("n").shows("cancelled*") // back in the browser
	if _, _, resumed := b.Eng.Calls(); len(resumed) != 0 {
		t.Fatalf("resumed %v without a yes", resumed)
	}
	s.keys("u").shows("(y/n)").keys("y").shows("Running run #7")
	s.final()
	if _, _, resumed := b.Eng.Calls(); len(resumed) != 1 || resumed[0] != 3 {
		t.Fatalf("Resume calls %v, want [3]", resumed)
	}
}

func TestNumbersOfferCancelledRunForResume(t *testing.T) {
	t.Parallel()
	b := uitest.NewBackend()
	cancelledWithContactsLeft(b)
	s := start(t, newApp(t, b, common.NumbersScreen), 120, 24)
	s.shows("Run #3 into hubspot was cancelled with 3 contacts left: press r, then u on it")
	s.final()
}
