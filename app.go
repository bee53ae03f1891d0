package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/intercom"
	"coexsync/sandbox"
	"coexsync/store"
	engine "coexsync/sync"
	"coexsync/whatsapp"
)

// dbUse is what a command does with the database.
type dbUse int

const (
	dbWrite  dbUse = iota // a session that syncs or stores contacts
	dbBrowse              // reads only: --offline, runs, export
)

// lastSessionFile, beside the default database, names the database the
// last writing session used ("sandbox" or "live"), so browsing without
// --sandbox opens the history the agent just made.
const lastSessionFile = "last-session"

const (
	sessionSandbox = "sandbox"
	sessionLive    = "live"
)

// dbChoice is the database a command opens.
type dbChoice struct {
	path      string
	sandbox   bool
	isDefault bool   // not --db: the last-session file applies
	note      string // for browsing: which one was opened, how to open the other
}

// chooseDB is --db, else the default path, or sandbox.db beside it when
// the sandbox is in use (so demo runs never mix with real history). A
// browsing command without --sandbox follows the last writing session.
func (c *config) chooseDB(use dbUse) (dbChoice, error) {
	if c.dbPath != "" {
		return dbChoice{path: c.dbPath, sandbox: c.sandbox}, nil
	}
	live, err := c.defaultDBPath()
	if err != nil {
		return dbChoice{}, err
	}
	dir := filepath.Dir(live)
	sandboxDB := filepath.Join(dir, "sandbox.db")
	ch := dbChoice{path: live, sandbox: c.sandbox, isDefault: true}
	if use == dbBrowse && !c.sandboxSet {
		ch.sandbox = readLastSession(dir) == sessionSandbox
	}
	if ch.sandbox {
		ch.path = sandboxDB
	}
	if use == dbBrowse && !c.sandboxSet {
		switch {
		case ch.sandbox:
			ch.note = "browsing the sandbox's database (" + sandboxDB + "), which the last session used; add --sandbox=false for the real one"
		case fileExists(sandboxDB):
			ch.note = "browsing the real database (" + live + "); add --sandbox for the sandbox's"
		}
	}
	return ch, nil
}

func readLastSession(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, lastSessionFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// rememberSession records which database a writing session used; losing
// the note only costs browsing its default, so errors are ignored.
func rememberSession(dbPath string, sandboxed bool) {
	kind := sessionLive
	if sandboxed {
		kind = sessionSandbox
	}
	_ = os.WriteFile(filepath.Join(filepath.Dir(dbPath), lastSessionFile), []byte(kind+"\n"), 0o600)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// openStore opens the database for use and prints the browsing note to
// notes. Browsing opens an existing database read-only, so a file the
// user may only read is browsable and a running sync is never disturbed.
func (c *config) openStore(use dbUse, notes io.Writer) (*store.DB, error) {
	ch, err := c.chooseDB(use)
	if err != nil {
		return nil, err
	}
	if use == dbBrowse {
		if ch.note != "" && notes != nil {
			fmt.Fprintln(notes, "coexsync: "+ch.note)
		}
		if fileExists(ch.path) {
			db, err := store.OpenReadOnly(ch.path)
			if !errors.Is(err, store.ErrOlderSchema) {
				return db, err
			}
			// An older schema needs its migrations: open it writable.
		}
		return store.Open(ch.path)
	}
	db, err := store.Open(ch.path)
	if err == nil && ch.isDefault {
		rememberSession(ch.path, ch.sandbox)
	}
	return db, err
}

// openBackend wires the store with the sandbox, real clients, or nothing
// (offline). The returned func releases everything.
func (c *config) openBackend(ctx context.Context, notes io.Writer) (*backend.Backend, func(), error) {
	if c.offline {
		db, err := c.openStore(dbBrowse, notes)
		if err != nil {
			return nil, nil, err
		}
		return backend.New(backend.Config{Mode: backend.ModeOffline, Store: db}), func() { db.Close() }, nil
	}
	db, err := c.openStore(dbWrite, notes)
	if err != nil {
		return nil, nil, err
	}
	if c.sandbox {
		b, sb, err := c.startSandbox(ctx, db)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return b, func() { sb.Close(); db.Close() }, nil
	}
	cfg, err := c.liveConfig(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	cfg.CRMRegion, cfg.Lookup, cfg.AppID = c.crmRegion, engine.Lookup(c.lookup), c.appID
	return backend.New(cfg), func() { db.Close() }, nil
}

// startSandbox starts the sandbox over db with the flags' dataset and
// returns the backend on it.
func (c *config) startSandbox(ctx context.Context, db *store.DB) (*backend.Backend, *sandbox.Sandbox, error) {
	sb, err := sandbox.StartWith(ctx, db, sandbox.Options{Seed: c.seed, Contacts: max(c.sandboxContacts, 0)})
	if err != nil {
		return nil, nil, err
	}
	if c.sandboxContacts >= limitFrom { // the console's and a headless sync's alike
		limitMemory(c.sandboxContacts)
	}
	bc := sb.Config()
	bc.CRMRegion, bc.Lookup = c.crmRegion, engine.Lookup(c.lookup)
	return backend.New(bc), sb, nil
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
		cfg.CRMs["hubspot"] = hubspot.New(hubspot.Config{BaseURL: c.hubspotURL, Token: c.hubspotToken, Account: c.ledgerAccount(),
			GeneralMax: c.hubspotPer10s, HTTP: c.crmHTTP(), SearchLag: c.crmSearchLag})
	}
	if c.intercomToken != "" && (c.crm == "" || c.crm == "intercom") {
		cfg.CRMs["intercom"] = intercom.New(intercom.Config{BaseURL: c.intercomURL, Token: c.intercomToken, Account: c.ledgerAccount(),
			Role: c.intercomRole, PerMinute: c.intercomPerMin, HTTP: c.crmHTTP(), SearchLag: c.crmSearchLag})
	}
	if c.crm != "" && cfg.CRMs[c.crm] == nil {
		return cfg, fmt.Errorf("--crm %s: no token for it (set %s_TOKEN)", c.crm, map[string]string{"hubspot": "HUBSPOT", "intercom": "INTERCOM"}[c.crm])
	}
	return cfg, nil
}

// crmHTTP is the CRM clients' HTTP client under --crm-timeout, or nil for
// their default (30 s per request).
func (c *config) crmHTTP() *http.Client {
	if c.crmTimeout <= 0 {
		return nil
	}
	return &http.Client{Timeout: c.crmTimeout}
}
