// Package sync is the engine: it turns the stored Business App contacts of
// one number into CRM records, one way, and records every outcome. It holds
// no UI and no SQL: it talks to the CRM port, the normalizer and the store
// through small interfaces and reports through typed events.
package sync

import (
	"context"
	"time"

	"coexsync/crm"
	"coexsync/store"
	"coexsync/sync/normalize"
	"coexsync/sync/phoneindex"
)

// Store is what the engine needs of the local database; *store.DB
// implements it.
type Store interface {
	Contacts(ctx context.Context, numberID string) ([]store.Contact, error)
	EachContact(ctx context.Context, numberID string, size func(n int), fn func(store.Contact)) error
	ContactsByID(ctx context.Context, ids []int64) ([]store.Contact, error)
	CreateRun(ctx context.Context, r store.Run) (int64, error)
	FinishRun(ctx context.Context, runID int64, status store.RunStatus, errText string) error
	ReopenRun(ctx context.Context, runID int64) error
	Run(ctx context.Context, runID int64) (store.Run, error)
	RecordOutcomes(ctx context.Context, target string, outs []store.Outcome) error
	Outcomes(ctx context.Context, f store.OutcomeFilter) ([]store.Outcome, int, error)
	Number(ctx context.Context, id string) (store.Number, error)
	CreatedRecords(ctx context.Context, target string, e164 []string) (map[string]string, error)
	PendingIntents(ctx context.Context, target string) ([]store.Intent, error)

	// The guard against creating twice: claims taken at send time and one
	// writer per (CRM account, number).
	ClaimCreates(ctx context.Context, target string, claims []store.Claim) ([]store.ClaimResult, error)
	MarkSent(ctx context.Context, target, owner string, numbers []string, at time.Time) error
	DropClaims(ctx context.Context, target, owner string, numbers []string) error
	FreeClaims(ctx context.Context, target string, freed []store.FreedCreate) error
	FreedCreates(ctx context.Context, target string, runID int64) ([]store.FreedCreate, error)
	AcquireLease(ctx context.Context, l store.Lease, canTake func(store.Lease) bool) (store.Lease, bool, error)
	SetLeaseRun(ctx context.Context, owner string, runID int64) error
	Heartbeat(ctx context.Context, owner string, at time.Time) (bool, error)
	ReleaseLease(ctx context.Context, owner string) error
	AddRunNote(ctx context.Context, runID int64, text string) error

	// The local index of the CRM's phone values.
	IndexState(ctx context.Context, target string) (store.IndexState, error)
	SetIndexState(ctx context.Context, st store.IndexState) error
	SweepIndex(ctx context.Context, target string, started time.Time) error
	UpsertIndexPage(ctx context.Context, target, defaultRegion string, recs []crm.IndexedRecord) error
	DeleteIndexRecords(ctx context.Context, target string, ids []string) error
	LookupIndex(ctx context.Context, target string, keys []string) (map[string][]phoneindex.Hit, error)
	IndexRecords(ctx context.Context, target string, ids []string) (map[string]crm.IndexedRecord, error)
}

// Engine syncs into one CRM account.
type Engine struct {
	Store Store
	CRM   crm.Client
	// Concurrency bounds CRM calls in flight (0: a default fitted to the CRM).
	Concurrency int
	// Force takes over the write lease of a number even when another
	// process seems to hold it (the agent knows that process is gone).
	Force bool
	// Lookup chooses how plans find existing records (default: auto).
	Lookup Lookup
	// CRMRegion reads CRM values stored without a country code and without
	// a record country ("": the business number's country). Never the
	// WhatsApp contact's country: that merged strangers.
	CRMRegion string
	// IndexProgress, when set, hears about index builds and refreshes.
	IndexProgress func(IndexProgress)
}

// RowStatus is what the plan will do with one contact.
type RowStatus string

const (
	StatusCreate    RowStatus = "create"
	StatusExists    RowStatus = "exists"    // one CRM record holds the number: skip (maybe fill its name)
	StatusAmbiguous RowStatus = "ambiguous" // several records hold it: skip, never guess
	StatusInvalid   RowStatus = "invalid"   // cannot be normalized / no phone: will fail
	StatusDuplicate RowStatus = "duplicate" // same E.164 as another contact of the batch
)

// PlanRow is one contact of the preview. A plan holds one per contact
// (100k and more), so a row keeps only what every row needs; why a row
// matched lives in Match, and its sentence is made when asked (Why).
type PlanRow struct {
	Contact RowContact
	Number  RowNumber
	Status  RowStatus
	// RecordID, on an exists row, is the matched record.
	RecordID string
	// FillName, on an exists row: the WhatsApp name will be written.
	FillName bool
	// Match, on an exists or ambiguous row, says what matched.
	Match *RowMatch
	// PendingRun, on a create row, is a run whose create of this number is
	// unconfirmed (its process died or was stopped): resolved at send time.
	PendingRun  int64
	DuplicateOf int64 // duplicate: contact id of the row that syncs it
	// InvalidReason and InvalidText, on an invalid row, are the
	// normalizer's reason code and its sentence for the agent.
	InvalidReason string
	InvalidText   string
}

// RowNumber is what a plan row keeps of its normalized number.
type RowNumber struct {
	E164 string // canonical key, "" when not valid
	// Candidates are every E.164 form the person may already be stored
	// under, E164 first; nil when E164 is the only one (most numbers).
	Candidates []string
}

// rowNumber keeps of res what a plan row needs.
func rowNumber(res normalize.Result) RowNumber {
	n := RowNumber{E164: res.E164, Candidates: res.Candidates}
	if len(n.Candidates) == 1 && n.Candidates[0] == n.E164 {
		n.Candidates = nil
	}
	return n
}

// Keys is every E.164 form the number may be stored under, E164 first.
func (n RowNumber) Keys() []string {
	if n.Candidates == nil && n.E164 != "" {
		return []string{n.E164}
	}
	return n.Candidates
}

// RowMatch is what matched an exists or ambiguous row.
type RowMatch struct {
	RecordName string // exists: the name the CRM holds ("" if none)
	// Property and Value say why a row exists: the property and the value
	// as the CRM stores it ("mobilephone", "(415) 734-2671"); Property
	// alone for a record coexsync created.
	Property string
	Value    string
	Records  []crm.Record // ambiguous: every record holding the number
	Text     string       // ambiguous: the sentence naming them
}

// RecordName is the name the matched record holds ("" if none).
func (r *PlanRow) RecordName() string {
	if r.Match == nil {
		return ""
	}
	return r.Match.RecordName
}

// MatchedBy is the property and stored value that matched ("" if none).
func (r *PlanRow) MatchedBy() (property, value string) {
	if r.Match == nil {
		return "", ""
	}
	return r.Match.Property, r.Match.Value
}

// Matches are the records holding an ambiguous row's number.
func (r *PlanRow) Matches() []crm.Record {
	if r.Match == nil {
		return nil
	}
	return r.Match.Records
}

// Raw is the contact's number as the Business App sent it (its key when it
// has no phone).
func (r *PlanRow) Raw() string {
	if r.Contact.Phone == "" {
		return r.Contact.Key
	}
	return r.Contact.Phone
}

// Why is the row's reason code and its sentence for the agent ("" for a
// plain create). The sentence is made on demand: held on every row it
// would be the plan's largest text.
func (r *PlanRow) Why() (reason, text string) {
	switch r.Status {
	case StatusInvalid:
		return r.InvalidReason, r.InvalidText
	case StatusDuplicate:
		return reasonDuplicate, duplicateText(r.Number.E164, r.DuplicateOf)
	case StatusExists:
		return reasonExists, matchText(r)
	case StatusAmbiguous:
		if r.Match == nil {
			return reasonAmbiguous, ""
		}
		return reasonAmbiguous, r.Match.Text
	}
	if r.PendingRun != 0 {
		return "", pendingText(r.PendingRun)
	}
	return "", ""
}

// RowContact is what a plan row keeps of its contact: what the preview
// shows and a run writes. The store's bookkeeping (payload, event times)
// stays out, so 100k rows weigh 8 MB less.
type RowContact struct {
	ID        int64
	Key       string
	Phone     string
	FullName  string
	FirstName string
}

// rowContact keeps of c what a plan row needs. The key is most often the
// phone, read from its own column: the row keeps one copy of the text.
func rowContact(c store.Contact) RowContact {
	key := c.Key
	if key == c.Phone {
		key = c.Phone
	}
	return RowContact{ID: c.ID, Key: key, Phone: c.Phone, FullName: c.FullName, FirstName: c.FirstName}
}

// Plan is the preview of a sync: exactly what Start will do.
type Plan struct {
	NumberID string
	Region   string // region hint used for unprefixed numbers
	// Lookup is how existing records were found; Index, with LookupIndex,
	// how fresh the local index was; CRMRegion reads national CRM values.
	Lookup    Lookup
	Index     store.IndexState
	CRMRegion string
	CRM       string
	Target    string
	Rows      []PlanRow
	Counts    map[RowStatus]int
	BuiltAt   time.Time
	// LeftOut, on a retry plan, are the failures not retried.
	LeftOut LeftOut
}

// RunOptions says what kind of run Start makes.
type RunOptions struct {
	Mode        store.RunMode // live, dry_run or retry
	ParentRunID int64         // retry: the run whose failures are retried
}

// Event is something the engine reports while a run goes on.
type Event interface{ isEvent() }

// Progress is the running tally; sent at most every few hundred ms.
type Progress struct {
	Done, Total              int
	Created, Skipped, Failed int
	Rate                     float64       // contacts per second so far
	ETA                      time.Duration // 0 when unknown
	Elapsed                  time.Duration
}

// OutcomeEvent is one contact's final outcome, already stored.
type OutcomeEvent struct{ Outcome store.Outcome }

// RateLimited is a pause to respect the CRM's limits.
type RateLimited struct {
	Endpoint string
	Wait     time.Duration
	Reason   crm.Reason
	Detail   string
}

// Retrying is a pause before retrying a failed CRM call.
type Retrying struct {
	Endpoint string
	Attempt  int
	Wait     time.Duration
	Reason   crm.Reason
	Detail   string
}

// Phase names a step of the run (e.g. "resolving 12 unconfirmed creates").
type Phase struct{ Name string }

// Done is the last event of a run.
type Done struct{ Summary RunSummary }

func (Progress) isEvent()     {}
func (OutcomeEvent) isEvent() {}
func (RateLimited) isEvent()  {}
func (Retrying) isEvent()     {}
func (Phase) isEvent()        {}
func (Done) isEvent()         {}

// RunSummary is the end of a run: Created / Skipped / Failed.
type RunSummary struct {
	RunID    int64
	Status   store.RunStatus
	Total    int
	Created  int
	Skipped  int
	Failed   int
	Elapsed  time.Duration
	Failures []store.Outcome // each with a reason an agent can act on
	Err      error           // why the run stopped early, if it did
}

// regionFor is the region hint for numberID's national numbers: hint when
// given, else the country of the business number as stored. The engine
// works it out itself, so no caller has to warm a cache first.
func (e *Engine) regionFor(ctx context.Context, numberID, hint string) string {
	if hint != "" {
		return hint
	}
	if n, err := e.Store.Number(ctx, numberID); err == nil {
		return normalize.RegionOf(n.DisplayPhoneNumber)
	}
	return ""
}

// note appends a line to a run's log; the log is for people, so a failed
// write never stops a run.
func (e *Engine) note(runID int64, text string) {
	if text != "" {
		_ = e.Store.AddRunNote(context.Background(), runID, text)
	}
}

// releaseLease gives up a lease; a failed release only delays the next
// writer until the heartbeat is stale.
func (e *Engine) releaseLease(owner string) {
	_ = e.Store.ReleaseLease(context.Background(), owner)
}
