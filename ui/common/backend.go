package common

import (
	"context"
	"io"

	"coexsync/doctor"
	"coexsync/store"
	engine "coexsync/sync"
)

// Mode badges a Backend reports.
const (
	ModeSandbox = "SANDBOX"
	ModeLive    = "LIVE"
	ModeOffline = "OFFLINE"
)

// Backend is everything the console needs from the world. main implements
// it for the sandbox, for real credentials and for offline browsing; the
// console never builds a request itself.
type Backend interface {
	// Mode is ModeSandbox, ModeLive or ModeOffline; shown as a badge.
	Mode() string
	// CRMs lists the CRMs a sync can write to ("hubspot", "intercom");
	// empty when offline.
	CRMs() []string
	// Numbers refreshes the numbers from the Graph API when online and
	// returns what is stored.
	Numbers(ctx context.Context) ([]store.Number, error)
	// RequestContactSync sends the one-time Business App contact request.
	RequestContactSync(ctx context.Context, numberID string) error
	// ContactCount counts the stored contacts of a number (grows while
	// webhook deliveries arrive).
	ContactCount(ctx context.Context, numberID string) (int, error)
	// Region is the region hint for the contacts of a number (e.g. "BR").
	Region(numberID string) string
	// Engine is the sync engine writing into crm.
	Engine(crm string) (Engine, error)
	// Choose says which CRM the agent will sync into, before any plan
	// (the sandbox then generates that CRM's records while contacts
	// arrive). It returns at once.
	Choose(crm string)
	// Preparing says why a plan into crm would wait before its first
	// answer ("" when nothing holds it): the sandbox is still making that
	// CRM's records. It returns at once.
	Preparing(crm string) string
	// Store is the local database, for browsing runs (offline too).
	Store() Store
	// Doctor runs the read-only pre-flight checks of scope (Meta, CRMs,
	// store, clock); numberID limits the contact check to one number.
	Doctor(ctx context.Context, numberID string, scope doctor.Scope) []doctor.Check
}

// Store is the part of *store.DB the runs and failures browser reads.
type Store interface {
	Runs(ctx context.Context, limit, offset int) ([]store.Run, error)
	Run(ctx context.Context, runID int64) (store.Run, error)
	Outcomes(ctx context.Context, f store.OutcomeFilter) ([]store.Outcome, int, error)
	ReasonCounts(ctx context.Context, runID int64, status store.OutcomeStatus) (map[string]int, error)
	// NamesFilled counts, per run, the existing records whose empty name
	// the run filled from WhatsApp.
	NamesFilled(ctx context.Context, runIDs ...int64) (map[int64]int, error)
	UnfinishedRuns(ctx context.Context) ([]store.Run, error)
	// Numbers are the numbers seen, to show a run's number as people know it.
	Numbers(ctx context.Context) ([]store.Number, error)
	// WriteCSV writes the outcomes matching f as CSV with spreadsheet
	// formulas defused.
	WriteCSV(ctx context.Context, w io.Writer, f store.OutcomeFilter) error
}

// Engine is the part of *sync.Engine the console drives. Use AdaptEngine
// to get one from a *sync.Engine.
type Engine interface {
	Plan(ctx context.Context, numberID, region string) (*engine.Plan, error)
	PlanRetry(ctx context.Context, runID int64, region string) (*engine.Plan, error)
	Start(ctx context.Context, plan *engine.Plan, opts engine.RunOptions) (Job, error)
	Resume(ctx context.Context, runID int64, region string) (Job, error)
}

// Job is a running sync.
type Job interface {
	RunID() int64
	// Events is closed after the Done event.
	Events() <-chan engine.Event
	Wait() engine.RunSummary
	Cancel()
}

// The database is the runs browser's store.
var _ Store = (*store.DB)(nil)
