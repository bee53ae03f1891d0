package main

import (
	"context"
	"fmt"
	"path/filepath"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/intercom"
	"coexsync/sandbox"
	"coexsync/store"
	"coexsync/whatsapp"
)

// dbPath is --db, else the default path (sandbox.db beside it in the
// sandbox, so demo runs never mix with real history).
func (c *config) resolveDBPath() (string, error) {
	if c.dbPath != "" {
		return c.dbPath, nil
	}
	p, err := store.DefaultPath()
	if err != nil {
		return "", err
	}
	if c.useSandbox() {
		p = filepath.Join(filepath.Dir(p), "sandbox.db")
	}
	return p, nil
}

func (c *config) openStore() (*store.DB, error) {
	p, err := c.resolveDBPath()
	if err != nil {
		return nil, err
	}
	return store.Open(p)
}

// openBackend wires the store with the sandbox, real clients, or nothing
// (offline). The returned func releases everything.
func (c *config) openBackend(ctx context.Context) (*backend.Backend, func(), error) {
	db, err := c.openStore()
	if err != nil {
		return nil, nil, err
	}
	closeDB := func() { db.Close() }
	switch {
	case c.offline:
		return backend.New(backend.Config{Mode: backend.ModeOffline, Store: db}), closeDB, nil
	case c.useSandbox():
		sb, err := sandbox.Start(ctx, db, c.seed)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return backend.New(sb.Config()), func() { sb.Close(); db.Close() }, nil
	}
	cfg, err := c.liveConfig(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return backend.New(cfg), closeDB, nil
}

// liveConfig builds the real clients from the credentials given.
func (c *config) liveConfig(db *store.DB) (backend.Config, error) {
	cfg := backend.Config{Mode: backend.ModeLive, Store: db, WABAID: c.wabaID, CRMs: map[string]crm.Client{}}
	if c.hasMetaCredentials() {
		cfg.WhatsApp = whatsapp.NewClient(whatsapp.Config{
			BaseURL: c.graphURL, Version: c.graphVersion, Token: c.whatsappToken, AppSecret: c.appSecret,
		})
	} else if c.whatsappToken != "" || c.wabaID != "" {
		return cfg, fmt.Errorf("the Graph API needs both WHATSAPP_TOKEN and WABA_ID")
	}
	if c.hubspotToken != "" && (c.crm == "" || c.crm == "hubspot") {
		cfg.CRMs["hubspot"] = hubspot.New(hubspot.Config{BaseURL: c.hubspotURL, Token: c.hubspotToken, Account: c.ledgerAccount(), GeneralMax: c.hubspotPer10s})
	}
	if c.intercomToken != "" && (c.crm == "" || c.crm == "intercom") {
		cfg.CRMs["intercom"] = intercom.New(intercom.Config{BaseURL: c.intercomURL, Token: c.intercomToken, Account: c.ledgerAccount(), Role: c.intercomRole, PerMinute: c.intercomPerMin})
	}
	if c.crm != "" && cfg.CRMs[c.crm] == nil {
		return cfg, fmt.Errorf("--crm %s: no token for it (set %s_TOKEN)", c.crm, map[string]string{"hubspot": "HUBSPOT", "intercom": "INTERCOM"}[c.crm])
	}
	return cfg, nil
}
