// Package hubspot is the crm.Client for HubSpot's CRM contacts v3 API:
// phone look-ups through the search endpoint, batch creates and batch
// name updates, kept under HubSpot's rate limits.
package hubspot

import (
	"net/http"
	"strings"
	"time"

	"coexsync/crm"
	"coexsync/internal/httpcore"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// DefaultTimeout bounds one HTTP attempt.
const DefaultTimeout = crm.DefaultRequestTimeout

// Config configures a Client. Zero fields take HubSpot's defaults.
type Config struct {
	BaseURL string
	Token   string // private app token; never logged or stored
	// Account labels the HubSpot portal in the local ledger (see
	// crm.TargetOf); never a secret.
	Account string
	HTTP    *http.Client
	Retry   crm.RetryPolicy

	// General budget per GeneralInterval. Zero follows the account's tier
	// as X-HubSpot-RateLimit-Max reports it (starting at GeneralPer10s);
	// a positive value is an override that the headers do not change.
	GeneralMax      int
	GeneralInterval time.Duration
	// Search budget (default SearchPerSecond per SearchInterval).
	SearchMax      int
	SearchInterval time.Duration
	// SearchLag overrides CreateSearchLag in Limits (tests shrink it).
	SearchLag time.Duration

	// SetWhatsAppProperty also writes hs_whatsapp_phone_number on create,
	// for accounts where that property is writable.
	SetWhatsAppProperty bool
}

// Client talks to one HubSpot account. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      string
	tierFixed bool // GeneralMax was configured: ignore X-HubSpot-RateLimit-Max
	general   *crm.Window
	search    *crm.Window
	core      *httpcore.Client
}

var _ crm.Client = (*Client)(nil)

// New returns a client with cfg's zero fields set to the defaults.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Retry.MaxAttempts <= 0 {
		cfg.Retry = crm.DefaultRetry()
	}
	fixed := cfg.GeneralMax > 0
	cfg.GeneralMax = orDefault(cfg.GeneralMax, GeneralPer10s)
	cfg.GeneralInterval = orDefault(cfg.GeneralInterval, GeneralInterval)
	cfg.SearchMax = orDefault(cfg.SearchMax, SearchPerSecond)
	cfg.SearchInterval = orDefault(cfg.SearchInterval, SearchInterval)
	cfg.SearchLag = orDefault(cfg.SearchLag, CreateSearchLag)
	return &Client{
		cfg:       cfg,
		base:      strings.TrimRight(cfg.BaseURL, "/"),
		tierFixed: fixed,
		general:   crm.NewWindow(cfg.GeneralMax, cfg.GeneralInterval),
		search:    crm.NewWindow(cfg.SearchMax, cfg.SearchInterval),
		core:      &httpcore.Client{HTTP: cfg.HTTP, Token: cfg.Token, MaxBody: maxBody, Retry: cfg.Retry},
	}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// GeneralBudget is the number of general calls the client allows per
// GeneralInterval: the override, or the tier HubSpot last reported.
func (c *Client) GeneralBudget() int { return c.general.Max() }

// Name implements crm.Client.
func (c *Client) Name() string { return "hubspot" }

// Target implements crm.Client: vendor and base URL, never the token.
func (c *Client) Target() string { return crm.TargetOf("hubspot", c.cfg.Account, c.base) }

// Limits implements crm.Client.
func (c *Client) Limits() crm.Limits {
	return crm.Limits{
		FindBatch:   MaxInValues,
		CreateBatch: MaxBatchInputs,
		UpdateBatch: MaxBatchInputs,
		SearchLag:   c.cfg.SearchLag,

		RequestTimeout: crm.AttemptTimeout(c.cfg.HTTP),
	}
}
