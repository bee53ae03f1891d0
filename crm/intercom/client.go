// Package intercom is the crm.Client for Intercom's REST API (version
// 2.14): contact search by phone, pipelined single creates, name updates,
// all paced by Intercom's per-minute budget.
package intercom

import (
	"net/http"
	"strings"
	"time"

	"coexsync/crm"
	"coexsync/internal/httpcore"
)

// Config configures a Client. Zero values take the defaults.
type Config struct {
	BaseURL string // default DefaultBaseURL
	Token   string // access token (Bearer)
	// Account labels the workspace in the local ledger (see crm.TargetOf);
	// never a secret.
	Account string
	HTTP    *http.Client // default: 30 s timeout
	// PerMinute is the app's per-minute budget (default DefaultPerMinute);
	// Window is the enforcement window (default RateWindow).
	PerMinute int
	Window    time.Duration
	// Role of created contacts: RoleLead (default) or RoleUser; a user is
	// created with an external_id derived from its number.
	Role string
	// Concurrency bounds creates/updates in flight (default DefaultConcurrency).
	Concurrency int
	// SearchLag overrides DefaultSearchLag (the sandbox shortens it).
	SearchLag time.Duration
	Retry     crm.RetryPolicy // default crm.DefaultRetry()
}

// Client talks to one Intercom workspace.
type Client struct {
	cfg     Config
	limiter *crm.Window
	core    *httpcore.Client
}

var _ crm.Client = (*Client)(nil)

// New returns a client; cfg's zero fields take their defaults.
func New(cfg Config) *Client {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: crm.DefaultRequestTimeout}
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = DefaultPerMinute
	}
	if cfg.Window <= 0 {
		cfg.Window = RateWindow
	}
	if cfg.Role == "" {
		cfg.Role = RoleLead
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.SearchLag <= 0 {
		cfg.SearchLag = DefaultSearchLag
	}
	if cfg.Retry.MaxAttempts <= 0 {
		cfg.Retry = crm.DefaultRetry()
	}
	return &Client{
		cfg:     cfg,
		limiter: crm.NewWindow(clientBudget(cfg.PerMinute), clientWindow(cfg.Window)),
		core: &httpcore.Client{HTTP: cfg.HTTP, Token: cfg.Token, MaxBody: maxBody, Retry: cfg.Retry,
			Header: http.Header{"Intercom-Version": {APIVersion}}},
	}
}

// The server counts arrivals in fixed windows; we count departures in a
// rolling one. Network delay that varies between calls can move calls
// across a window boundary, so our window is 5 % longer (tolerating that
// much jitter) and our budget slightly smaller than the server's.
func clientWindow(w time.Duration) time.Duration { return w + w/20 }

func clientBudget(perMinute int) int {
	b := WindowBudget(perMinute)
	margin := max(1, b/50)
	if b-margin < 1 {
		return 1
	}
	return b - margin
}

// Name is the vendor.
func (c *Client) Name() string { return "intercom" }

// Target names the endpoint for the ledger; it never holds the token.
func (c *Client) Target() string { return crm.TargetOf("intercom", c.cfg.Account, c.cfg.BaseURL) }

// Limits reports batch sizes and the search lag.
func (c *Client) Limits() crm.Limits {
	return crm.Limits{
		FindBatch:   FindBatch,
		CreateBatch: CreateBatch,
		UpdateBatch: UpdateBatch,
		SearchLag:   c.cfg.SearchLag,

		RequestTimeout: crm.AttemptTimeout(c.cfg.HTTP),
	}
}

// Contact roles Intercom knows.
const (
	RoleLead = "lead"
	RoleUser = "user"
)
