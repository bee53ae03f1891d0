package store

import (
	"time"

	"coexsync/bizapp"
)

// Number is a WhatsApp business phone number seen on the Graph API.
type Number struct {
	ID                 string // Graph phone number id
	DisplayPhoneNumber string
	VerifiedName       string
	Status             string
	QualityRating      string
	PlatformType       string
	OnBizApp           bool      // Coexistence: also on the WhatsApp Business App
	SyncRequestedAt    time.Time // zero until the one-time contact sync was requested
	SyncRequestID      string
	SeenAt             time.Time
}

// The contact events live in bizapp, which the Graph API client shares
// without linking the database.
type (
	ContactAction = bizapp.ContactAction
	ContactEvent  = bizapp.ContactEvent
	SaveResult    = bizapp.SaveResult
)

const (
	ActionAdd    = bizapp.ActionAdd
	ActionRemove = bizapp.ActionRemove
)

// Contact is a Business App contact of one number, as last seen.
type Contact struct {
	ID        int64
	NumberID  string
	Key       string
	Phone     string
	UserID    string
	Username  string
	FullName  string
	FirstName string
	Removed   bool
	EventAt   time.Time // timestamp of the event that last changed it
	PayloadID int64     // raw payload row it came from
	UpdatedAt time.Time
}

// RunStatus is the state of a sync run.
type RunStatus string

const (
	RunRunning     RunStatus = "running"
	RunFinished    RunStatus = "finished"
	RunCancelled   RunStatus = "cancelled"
	RunFailed      RunStatus = "failed"      // could not run to the end (e.g. bad token)
	RunInterrupted RunStatus = "interrupted" // process died; resumable
)

// RunMode says what kind of run it was.
type RunMode string

const (
	ModeLive   RunMode = "live"
	ModeDryRun RunMode = "dry_run"
	ModeRetry  RunMode = "retry" // over the failed outcomes of ParentRunID
	// ModeUndo archives the records run ParentRunID created. Its outcomes
	// reuse the sync statuses: created means the record was archived
	// (reason "archived"), skipped means it was kept (the reason says
	// why), failed means the archive failed, pending means not done yet.
	ModeUndo RunMode = "undo"
)

// Run is one sync of one number into one CRM.
type Run struct {
	ID          int64
	NumberID    string
	CRM         string // "hubspot" | "intercom"
	Target      string // crm.Client.Target(): the account the ledger is keyed by
	Mode        RunMode
	ParentRunID int64 // for retry runs: the run retried; for undo runs: the run undone
	Status      RunStatus
	StartedAt   time.Time
	FinishedAt  time.Time // zero while running
	Total       int       // contacts in the plan
	Created     int       // counted from outcomes
	Skipped     int
	Failed      int
	Pending     int
	Error       string // why a run failed or was cancelled
	Region      string // region hint for national numbers ("" for none)
}

// OutcomeStatus is the result of one contact in one run.
type OutcomeStatus string

const (
	OutcomePending OutcomeStatus = "pending" // create sent or about to be; not yet confirmed
	OutcomeCreated OutcomeStatus = "created"
	OutcomeSkipped OutcomeStatus = "skipped"
	OutcomeFailed  OutcomeStatus = "failed"
)

// Outcome is what happened to one contact in one run.
type Outcome struct {
	RunID      int64
	ContactID  int64
	Name       string // WhatsApp display name, for browsing
	Raw        string // the number as the Business App gave it (or the user id/username)
	E164       string // empty when invalid
	Status     OutcomeStatus
	CRMID      string // the record created or matched
	Reason     string // reason code (e.g. invalid_country_code, exists, duplicate, rate_limited)
	ReasonText string // sentence an agent can act on
	Attempts   int
	NameFilled bool // the matched CRM record's empty name was filled from WhatsApp
	UpdatedAt  time.Time
}

// OutcomeFilter selects outcomes for the runs/failures browser.
type OutcomeFilter struct {
	RunID  int64
	Status OutcomeStatus // "" for any
	Reason string        // "" for any
	Text   string        // substring of name, raw, e164, crm id or reason text
	Limit  int           // 0 for all
	Offset int
}

// IntentState is where a planned create stands in the ledger.
type IntentState string

const (
	IntentPending IntentState = "pending" // about to be sent; the CRM may or may not have it
	IntentCreated IntentState = "created" // the CRM returned CRMID
)

// Intent is a ledger row: coexsync is creating (or created) E164 in Target.
// The ledger outlives runs: it is how a re-run right after a create knows
// the record exists even while the CRM's search index lags.
type Intent struct {
	Target    string
	E164      string // the form this row claims (the number or a candidate)
	Number    string // the E.164 the create carries; shared by a claim's rows
	RunID     int64
	ContactID int64
	State     IntentState
	CRMID     string
	Owner     string    // the run-process that claimed it ("" for old rows)
	LandBy    time.Time // a create carrying it lands by then if at all; zero: never sent
	CreatedAt time.Time
	UpdatedAt time.Time
}
