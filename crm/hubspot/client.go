// Package hubspot is the crm.Client for HubSpot's CRM contacts v3 API:
// phone look-ups through the search endpoint, batch creates and batch
// name updates, kept under HubSpot's rate limits.
package hubspot

import (
	"net/http"
	"strings"
	"time"

	"coexsync/crm"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// DefaultTimeout bounds one HTTP attempt.
const DefaultTimeout = 30 * time.Second

// Config configures a Client. Zero fields take HubSpot's defaults.
type Config struct {
	BaseURL string
	Token   string // private app token; never logged or stored
	// Account labels the HubSpot portal in the local ledger (see
	// crm.TargetOf); never a secret.
	Account string
	HTTP    *http.Client
	Retry   crm.RetryPolicy

	// General budget (default GeneralPer10s per GeneralInterval); raise
	// GeneralMax for Professional (190) or the capacity pack (250).
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
	cfg     Config
	base    string
	general *crm.Window
	search  *crm.Window
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
	cfg.GeneralMax = orDefault(cfg.GeneralMax, GeneralPer10s)
	cfg.GeneralInterval = orDefault(cfg.GeneralInterval, GeneralInterval)
	cfg.SearchMax = orDefault(cfg.SearchMax, SearchPerSecond)
	cfg.SearchInterval = orDefault(cfg.SearchInterval, SearchInterval)
	cfg.SearchLag = orDefault(cfg.SearchLag, CreateSearchLag)
	return &Client{
		cfg:     cfg,
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		general: crm.NewWindow(cfg.GeneralMax, cfg.GeneralInterval),
		search:  crm.NewWindow(cfg.SearchMax, cfg.SearchInterval),
	}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

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
	}
}
