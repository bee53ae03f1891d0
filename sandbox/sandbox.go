// Package sandbox runs coexsync with no credentials: fake Meta Graph,
// HubSpot and Intercom servers start in-process on loopback, loaded with a
// generated dataset, and a webhook receiver stores the contacts Meta's fake
// delivers. The vendors' real rate limits apply, so pacing is real.
package sandbox

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"coexsync/backend"
	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/store"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// Credentials of the fakes: they exist only inside this process.
const (
	graphToken    = "sandbox-graph-token"
	appSecret     = "sandbox-app-secret"
	hubspotToken  = "sandbox-hubspot-token"
	intercomToken = "sandbox-intercom-token"
	wabaID        = "200000000000001"
	// account labels the sandbox CRMs in the ledger. The fakes listen on a
	// new port each start, so their URL cannot be the label: with a stable
	// one, a sandbox re-run knows what earlier sandbox runs created.
	account = "sandbox"
)

// Options tune the sandbox; the zero value is what the console uses.
type Options struct {
	Seed int64
	// SearchLag is how long a created CRM record stays out of search
	// (default: 3 s, long enough to matter, short enough for a demo).
	SearchLag time.Duration
	// Window shrinks the CRMs' rate-limit windows (tests); 0 keeps the
	// vendors' real 10-second windows.
	Window time.Duration
	// Contacts, when > 0, is the size of every Business App address book
	// (and the CRM records generated from it) instead of the dataset's own
	// sizes: the console at 100k or 1M contacts. Such a dataset starts as
	// fast as the default one: each CRM fake generates its records on its
	// first request, and contacts are generated when a sync delivers them.
	Contacts int
	// RequestTimeout bounds one request of the sandbox's CRM clients
	// (default sandboxRequestTimeout). A resume waits that long for a
	// create cut off in flight to land, so tests that resume shorten it.
	RequestTimeout time.Duration
}

// Sandbox is the running fakes plus the webhook receiver.
type Sandbox struct {
	Graph    *whatsapptest.Server
	HubSpot  *hubspottest.Server
	Intercom *intercomtest.Server
	hook     *httptest.Server
	db       *store.DB
	opts     Options
}

// Start starts the sandbox over db with the dataset of seed.
func Start(ctx context.Context, db *store.DB, seed int64) (*Sandbox, error) {
	return StartWith(ctx, db, Options{Seed: seed})
}

// StartWith starts the sandbox with explicit options.
func StartWith(_ context.Context, db *store.DB, opts Options) (*Sandbox, error) {
	if opts.SearchLag == 0 {
		opts.SearchLag = 3 * time.Second
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = sandboxRequestTimeout
	}
	s := &Sandbox{db: db, opts: opts}
	s.Graph = whatsapptest.New(whatsapptest.Options{Token: graphToken, AppSecret: appSecret, WABAID: wabaID, Seed: uint64(opts.Seed)})
	s.HubSpot = hubspottest.New(hubspottest.Options{Token: hubspotToken, SearchLag: opts.SearchLag, Seed: opts.Seed, Window: opts.Window})
	s.Intercom = intercomtest.New(intercomtest.Options{Token: intercomToken, SearchLag: opts.SearchLag, Seed: opts.Seed, Window: opts.Window})
	s.hook = httptest.NewServer(&whatsapp.Webhook{
		AppSecret: appSecret, VerifyToken: "sandbox", Sink: db,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), // the console owns the terminal
	})
	s.Graph.SetWebhook(s.hook.URL)
	load := s.load
	if opts.Contacts > 0 {
		load = s.loadOnUse
	}
	if err := load(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// load fills the fakes with the default dataset: numbers and their
// Business App contacts on Meta's side, and the records the CRMs already
// hold, the CRM records first (contacts never show up before what they
// match).
func (s *Sandbox) load() error {
	books, err := layout(s.opts.Seed, 0)
	if err != nil {
		return err
	}
	recs := defaultRecords(s.opts.Seed, books)
	seedHubSpot(s.HubSpot)(slices.Clone(recs.hubspot))
	seedIntercom(s.Intercom)(slices.Clone(recs.intercom))
	for _, nb := range books {
		addBook(s.Graph, nb)
	}
	return nil
}

// generatedRecords holds, by seed, the CRM records of the default
// dataset: generating them (every contact normalized) is most of a
// sandbox's start, and a process that starts several sandboxes (the
// tests, a console restarted in place) needs them once. Small at the
// default size; a sized dataset is never kept.
var generatedRecords sync.Map // int64 → *crmRecords

type crmRecords struct {
	once     sync.Once
	hubspot  []hubspottest.Record
	intercom []intercomtest.Contact
}

// defaultRecords generates the CRM records of the default dataset of
// seed once per process; callers copy what they change.
func defaultRecords(seed int64, books []numberBook) *crmRecords {
	v, _ := generatedRecords.LoadOrStore(seed, &crmRecords{})
	r := v.(*crmRecords)
	r.once.Do(func() {
		generate(seed, books, loader{
			hubspot:  func(recs []hubspottest.Record) { r.hubspot = append(r.hubspot, recs...) },
			intercom: func(recs []intercomtest.Contact) { r.intercom = append(r.intercom, recs...) },
		})
	})
	return r
}

// loadOnUse is load for a sized dataset, and as quick: the numbers and
// their address books are set at once (contacts are generated when a sync
// delivers them), before anyone can request them; a request that came
// first would spend the one-time sync and deliver nothing. Each CRM fake
// generates its own records on its first request, which every plan makes
// before it decides, so no plan sees contacts without the records they
// match. Holding the records of a CRM the agent does not use would cost
// the console about a tenth of its memory at 100k contacts per number.
func (s *Sandbox) loadOnUse() error {
	books, err := layout(s.opts.Seed, s.opts.Contacts)
	if err != nil {
		return err
	}
	seed := s.opts.Seed
	s.HubSpot.LoadOnFirstRequest(func() {
		generate(seed, books, loader{hubspot: seedHubSpot(s.HubSpot)})
	})
	s.Intercom.LoadOnFirstRequest(func() {
		generate(seed, books, loader{intercom: seedIntercom(s.Intercom)})
	})
	for _, nb := range books {
		addBook(s.Graph, nb)
	}
	return nil
}

// seedHubSpot seeds chunks of records into hub, every one created and
// modified at one time, as when the dataset went in at once, however many
// chunks it takes.
func seedHubSpot(hub *hubspottest.Server) func([]hubspottest.Record) {
	seeded := time.Now()
	return func(recs []hubspottest.Record) {
		for i := range recs {
			recs[i].Created, recs[i].Modified = seeded, seeded
		}
		hub.SeedRecords(recs...)
	}
}

func seedIntercom(icom *intercomtest.Server) func([]intercomtest.Contact) {
	return func(recs []intercomtest.Contact) { icom.Seed(recs...) }
}

// fill loads the dataset into the fakes one number at a time, so loading
// holds one number's data at most. A number's CRM records go in before
// its contacts, which never show up before what they match; the contacts
// are left for the fake Meta to generate when a sync delivers them.
func fill(seed int64, books []numberBook, graph *whatsapptest.Server, hub *hubspottest.Server, icom *intercomtest.Server) {
	generate(seed, books, loader{
		hubspot:  seedHubSpot(hub),
		intercom: seedIntercom(icom),
		number:   func(nb numberBook) { addBook(graph, nb) },
	})
}

// addBook gives the fake Meta a number and its address book, generated
// when a sync of the number delivers it.
func addBook(graph *whatsapptest.Server, nb numberBook) {
	graph.AddNumber(nb.number)
	if nb.book.size > 0 {
		graph.SetContactSource(nb.number.ID, nb.book.contacts)
	}
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// Config wires the backend to the fakes.
func (s *Sandbox) Config() backend.Config {
	return backend.Config{
		Mode:  backend.ModeSandbox,
		Store: s.db,
		WhatsApp: whatsapp.NewClient(whatsapp.Config{
			BaseURL: s.Graph.URL(), Token: graphToken, AppSecret: appSecret,
		}),
		WABAID: wabaID,
		CRMs: map[string]crm.Client{
			"hubspot": hubspot.New(hubspot.Config{BaseURL: s.HubSpot.URL, Token: hubspotToken, Account: account,
				GeneralInterval: s.opts.Window, SearchLag: s.opts.SearchLag, HTTP: loopbackHTTP(s.opts.RequestTimeout, s.HubSpot.WaitLoaded)}),
			"intercom": intercom.New(intercom.Config{BaseURL: s.Intercom.URL(), Token: intercomToken, Account: account,
				PerMinute: intercomtest.DefaultPerMinute, Window: s.opts.Window, SearchLag: s.opts.SearchLag, HTTP: loopbackHTTP(s.opts.RequestTimeout, s.Intercom.WaitLoaded)}),
		},
		OnChoose:  s.choose,
		Preparing: s.preparing,
	}
}

// recordLoad is how a CRM fake makes its records on first use.
type recordLoad interface {
	StartLoad()
	Loaded() bool
}

// crmFake is the fake of crmName and the name people know it by; nil for
// a CRM the sandbox does not serve.
func (s *Sandbox) crmFake(crmName string) (recordLoad, string) {
	switch crmName {
	case "hubspot":
		return s.HubSpot, "HubSpot"
	case "intercom":
		return s.Intercom, "Intercom"
	}
	return nil, ""
}

// choose starts generating the records of the CRM the agent chose, so a
// sized dataset's (a minute at a million contacts) is made while the
// contacts arrive rather than after the agent asks for the preview. The
// other CRM's stay ungenerated: holding both would cost memory.
func (s *Sandbox) choose(crmName string) {
	if fake, _ := s.crmFake(crmName); fake != nil {
		fake.StartLoad()
	}
}

// preparing says, while a sized sandbox is still making the records of
// crmName, that a plan waits for them: at a million contacts a number that
// takes about a minute, with nothing else to show.
func (s *Sandbox) preparing(crmName string) string {
	fake, name := s.crmFake(crmName)
	if fake == nil || fake.Loaded() {
		return ""
	}
	return "The sandbox is still making its " + name + " records (about a minute at a million contacts a number); " +
		"the plan reads them once they are ready."
}

// sandboxRequestTimeout is the sandbox clients' bound on one request.
const sandboxRequestTimeout = 5 * time.Second

// Close stops every server.
func (s *Sandbox) Close() {
	if s.hook != nil {
		s.hook.Close()
	}
	for _, c := range []interface{ Close() }{s.Graph, s.HubSpot, s.Intercom} {
		if c != nil {
			c.Close()
		}
	}
}
