// Package crm is the port the sync engine writes through: a small,
// batch-shaped interface that the HubSpot and Intercom clients implement,
// plus the types and reason codes they share.
package crm

import (
	"context"
	"net/http"
	"time"

	"coexsync/internal/httpcore"
)

// Client is one CRM account. Every method is batch-shaped because both
// vendors limit calls, not contacts; callers keep batches within Limits.
type Client interface {
	// Name is the vendor: "hubspot" or "intercom".
	Name() string
	// Target identifies the CRM account for the local ledger (see
	// TargetOf). It never contains a token.
	Target() string
	// Limits reports batch sizes and vendor behaviour the engine plans around.
	Limits() Limits
	// FindByPhones returns every record holding one of the E.164 numbers in
	// any of its phone fields (at most Limits().FindBatch numbers per call).
	// Records come back with their phones exactly as stored; the caller
	// re-normalizes them before deciding a record is a match.
	FindByPhones(ctx context.Context, e164 []string) ([]Record, error)
	// Create creates up to Limits().CreateBatch contacts. The returned slice
	// has one result per input, in input order. The error is non-nil only when
	// the whole call failed (then no item is known to be created).
	Create(ctx context.Context, contacts []NewContact) ([]ItemResult, error)
	// SetNames writes names on existing records (at most
	// Limits().UpdateBatch per call), one result per input, in input order.
	SetNames(ctx context.Context, updates []NameUpdate) ([]ItemResult, error)
}

// Limits are the numbers the engine needs to batch and to resume safely.
type Limits struct {
	FindBatch   int // E.164 numbers per FindByPhones call
	CreateBatch int // contacts per Create call
	UpdateBatch int // updates per SetNames call
	// SearchLag is how long after a create the vendor's search may still
	// miss the new record. Resume waits this long before trusting search.
	SearchLag time.Duration
	// RequestTimeout bounds one HTTP attempt: a create sent just before its
	// process died lands, if at all, within it (0: DefaultRequestTimeout).
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is the clients' bound on one HTTP attempt.
const DefaultRequestTimeout = httpcore.DefaultTimeout

// AttemptTimeout is the bound an HTTP client puts on one attempt: its
// Timeout, else the bound its transport applies itself (one with an
// AttemptTimeout method), else DefaultRequestTimeout (the caller's context
// rules then, and nothing tells how long a request may hang).
func AttemptTimeout(c *http.Client) time.Duration {
	if c == nil {
		return DefaultRequestTimeout
	}
	if c.Timeout > 0 {
		return c.Timeout
	}
	if b, ok := c.Transport.(interface{ AttemptTimeout() time.Duration }); ok && b.AttemptTimeout() > 0 {
		return b.AttemptTimeout()
	}
	return DefaultRequestTimeout
}

// Record is a CRM contact as the CRM holds it.
type Record struct {
	ID        string
	FirstName string   // HubSpot firstname; empty on Intercom
	LastName  string   // HubSpot lastname; empty on Intercom
	Name      string   // display name ("" when the record has none)
	Phones    []string // phone values exactly as stored (free text)
	// Country is the record's own country as stored ("" when unknown): the
	// region its national phone values are read in.
	Country string
}

// HasName reports whether the record already carries any name; the
// WhatsApp name is only ever written where it does not.
func (r Record) HasName() bool {
	return r.Name != "" || r.FirstName != "" || r.LastName != ""
}

// NewContact is one contact to create.
type NewContact struct {
	Ref       string // caller's key echoed in results (the E.164)
	Phone     string // E.164
	Name      string // WhatsApp display name, may be empty
	FirstName string // when WhatsApp gave one
	LastName  string
}

// NameUpdate fills the name of an existing record.
type NameUpdate struct {
	Ref       string // caller's key echoed in results
	ID        string // CRM record id
	Name      string
	FirstName string
	LastName  string
}

// ItemResult is the result of one item of a batch call.
type ItemResult struct {
	Ref string
	ID  string // the record id on success
	// ExistingID is set when a create collided with a record that already
	// holds the contact (409): the id of that record when the CRM says it.
	ExistingID string
	Err        *Error // nil on success
}

// Notice tells an observer that a call is waiting: for the rate limiter
// (Kind Wait) or before a retry (Kind Retry).
type Notice struct {
	Kind     NoticeKind
	Endpoint string        // e.g. "search", "batch/create"
	Wait     time.Duration // how long the call sleeps
	Reason   Reason        // why (rate_limited, server_error, timeout, …)
	Attempt  int           // for retries: the attempt about to be made (2, 3, …)
	Detail   string        // e.g. the vendor's policy name
}

// NoticeKind says what a Notice is about.
type NoticeKind = httpcore.NoticeKind

const (
	// NoticeWait is a proactive pause to stay under a rate limit.
	NoticeWait = httpcore.NoticeWait
	// NoticeRetry is a pause before retrying a failed call.
	NoticeRetry = httpcore.NoticeRetry
)

// WithObserver returns a context whose CRM calls report their waits to fn.
// fn must not block. The observer is httpcore's, so the WhatsApp client's
// waits reach fn too.
func WithObserver(ctx context.Context, fn func(Notice)) context.Context {
	if fn == nil {
		return httpcore.WithObserver(ctx, nil)
	}
	return httpcore.WithObserver(ctx, func(n httpcore.Notice) {
		fn(Notice{Kind: n.Kind, Endpoint: n.Endpoint, Wait: n.Wait, Reason: Reason(n.Reason), Attempt: n.Attempt, Detail: n.Detail})
	})
}

// Notify reports n to the observer in ctx, if any.
func Notify(ctx context.Context, n Notice) {
	httpcore.Notify(ctx, httpcore.Notice{Kind: n.Kind, Endpoint: n.Endpoint, Wait: n.Wait, Reason: string(n.Reason), Attempt: n.Attempt, Detail: n.Detail})
}

// TargetOf is a client's Target: the vendor and the account label, or the
// vendor and its base URL when no label is set. The label matters because
// one base URL (api.hubapi.com) serves every HubSpot portal: without it, a
// contact created for one customer would look synced for the next.
func TargetOf(vendor, account, baseURL string) string {
	if account != "" {
		return vendor + " account " + account
	}
	return vendor + " " + baseURL
}
