package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"coexsync/backend"
	"coexsync/store"
	engine "coexsync/sync"
)

// syncFlags are the headless sync's own options.
type syncFlags struct {
	number  string
	region  string
	dryRun  bool
	asJSON  bool
	resume  int64
	retry   int64
	request bool
	wait    time.Duration
	force   bool
}

// runIDFlag is a run's number, refused with a sentence that says where
// run numbers come from rather than the parser's.
type runIDFlag int64

func (r *runIDFlag) String() string { return strconv.FormatInt(int64(*r), 10) }
func (r *runIDFlag) Type() string   { return "id" }

func (r *runIDFlag) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return errors.New("want a run's number, as coexsync runs lists them")
	}
	*r = runIDFlag(n)
	return nil
}

// check refuses combinations that would break a promise: a dry run
// sends nothing, so it can neither spend Meta's one-time contact request
// nor continue a run (which writes).
func (f syncFlags) check() error {
	switch {
	case f.dryRun && f.request:
		return errors.New("--dry-run sends nothing, but --request would spend Meta's one-time contact sync: " +
			"request the contacts in a real run, or `coexsync import` a saved payload and dry-run that")
	case f.dryRun && f.resume != 0:
		return errors.New("--dry-run cannot resume a run: resuming writes to the CRM (drop --dry-run, or dry-run with --number)")
	case f.resume != 0 && f.retry != 0:
		return errors.New("--resume and --retry: give one of them")
	case f.request && f.wait <= 0:
		return fmt.Errorf("--wait %s: want how long to wait for the contacts, e.g. 2m", f.wait)
	}
	return nil
}

func newSyncCommand(cfg *config) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync --number ID [--crm hubspot|intercom]",
		Short: "Run a sync without the console (for scripts)",
		Long: "Runs the same engine as the console. Exit status: 0 every contact synced or\n" +
			"skipped, 1 some contacts failed, 2 the sync could not run.\n" +
			"Without credentials it refuses to run unless --sandbox is given; sandbox\n" +
			"output says SANDBOX (text) or \"sandbox\": true (JSON).",
		Example: "  coexsync sync --sandbox --number 100000000000001 --crm hubspot --json\n" +
			"  coexsync sync --number 1234 --retry 7",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			code, err := runHeadlessSync(cmd.Context(), cfg, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if err != nil || code != 0 {
				if err == nil {
					err = errors.New("some contacts failed")
				}
				return exitCode{code: code, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.number, "number", "", "Graph phone number `id` to sync the contacts of")
	fl.StringVar(&f.region, "region", "", "region hint for unprefixed numbers (default: the business number's country)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the plan (the preview) and send nothing: no creates, no updates, no contact request")
	fl.BoolVar(&f.asJSON, "json", false, "print a JSON summary on standard output")
	fl.Var((*runIDFlag)(&f.resume), "resume", "resume an interrupted run `id`")
	fl.Var((*runIDFlag)(&f.retry), "retry", "retry the failed contacts of run `id`")
	fl.BoolVar(&f.request, "request", false, "first request the one-time contact sync from Meta and wait for the webhook")
	fl.DurationVar(&f.wait, "wait", 2*time.Minute, "with --request: how long to wait for contacts to arrive")
	fl.BoolVar(&f.force, "force", false, "take over the write lease of a number whose holder process is gone")
	fl.StringVar(&cfg.lookup, "lookup", "", "how the plan finds existing CRM records: index (a local index of every CRM phone value, see coexsync index) or search (the CRM's phone search: it misses numbers stored in other spellings, and creates those contacts next to their records); default: index")
	return cmd
}

// runHeadlessSync returns the exit status and, for status 2, why.
func runHeadlessSync(ctx context.Context, cfg *config, f syncFlags, stdout, stderr io.Writer) (int, error) {
	if cfg.offline {
		return 2, errors.New("sync needs a CRM: drop --offline")
	}
	if f.number == "" && f.resume == 0 && f.retry == 0 {
		return 2, errors.New("--number is required (list numbers in the console)")
	}
	if err := f.check(); err != nil {
		return 2, err
	}
	if err := checkLookup(cfg); err != nil {
		return 2, err
	}
	if !cfg.sandbox && !cfg.hasMetaCredentials() && !cfg.hasCRMCredentials() {
		return 2, errors.New("no credentials are set: add --sandbox to sync on the built-in fake servers, " +
			"or set WHATSAPP_TOKEN, WABA_ID and HUBSPOT_TOKEN or INTERCOM_TOKEN")
	}
	b, closeAll, err := cfg.openBackend(ctx, stderr)
	if err != nil {
		return 2, err
	}
	defer closeAll()
	eng, err := newEngine(cfg, b, f)
	if err != nil {
		return 2, err
	}
	job, plan, err := startHeadless(ctx, b, eng, f, stderr)
	if errors.Is(err, errNoFailures) {
		fmt.Fprintln(stderr, err)
		return 0, nil
	}
	if errors.Is(err, errNothingToRetry) {
		return 1, err // the failures stand, as a retry that failed them again would say
	}
	if err != nil {
		return 2, err
	}
	if plan != nil && f.dryRun {
		return 0, printPlan(stdout, plan, f.asJSON, cfg.sandbox)
	}
	sum := followJob(job, stderr, !f.asJSON && isatty.IsTerminal(os.Stderr.Fd()))
	if f.asJSON {
		if err := json.NewEncoder(stdout).Encode(summaryJSON(sum, cfg.sandbox)); err != nil {
			return 2, err
		}
	} else {
		printSummary(stdout, sum, cfg.sandbox)
	}
	switch {
	case sum.Status != store.RunFinished:
		if sum.Err != nil {
			return 2, sum.Err
		}
		return 2, fmt.Errorf("run %d %s", sum.RunID, sum.Status)
	case sum.Failed > 0:
		return 1, nil
	}
	return 0, nil
}

// newEngine is the engine for the CRM picked, with the flags that tune it.
func newEngine(cfg *config, b *backend.Backend, f syncFlags) (*engine.Engine, error) {
	name := pickCRM(cfg, b)
	if f.resume != 0 && cfg.crm == "" {
		// A resume writes where the run wrote, whichever tokens are set.
		if run, err := b.Store().Run(context.Background(), f.resume); err == nil {
			name = run.CRM
		}
	}
	eng, err := b.Engine(name)
	if err != nil {
		return nil, err
	}
	eng.Force = f.force
	b.Choose(name) // the sandbox makes this CRM's records while contacts arrive
	return eng, nil
}

// pickCRM is --crm, else the only CRM configured, else HubSpot.
func pickCRM(cfg *config, b *backend.Backend) string {
	if cfg.crm != "" {
		return cfg.crm
	}
	if names := b.CRMs(); len(names) == 1 {
		return names[0]
	}
	return "hubspot"
}

// errNothingToRetry: a retry that sends nothing while contacts of the run
// stand unsynced; errNoFailures: the run has nothing to retry at all.
var (
	errNothingToRetry = errors.New("nothing to retry")
	errNoFailures     = errors.New("nothing to retry")
)

// nothingToRetry says why a retry of run sends nothing and what would: a
// run that did not finish is resumed, not retried (its unsent contacts
// are no failures); failures whose numbers cannot be read need editing.
func nothingToRetry(run store.Run, left engine.LeftOut) error {
	switch {
	case run.Status == store.RunRunning || run.Status == store.RunInterrupted:
		return fmt.Errorf("%w: run %d did not finish (%s), and its contacts not sent yet are not failures: "+
			"resume it with coexsync sync --number %s --resume %d", errNothingToRetry, run.ID, run.Status, run.NumberID, run.ID)
	case left.Count > 0:
		return fmt.Errorf("%w: every failure of run %d is a number that still cannot be read", errNothingToRetry, run.ID)
	}
	return fmt.Errorf("%w: run %d has no failed contacts", errNoFailures, run.ID)
}

// startHeadless resumes, retries or syncs; for a dry run it returns the
// plan and no job.
func startHeadless(ctx context.Context, b *backend.Backend, eng *engine.Engine, f syncFlags, notes io.Writer) (*engine.Job, *engine.Plan, error) {
	if _, err := b.Numbers(ctx); err != nil {
		return nil, nil, err
	}
	region := f.region
	if region == "" {
		region = b.Region(f.number)
	}
	if f.resume != 0 {
		sayWhyThePlanWaits(b, eng, notes)
		job, err := eng.Resume(ctx, f.resume, region)
		return job, nil, err
	}
	if f.retry != 0 {
		sayWhyThePlanWaits(b, eng, notes)
		if f.dryRun {
			plan, err := eng.PlanRetry(ctx, f.retry, region)
			return nil, plan, err
		}
		job, left, err := eng.StartRetry(ctx, f.retry, region)
		if err == nil && left.Count > 0 {
			fmt.Fprintln(notes, left.Text())
		}
		if err == nil && job == nil {
			run, rerr := b.Store().Run(ctx, f.retry)
			if rerr != nil {
				return nil, nil, rerr
			}
			err = nothingToRetry(run, left)
		}
		return job, nil, err
	}
	if err := ensureContacts(ctx, b, f, notes); err != nil {
		return nil, nil, err
	}
	sayWhyThePlanWaits(b, eng, notes)
	if f.dryRun {
		plan, err := eng.Plan(ctx, f.number, region)
		return nil, plan, err
	}
	// Nobody confirms a preview here: the sync writes while it still
	// looks contacts up.
	job, err := eng.StartSync(ctx, f.number, region)
	return job, nil, err
}

// sayWhyThePlanWaits tells notes why the plan is about to wait (a sized
// sandbox still making the CRM's records), so a headless sync that prints
// nothing until its first progress does not look hung.
func sayWhyThePlanWaits(b *backend.Backend, eng *engine.Engine, notes io.Writer) {
	if why := b.Preparing(eng.CRM.Name()); why != "" {
		fmt.Fprintln(notes, why)
	}
}

// ensureContacts requests the contact sync when asked, then waits until
// contacts stop arriving; without contacts there is nothing to sync. A
// wait that ran out while contacts still came in syncs those stored so
// far, and says so on notes.
func ensureContacts(ctx context.Context, b *backend.Backend, f syncFlags, notes io.Writer) error {
	if f.request {
		if err := b.RequestContactSync(ctx, f.number); err != nil {
			return err
		}
		n, arriving, err := waitForContacts(ctx, b, f.number, f.wait)
		if err == nil && arriving {
			fmt.Fprintln(notes, stillArrivingNote(f.wait, n))
		}
		return err
	}
	n, err := b.ContactCount(ctx, f.number)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no Business App contacts are stored for number %s: add --request, or `coexsync import` a saved payload", f.number)
	}
	return nil
}

// stillArrivingNote says that the sync takes only the n contacts stored
// when --wait ran out, and how to get the rest.
func stillArrivingNote(wait time.Duration, n int) string {
	return fmt.Sprintf("contacts were still arriving when --wait %s ran out: syncing the %d stored so far; "+
		"sync again without --request once the rest are in, or give a longer --wait", wait, n)
}

// contactCounter is what waitForContacts reads: the contacts stored.
type contactCounter interface {
	ContactCount(ctx context.Context, numberID string) (int, error)
}

// waitForContacts polls the store until the count has been stable for two
// seconds (Meta delivers the contacts in several webhook pages), or limit
// has passed. It returns the count, and whether it was still changing
// when limit ran out.
func waitForContacts(ctx context.Context, b contactCounter, numberID string, limit time.Duration) (n int, arriving bool, err error) {
	deadline := time.Now().Add(limit)
	last, stableSince := -1, time.Now()
	for {
		if n, err = b.ContactCount(ctx, numberID); err != nil {
			return n, false, err
		}
		if n != last {
			last, stableSince = n, time.Now()
		} else if n > 0 && time.Since(stableSince) >= 2*time.Second {
			return n, false, nil
		}
		if time.Now().After(deadline) {
			if n > 0 {
				return n, true, nil
			}
			return 0, false, fmt.Errorf("no contacts arrived within %s: is the webhook (coexsync webhook) receiving?", limit)
		}
		select {
		case <-ctx.Done():
			return n, false, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// checkLookup validates --lookup before anything is opened.
func checkLookup(cfg *config) error {
	switch l := engine.Lookup(strings.ToLower(strings.TrimSpace(cfg.lookup))); l {
	case engine.LookupAuto, engine.LookupIndex, engine.LookupSearch:
		cfg.lookup = string(l)
		return nil
	case "auto":
		cfg.lookup = ""
		return nil
	}
	return fmt.Errorf("--lookup %q: want index (match against a local index of every phone value the CRM holds; build it with coexsync index) "+
		"or search (ask the CRM's phone search, which only finds numbers stored in the spellings it searches); leave it out for the index", cfg.lookup)
}
