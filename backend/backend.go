// Package backend is what the console and the headless commands talk to:
// the local store, the Graph API client (when online) and one engine per
// configured CRM. The sandbox and real mode differ only in what is wired in.
package backend

import (
	"context"
	"fmt"
	"slices"
	gosync "sync"

	"coexsync/crm"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/sync/normalize"
	"coexsync/whatsapp"
)

// Modes shown on the console's badge.
const (
	ModeSandbox = "SANDBOX"
	ModeLive    = "LIVE"
	ModeOffline = "OFFLINE"
)

// Config is what a Backend is built from.
type Config struct {
	Mode     string
	Store    *store.DB
	WhatsApp *whatsapp.Client // nil when offline
	WABAID   string
	CRMs     map[string]crm.Client // by name; empty when offline
	// CRMRegion reads CRM values without a country ("": the number's).
	CRMRegion string
	// Lookup overrides how plans find existing records ("": auto).
	Lookup engine.Lookup
	// AppID is this Meta app's id, for doctor ("": not configured).
	AppID string
	// OnChoose, when set, hears which CRM the agent will sync into, before
	// any plan: the sandbox starts generating that CRM's records then.
	OnChoose func(crm string)
	// Preparing, when set, says why a plan into crm would wait before its
	// first answer ("" when it would not): the sandbox is still making
	// that CRM's records.
	Preparing func(crm string) string
}

// Backend serves the console and the headless commands.
type Backend struct {
	cfg Config

	mu      gosync.Mutex
	regions map[string]string // number id → region hint
}

// New returns a Backend over cfg.
func New(cfg Config) *Backend {
	return &Backend{cfg: cfg, regions: map[string]string{}}
}

// Mode is SANDBOX, LIVE or OFFLINE.
func (b *Backend) Mode() string { return b.cfg.Mode }

// CRMs lists the CRMs that can be synced into, sorted.
func (b *Backend) CRMs() []string {
	names := make([]string, 0, len(b.cfg.CRMs))
	for name := range b.cfg.CRMs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Store is the local database.
func (b *Backend) Store() *store.DB { return b.cfg.Store }

// Numbers refreshes the account's numbers from the Graph API when online,
// stores them, and returns what the store knows (so offline works too).
func (b *Backend) Numbers(ctx context.Context) ([]store.Number, error) {
	if b.cfg.WhatsApp != nil {
		phones, err := b.cfg.WhatsApp.PhoneNumbers(ctx, b.cfg.WABAID)
		if err != nil {
			return nil, err
		}
		ns := make([]store.Number, len(phones))
		for i, p := range phones {
			ns[i] = store.Number{
				ID: p.ID, DisplayPhoneNumber: p.DisplayPhoneNumber, VerifiedName: p.VerifiedName,
				Status: p.Status, QualityRating: p.QualityRating, PlatformType: p.PlatformType,
				OnBizApp: p.IsOnBizApp,
			}
		}
		if err := b.cfg.Store.UpsertNumbers(ctx, ns); err != nil {
			return nil, err
		}
	}
	ns, err := b.cfg.Store.Numbers(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	for _, n := range ns {
		b.regions[n.ID] = normalize.RegionOf(n.DisplayPhoneNumber)
	}
	b.mu.Unlock()
	return ns, nil
}

// Region is the region hint for a number's unprefixed contacts: the
// country of the business number itself.
func (b *Backend) Region(numberID string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.regions[numberID]
}

// RequestContactSync asks Meta, once, for the Business App contacts of a
// number; they arrive on the webhook.
func (b *Backend) RequestContactSync(ctx context.Context, numberID string) error {
	if b.cfg.WhatsApp == nil {
		return fmt.Errorf("offline: the contact sync can only be requested with WhatsApp credentials")
	}
	requestID, err := b.cfg.WhatsApp.RequestContactSync(ctx, numberID)
	if err != nil {
		return err
	}
	return b.cfg.Store.MarkSyncRequested(ctx, numberID, requestID)
}

// ContactCount counts the stored contacts of a number.
func (b *Backend) ContactCount(ctx context.Context, numberID string) (int, error) {
	return b.cfg.Store.CountContacts(ctx, numberID)
}

// Engine returns an engine writing into the named CRM.
func (b *Backend) Engine(name string) (*engine.Engine, error) {
	client, ok := b.cfg.CRMs[name]
	if !ok {
		if len(b.cfg.CRMs) == 0 {
			return nil, fmt.Errorf("no CRM is configured (set HUBSPOT_TOKEN or INTERCOM_TOKEN, or use the sandbox)")
		}
		return nil, fmt.Errorf("CRM %q is not configured (available: %v)", name, b.CRMs())
	}
	return &engine.Engine{Store: b.cfg.Store, CRM: client, CRMRegion: b.cfg.CRMRegion, Lookup: b.cfg.Lookup}, nil
}

// Choose says which CRM the agent will sync into, ahead of the plan.
func (b *Backend) Choose(crm string) {
	if b.cfg.OnChoose != nil {
		b.cfg.OnChoose(crm)
	}
}

// Preparing says why a plan into crm would wait before its first answer,
// or "" when nothing holds it.
func (b *Backend) Preparing(crm string) string {
	if b.cfg.Preparing == nil {
		return ""
	}
	return b.cfg.Preparing(crm)
}

// WhatsAppMissing reports a live backend with no Graph API client: only
// CRM credentials were given, so numbers cannot be listed or requested.
func (b *Backend) WhatsAppMissing() bool {
	return b.cfg.Mode == ModeLive && b.cfg.WhatsApp == nil
}
