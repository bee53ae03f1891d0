package main

// Out-of-process reliability trials: the real binary against `coexsync
// sandbox serve`, killed with SIGKILL at a create, resumed or replaced, with
// creates landing late and faults on both CRMs. Every trial ends with no
// number held twice by records the syncs created, every contact of the
// number with a final outcome in some run, every run ended and every
// process exited.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"coexsync/sandbox"
	"coexsync/store"
)

// Numbers of the served dataset, and the CRMs the trials sync them into.
const (
	trialHubSpotNumber  = "100000000000004"
	trialIntercomNumber = "100000000000002"
)

// trialDeadline bounds any one wait of a trial: generous, for a loaded
// machine; reaching it is a stuck run, never a timing assertion.
const trialDeadline = 6 * time.Minute

// TestTrials runs the trials side by side. Each has its own server and
// database, and they mostly wait on the fakes' clocks, so they run at
// once whatever -parallel says (t.Run may be called from many goroutines).
// The whole of it runs beside the package's other parallel tests.
func TestTrials(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	trials := []struct {
		name string
		run  func(t *testing.T, bin string)
	}{
		{"KillAtCreateThenNewSync", trialKillThenNewSync},
		{"ResumeWhileCreatesLandLate/3s", func(t *testing.T, bin string) { trialLateLanding(t, bin, "hubspot", 3*time.Second) }},
		{"ResumeWhileCreatesLandLate/5s", func(t *testing.T, bin string) { trialLateLanding(t, bin, "intercom", 5*time.Second) }},
		{"ResumeWhileCreatesLandLate/9s", func(t *testing.T, bin string) { trialLateLanding(t, bin, "hubspot", 9*time.Second) }},
		{"TwoSyncsOfOneNumber", trialTwoSyncs},
		{"KillDuringResume", trialKillDuringResume},
		{"FaultsOnBothCRMs", trialFaults},
	}
	var wg sync.WaitGroup
	for _, tr := range trials {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(tr.name, func(t *testing.T) { tr.run(t, bin) })
		}()
	}
	wg.Wait()
}

// 1. A sync killed while its creates are held; a NEW sync of the number
// (no --resume) must wait out the dead run's creates in doubt, not send
// them again. The dead run is then resumed to its end.
func trialKillThenNewSync(t *testing.T, bin string) {
	// The creates land (3 s) while the new sync waits for them (until
	// the 5 s timeout, the search lag and a margin have passed).
	sv := startTrialServe(t, bin, 300, "--crm-timeout", "5s", "--faults", "slow_create=3s")
	first := sv.StartSync(t, "sync", "--number", trialHubSpotNumber, "--crm", "hubspot", "--json")
	sv.WaitState(t, first, "a create held", func(st sandbox.State) bool { return st.HubSpot.CreatesHeld > 0 })
	first.Kill(t)
	dead := sv.lastRun(t, trialHubSpotNumber, "hubspot")
	inFlight := sv.sentClaims(t, dead)
	if len(inFlight) == 0 {
		t.Fatalf("run #%d was killed at a create but left no sent claim", dead.ID)
	}

	second := sv.StartSync(t, "sync", "--number", trialHubSpotNumber, "--crm", "hubspot", "--json")
	sum := second.WaitSummary(t)
	if sum.RunID == dead.ID || sum.Status != "finished" {
		t.Fatalf("new sync: %+v\n%s", sum, second.Stderr())
	}
	// Each create the dead run had sent either landed (then the dead run
	// owns the record and the new run skipped the contact, naming it) or
	// did not (then the new run created it): never both. Under overload
	// the server may commit one only after the new run's searches gave up
	// on it and freed its claim: the new run then finds the record and
	// skips the contact, and the dead run's resume records that record as
	// its own create.
	deadOut := sv.outcomes(t, dead.ID)
	newOut := sv.outcomes(t, sum.RunID)
	landed := 0
	late := map[int64]string{} // contact → the record that landed after its claim was freed
	for _, in := range inFlight {
		d, n := deadOut[in.ContactID], newOut[in.ContactID]
		switch {
		case d.Status == store.OutcomeCreated:
			landed++
			if n.Status != store.OutcomeSkipped || !strings.Contains(n.ReasonText, fmt.Sprintf("run #%d", dead.ID)) || n.CRMID != d.CRMID {
				t.Errorf("%s: run #%d's create landed as %s, but the new run has %s %q %s", in.Number, dead.ID, d.CRMID, n.Status, n.ReasonText, n.CRMID)
			}
		case (d.Status == "" || d.Status == store.OutcomePending) && n.Status == store.OutcomeSkipped && n.CRMID != "":
			late[in.ContactID] = n.CRMID
		case n.Status != store.OutcomeCreated:
			t.Errorf("%s: sent by run #%d, not found afterwards, yet the new run has %s %q", in.Number, dead.ID, n.Status, n.ReasonText)
		}
	}
	if landed+len(late) == 0 {
		t.Errorf("none of the %d creates held when run #%d was killed was found by the new run", len(inFlight), dead.ID)
	}
	t.Logf("run #%d killed with %d creates sent; %d landed and were confirmed by run #%d, which created %d; %d landed after it freed their claims",
		dead.ID, len(inFlight), landed, sum.RunID, sum.Created, len(late))

	before := sv.State(t).HubSpot.Created
	resumed := sv.StartSync(t, "sync", "--resume", strconv.FormatInt(dead.ID, 10), "--crm", "hubspot", "--json").WaitSummary(t)
	if resumed.Status != "finished" || resumed.RunID != dead.ID {
		t.Fatalf("resume of the killed run: %+v", resumed)
	}
	if now := sv.State(t).HubSpot.Created; now != before {
		t.Errorf("resuming run #%d after the new sync created %d records", dead.ID, now-before)
	}
	resumedOut := sv.outcomes(t, dead.ID)
	for contact, id := range late {
		if o := resumedOut[contact]; o.Status != store.OutcomeCreated || o.CRMID != id {
			t.Errorf("contact %d: run #%d's create landed as %s after its claim was freed; the resume has %s %s, want it created as that record",
				contact, dead.ID, id, o.Status, o.CRMID)
		}
	}
	sv.checkTrial(t, trialHubSpotNumber, "hubspot")
}

// lateTimeout is the client timeout of the late-landing trials: the
// vendors' 30 s scaled down, with the landings of 3 s (about when a
// resume that waited only the search lag and the margin would search),
// 5 s (half the timeout) and 9 s (a second before it, as 29 s was for
// 30 s). A landing later than the search lag and the margin after the
// kill is missed by a resume that does not wait for the sender's timeout.
const lateTimeout = 10 * time.Second

// 2. A sync killed while its creates are held for slow; its resume must
// wait until they could have landed (client timeout + search lag + margin)
// and then record them, not create them again.
func trialLateLanding(t *testing.T, bin, crmName string, slow time.Duration) {
	if slow >= lateTimeout {
		t.Fatalf("slow_create %s: a create must land within the client's %s timeout", slow, lateTimeout)
	}
	number := map[string]string{"hubspot": trialHubSpotNumber, "intercom": trialIntercomNumber}[crmName]
	contacts := 300
	if crmName == "intercom" {
		contacts = 150
	}
	sv := startTrialServe(t, bin, contacts, "--crm-timeout", lateTimeout.String(),
		"--faults", "crm="+crmName+",slow_create="+slow.String())
	first := sv.StartSync(t, "sync", "--number", number, "--crm", crmName, "--json")
	held := sv.WaitState(t, first, "a create held", func(st sandbox.State) bool { return crmOf(st, crmName).CreatesHeld > 0 })
	first.Kill(t)
	dead := sv.lastRun(t, number, crmName)
	inFlight := sv.sentClaims(t, dead)
	// Only the dead process's creates are late: the resume's own go fast.
	sv.SetFaults(t, sandbox.FaultsRequest{CRM: crmName})
	t.Logf("%d create requests still held as the resume starts", crmOf(sv.State(t), crmName).CreatesHeld)

	sum := sv.StartSync(t, "sync", "--resume", strconv.FormatInt(dead.ID, 10), "--crm", crmName, "--json").WaitSummary(t)
	if sum.Status != "finished" || sum.RunID != dead.ID {
		t.Fatalf("resume: %+v", sum)
	}
	st := sv.State(t)
	if c := crmOf(st, crmName); c.CreatesHeld != 0 {
		t.Fatalf("the resume ended while %d creates were still held", c.CreatesHeld)
	}
	out := sv.outcomes(t, dead.ID)
	landed := 0
	for _, in := range inFlight {
		if o := out[in.ContactID]; o.Status == store.OutcomeCreated {
			landed++
		}
	}
	if landed == 0 {
		t.Errorf("none of the %d creates sent before the kill (%d requests held) is recorded as created", len(inFlight), crmOf(held, crmName).CreatesHeld)
	}
	t.Logf("%s, slow_create %s: %d creates in flight at the kill (%d requests held); resume finished: %d created in all",
		crmName, slow, len(inFlight), crmOf(held, crmName).CreatesHeld, sum.Created)
	sv.checkTrial(t, number, crmName)
}

// 3. Two syncs of one number started a second apart: one of them is
// refused (exit 2, naming the running run when it has one); if they did
// not overlap, the later one creates nothing.
func trialTwoSyncs(t *testing.T, bin string) {
	sv := startTrialServe(t, bin, 300, "--crm-timeout", "10s", "--faults", "slow_create=2s")
	a := sv.StartSync(t, "sync", "--number", trialHubSpotNumber, "--crm", "hubspot", "--json")
	time.Sleep(time.Second)
	b := sv.StartSync(t, "sync", "--number", trialHubSpotNumber, "--crm", "hubspot", "--json")
	ra, rb := a.Wait(t), b.Wait(t)

	refused := func(r cliResult) bool {
		return r.code == 2 && strings.Contains(r.errOut, "is writing this number's contacts")
	}
	var done, other cliResult
	switch {
	case refused(rb) && !refused(ra):
		done, other = ra, rb
	case refused(ra) && !refused(rb):
		done, other = rb, ra
	case !refused(ra) && !refused(rb):
		sa, sb := summaryOf(t, ra), summaryOf(t, rb)
		if sa.Status != "finished" || sb.Status != "finished" || sb.Created != 0 {
			t.Fatalf("neither sync was refused; the later one must create nothing: %+v then %+v", sa, sb)
		}
		t.Logf("the syncs did not overlap: run #%d created %d, run #%d none", sa.RunID, sa.Created, sb.RunID)
		sv.checkTrial(t, trialHubSpotNumber, "hubspot")
		return
	default:
		t.Fatalf("both syncs refused:\n%s\n%s", ra.errOut, rb.errOut)
	}
	sum := summaryOf(t, done)
	if sum.Status != "finished" {
		t.Fatalf("the sync that ran: %+v", sum)
	}
	msg := strings.TrimSpace(other.errOut)
	if strings.Contains(msg, "run #") && !strings.Contains(msg, fmt.Sprintf("run #%d ", sum.RunID)) {
		t.Errorf("the refusal names another run than #%d: %s", sum.RunID, msg)
	}
	if other.out != "" {
		t.Errorf("the refused sync printed a summary: %s", other.out)
	}
	if runs := sv.runs(t, trialHubSpotNumber, "hubspot"); len(runs) != 1 {
		t.Errorf("the refused sync left a run: %d runs", len(runs))
	}
	t.Logf("refused: %s", msg)
	sv.checkTrial(t, trialHubSpotNumber, "hubspot")
}

// 4. A sync killed at a create; its resume killed while it waits out the
// creates in doubt; the next resume killed while creating; a last resume
// ends the run.
func trialKillDuringResume(t *testing.T, bin string) {
	sv := startTrialServe(t, bin, 200, "--crm-timeout", "3s", "--faults", "crm=intercom,slow_create=500ms")
	intercomHeld := func(st sandbox.State) bool { return st.Intercom.CreatesHeld > 0 }
	p := sv.StartSync(t, "sync", "--number", trialIntercomNumber, "--crm", "intercom", "--json")
	sv.WaitState(t, p, "a create held", intercomHeld)
	p.Kill(t)
	run := strconv.FormatInt(sv.lastRun(t, trialIntercomNumber, "intercom").ID, 10)

	// Killed while settling: it holds the lease, and waits out the dead
	// process's creates before anything else.
	r1 := sv.StartSync(t, "sync", "--resume", run, "--crm", "intercom", "--json")
	sv.waitFor(t, r1, "the resume to take the lease", func() bool { return sv.leaseHeldBy(t, r1.Pid()) })
	r1.Kill(t)

	// Killed while creating: the held creates of the first process land
	// within 500 ms, long before this resume's first create.
	r2 := sv.StartSync(t, "sync", "--resume", run, "--crm", "intercom", "--json")
	sv.WaitState(t, r2, "the earlier creates to land", func(st sandbox.State) bool { return st.Intercom.CreatesHeld == 0 })
	sv.WaitState(t, r2, "the resume's own creates", intercomHeld)
	r2.Kill(t)

	sum := sv.StartSync(t, "sync", "--resume", run, "--crm", "intercom", "--json").WaitSummary(t)
	if sum.Status != "finished" || strconv.FormatInt(sum.RunID, 10) != run {
		t.Fatalf("last resume: %+v", sum)
	}
	t.Logf("run #%s: killed, resume killed settling, resume killed creating, resumed to the end: %+v", run, sum)
	sv.checkTrial(t, trialIntercomNumber, "intercom")
}

// 5. 30 % 429, 10 % 5xx, 5 % garbage and 5 % timeouts on both CRMs, one
// sync into each at once on one database: each sync, resumed while it
// ends interrupted, ends with every contact final.
// The address books are small: the served windows are 1 s, but the
// clients of coexsync keep the vendors' 10 s ones, and every injected 429
// (it says no call remains) holds a whole client window: a HubSpot 429
// without Retry-After waits 10 s (1 s on searches), an Intercom one books
// the client's whole budget for its 10.5 s window. Under 30 % of 429s
// Intercom makes about four calls per 10 s: 20 contacts take 40 to 60 s.
func trialFaults(t *testing.T, bin string) {
	sv := startTrialServe(t, bin, 20, "--crm-timeout", "2s",
		"--faults", "rate_limited=0.3,server_error=0.1,garbage=0.05,timeout=0.05")
	var wg sync.WaitGroup
	for _, c := range [][2]string{{"hubspot", trialHubSpotNumber}, {"intercom", trialIntercomNumber}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(c[0], func(t *testing.T) {
				sum, tries := sv.syncToEnd(t, c[1], c[0])
				t.Logf("%s: %d processes: %+v", c[0], tries, sum)
			})
		}()
	}
	wg.Wait()
	st := sv.State(t)
	t.Logf("faults served: hubspot calls %v, intercom calls %v", st.HubSpot.Calls, st.Intercom.Calls)
	sv.checkTrial(t, trialHubSpotNumber, "hubspot")
	sv.checkTrial(t, trialIntercomNumber, "intercom")
}

// syncToEnd syncs a number, then resumes the run (or syncs anew when no
// run was recorded) until a run finishes.
func (p *serveProc) syncToEnd(t *testing.T, number, crmName string) (runJSON, int) {
	t.Helper()
	args := []string{"sync", "--number", number, "--crm", crmName, "--json"}
	for try := 1; try <= 12; try++ {
		r := p.StartSync(t, args...).Wait(t)
		var sum runJSON
		if json.Unmarshal([]byte(r.out), &sum) == nil && sum.Status == "finished" {
			return sum, try
		}
		t.Logf("%s try %d: exit %d %s", crmName, try, r.code, strings.TrimSpace(r.errOut))
		if runs := p.runs(t, number, crmName); len(runs) > 0 && !runEnded(runs[0].Status) {
			args = []string{"sync", "--resume", strconv.FormatInt(runs[0].ID, 10), "--crm", crmName, "--json"}
		}
	}
	t.Fatalf("%s: no run finished after 12 processes", crmName)
	return runJSON{}, 0
}

// startTrialServe serves contacts per number (search lag 500 ms, rate
// windows of 1 s on the fakes) and imports them.
func startTrialServe(t *testing.T, bin string, contacts int, args ...string) *serveProc {
	t.Helper()
	sv := startServe(t, bin, append([]string{"--contacts", strconv.Itoa(contacts), "--seed", "11",
		"--window", "1s", "--search-lag", "500ms"}, args...)...)
	if r := sv.Run(t, "import", sv.Dir+"/"+serveContactsFile); r.code != 0 {
		t.Fatalf("import: exit %d %s", r.code, r.err)
	}
	return sv
}

func crmOf(st sandbox.State, name string) sandbox.CRMState {
	if name == "intercom" {
		return st.Intercom
	}
	return st.HubSpot
}

// syncProc is a coexsync process a trial may kill.
type syncProc struct {
	args        []string
	cmd         *exec.Cmd
	out, errOut *lockedBuffer
	done        chan struct{}
	waitErr     error
}

// StartSync starts coexsync args… against the server.
func (p *serveProc) StartSync(t *testing.T, args ...string) *syncProc {
	t.Helper()
	s := &syncProc{args: args, cmd: p.Command(args...), out: &lockedBuffer{}, errOut: &lockedBuffer{}, done: make(chan struct{})}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.errOut
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

func (s *syncProc) Pid() int       { return s.cmd.Process.Pid }
func (s *syncProc) Stderr() string { return s.errOut.String() }
func (s *syncProc) exited() bool   { return isClosed(s.done) }
func (s *syncProc) String() string { return "coexsync " + strings.Join(s.args, " ") }
func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL to the process by pid and waits until it is gone. A
// process that already exited means the trial missed its moment.
func (s *syncProc) Kill(t *testing.T) {
	t.Helper()
	if s.exited() {
		t.Fatalf("%s exited before it could be killed: %v\n%s\n%s", s, s.waitErr, s.out.String(), s.Stderr())
	}
	if err := syscall.Kill(s.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// Wait waits for the process to exit by itself.
func (s *syncProc) Wait(t *testing.T) cliResult {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(trialDeadline):
		s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("%s still running after %s (stuck run):\n%s", s, trialDeadline, s.Stderr())
	}
	r := cliResult{out: s.out.String(), errOut: s.Stderr()}
	var exit *exec.ExitError
	switch {
	case errors.As(s.waitErr, &exit):
		r.code, r.err = exit.ExitCode(), strings.TrimSpace(r.errOut)
	case s.waitErr != nil:
		t.Fatalf("%s: %v", s, s.waitErr)
	}
	return r
}

// WaitSummary waits for a sync and returns its --json summary.
func (s *syncProc) WaitSummary(t *testing.T) runJSON {
	t.Helper()
	return summaryOf(t, s.Wait(t))
}

func summaryOf(t *testing.T, r cliResult) runJSON {
	t.Helper()
	var sum runJSON
	if err := json.Unmarshal([]byte(r.out), &sum); err != nil {
		t.Fatalf("no summary (exit %d): %v\n%s\n%s", r.code, err, r.out, r.errOut)
	}
	if want := map[bool]int{true: 0, false: 2}[sum.Status == "finished"]; r.code != want && !(r.code == 1 && sum.Failed > 0) {
		t.Errorf("exit %d for %+v", r.code, sum)
	}
	return sum
}

// WaitState polls /state until cond holds; proc exiting first fails.
func (p *serveProc) WaitState(t *testing.T, proc *syncProc, what string, cond func(sandbox.State) bool) sandbox.State {
	t.Helper()
	var st sandbox.State
	p.waitFor(t, proc, what, func() bool { st = p.State(t); return cond(st) })
	return st
}

func (p *serveProc) waitFor(t *testing.T, proc *syncProc, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(trialDeadline)
	for !cond() {
		if proc.exited() {
			t.Fatalf("%s exited while waiting for %s: %v\n%s\n%s", proc, what, proc.waitErr, proc.out.String(), proc.Stderr())
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s: %+v\n%s", what, trialDeadline, p.State(t), proc.Stderr())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// openDB opens the served database read-only, as `coexsync runs` does.
func (p *serveProc) openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.OpenReadOnly(p.Env["COEXSYNC_DB"])
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// runs are the number's runs into crmName, newest first.
func (p *serveProc) runs(t *testing.T, number, crmName string) []store.Run {
	t.Helper()
	db := p.openDB(t)
	defer db.Close()
	all, err := db.Runs(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(all, func(r store.Run) bool { return r.NumberID != number || r.CRM != crmName })
}

func (p *serveProc) lastRun(t *testing.T, number, crmName string) store.Run {
	t.Helper()
	runs := p.runs(t, number, crmName)
	if len(runs) == 0 {
		t.Fatalf("no run of %s into %s recorded", number, crmName)
	}
	return runs[0]
}

// sentClaims are the run's pending claims whose create went out.
func (p *serveProc) sentClaims(t *testing.T, run store.Run) []store.Intent {
	t.Helper()
	db := p.openDB(t)
	defer db.Close()
	pending, err := db.PendingIntents(context.Background(), run.Target)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(pending, func(in store.Intent) bool {
		return in.RunID != run.ID || in.E164 != in.Number || in.LandBy.IsZero()
	})
}

// outcomes are a run's outcomes by contact.
func (p *serveProc) outcomes(t *testing.T, runID int64) map[int64]store.Outcome {
	t.Helper()
	db := p.openDB(t)
	defer db.Close()
	outs, _, err := db.Outcomes(context.Background(), store.OutcomeFilter{RunID: runID})
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[int64]store.Outcome, len(outs))
	for _, o := range outs {
		m[o.ContactID] = o
	}
	return m
}

func (p *serveProc) leaseHeldBy(t *testing.T, pid int) bool {
	t.Helper()
	db := p.openDB(t)
	defer db.Close()
	ls, err := db.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(ls, func(l store.Lease) bool { return l.PID == pid })
}

func runEnded(s store.RunStatus) bool {
	return s == store.RunFinished || s == store.RunFailed || s == store.RunCancelled
}

// checkTrial is what every trial ends with, for one number in one CRM
// (the only number synced into that CRM on this server):
//   - no number held twice by records created through the API, in either CRM;
//   - every run ended, no lease and no pending claim left behind;
//   - every contact of the number has a final outcome in some run;
//   - every record created through the API is one run's Created outcome.
func (p *serveProc) checkTrial(t *testing.T, number, crmName string) {
	t.Helper()
	st := p.State(t)
	for name, c := range map[string]sandbox.CRMState{"hubspot": st.HubSpot, "intercom": st.Intercom} {
		if c.NumbersHeldTwiceByAPI != 0 {
			t.Errorf("%s: %d numbers held twice by records the syncs created", name, c.NumbersHeldTwiceByAPI)
		}
	}
	c := crmOf(st, crmName)
	if c.CreatesHeld != 0 {
		t.Errorf("%s: %d creates still held", crmName, c.CreatesHeld)
	}

	ctx := context.Background()
	db := p.openDB(t)
	defer db.Close()
	runs := p.runs(t, number, crmName)
	if len(runs) == 0 {
		t.Fatalf("no run of %s into %s", number, crmName)
	}
	final := map[int64]bool{}
	createdIDs := map[string]int64{}
	for _, r := range runs {
		if !runEnded(r.Status) {
			t.Errorf("run #%d ended %s", r.ID, r.Status)
		}
		outs, _, err := db.Outcomes(ctx, store.OutcomeFilter{RunID: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if o.Status != store.OutcomePending {
				final[o.ContactID] = true
			}
			if o.Status != store.OutcomeCreated {
				continue
			}
			if o.CRMID == "" {
				t.Errorf("run #%d: contact %d created without a record id", r.ID, o.ContactID)
			} else if prev, ok := createdIDs[o.CRMID]; ok {
				t.Errorf("record %s is the Created outcome of runs #%d and #%d", o.CRMID, prev, r.ID)
			}
			createdIDs[o.CRMID] = r.ID
		}
	}
	contacts, err := db.Contacts(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, ct := range contacts {
		if !final[ct.ID] {
			missing++
		}
	}
	if missing > 0 || len(contacts) == 0 {
		t.Errorf("%d of %d contacts have no final outcome in any run", missing, len(contacts))
	}
	if len(createdIDs) != c.Created {
		t.Errorf("%s holds %d records created through the API; the runs record %d", crmName, c.Created, len(createdIDs))
	}
	pending, err := db.PendingIntents(ctx, runs[0].Target)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) > 0 {
		t.Errorf("%d claims still pending after every run ended, e.g. %+v", len(pending), pending[0])
	}
	leases, err := db.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases {
		if l.NumberID == number && l.Target == runs[0].Target {
			t.Errorf("lease of run #%d (pid %d) left behind", l.RunID, l.PID)
		}
	}
	t.Logf("%s: %d contacts, %d runs, %d records created, none held twice", crmName, len(contacts), len(runs), c.Created)
}
