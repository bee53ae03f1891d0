package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// ServeOptions configure a long-lived sandbox (coexsync sandbox serve):
// the fakes outlive the coexsync processes that use them, so tests can
// kill a sync and start another against the same CRM state.
type ServeOptions struct {
	Seed     int64
	Contacts int // contacts per Business App number (0: the console's sizes)
	// SearchLag is how long a new CRM record stays out of search (0: none).
	SearchLag time.Duration
	// Window shrinks both CRMs' rate-limit windows, budgets unchanged
	// (0: the vendors' 10 s windows).
	Window time.Duration
	Host   string        // loopback host to listen on (default 127.0.0.1)
	Faults FaultsRequest // injected from the start
	// Webhook is where the fake Meta delivers contacts after a sync
	// request ("": nowhere; import contacts.json instead).
	Webhook string
}

// Service names, as the control API takes them.
const (
	ServiceGraph    = "graph"
	ServiceHubSpot  = "hubspot"
	ServiceIntercom = "intercom"
)

// Served is a running long-lived sandbox.
type Served struct {
	Graph    *whatsapptest.Server
	HubSpot  *hubspottest.Server
	Intercom *intercomtest.Server

	opts     ServeOptions
	creds    servedCreds
	books    []numberBook
	services map[string]*service
	holds    map[string]*createHold
	closed   chan struct{}
	once     sync.Once

	mu     sync.Mutex
	faults map[string]Faults
	lag    time.Duration

	// readings remembers how State read each phone value: tests poll
	// State many times a second while the records barely change, and
	// reading every number again each time kept a core busy.
	readings phoneReadings
}

// servedCreds are drawn fresh for each server: they open nothing else.
type servedCreds struct {
	graph, appSecret, verify, hubspot, intercom, account string
}

// Serve starts the fakes on loopback, loaded with the dataset of
// opts.Seed.
func Serve(opts ServeOptions) (*Served, error) {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if err := opts.Faults.check(); err != nil {
		return nil, err
	}
	books, err := layout(opts.Seed, opts.Contacts)
	if err != nil {
		return nil, err
	}
	s := &Served{
		opts: opts, books: books, closed: make(chan struct{}),
		creds: servedCreds{
			graph: secret("graph"), appSecret: secret("appsecret"), verify: secret("verify"),
			hubspot: secret("hubspot"), intercom: secret("intercom"), account: "sandbox-serve-" + secret("")[:8],
		},
		faults: map[string]Faults{}, lag: opts.SearchLag,
	}
	s.Graph = whatsapptest.New(whatsapptest.Options{Token: s.creds.graph, AppSecret: s.creds.appSecret, WABAID: wabaID, Seed: uint64(opts.Seed)})
	s.HubSpot = hubspottest.New(hubspottest.Options{Token: s.creds.hubspot, SearchLag: opts.SearchLag, Seed: opts.Seed, Window: opts.Window})
	s.Intercom = intercomtest.New(intercomtest.Options{Token: s.creds.intercom, SearchLag: opts.SearchLag, Seed: opts.Seed,
		Window: opts.Window, PerMinute: intercom.DefaultPerMinute})
	fill(opts.Seed, books, s.Graph, s.HubSpot, s.Intercom)
	if opts.Webhook != "" {
		s.Graph.SetWebhook(opts.Webhook)
	}
	s.holds = map[string]*createHold{
		ServiceHubSpot: newCreateHold(s.HubSpot, s.closed, func(r *http.Request) bool {
			return r.Method == http.MethodPost && r.URL.Path == hubspot.PathBatchCreate
		}),
		ServiceIntercom: newCreateHold(s.Intercom.Handler(), s.closed, func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == "/contacts"
		}),
	}
	s.services = map[string]*service{
		ServiceGraph:    {handler: s.Graph.Handler()},
		ServiceHubSpot:  {handler: s.holds[ServiceHubSpot]},
		ServiceIntercom: {handler: s.holds[ServiceIntercom]},
	}
	for _, name := range []string{ServiceGraph, ServiceHubSpot, ServiceIntercom} {
		if err := s.services[name].listen(net.JoinHostPort(opts.Host, "0")); err != nil {
			s.Close()
			return nil, fmt.Errorf("sandbox: %s: %w", name, err)
		}
	}
	if err := s.SetFaults(opts.Faults); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func secret(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	if prefix == "" {
		return hex.EncodeToString(b)
	}
	return "sbx-" + prefix + "-" + hex.EncodeToString(b)
}

// URL is where the named service listens.
func (s *Served) URL(service string) string { return s.services[service].url() }

// Env is the environment that points plain coexsync (not sandbox mode) at
// the fakes, in a stable order. It holds the fakes' tokens: write it to a
// private file, never to a log.
func (s *Served) Env() [][2]string {
	return [][2]string{
		{"GRAPH_API_URL", s.URL(ServiceGraph)},
		{"WABA_ID", wabaID},
		{"WHATSAPP_TOKEN", s.creds.graph},
		{"WHATSAPP_APP_SECRET", s.creds.appSecret},
		{"WHATSAPP_VERIFY_TOKEN", s.creds.verify},
		{"HUBSPOT_API_URL", s.URL(ServiceHubSpot)},
		{"HUBSPOT_TOKEN", s.creds.hubspot},
		{"INTERCOM_API_URL", s.URL(ServiceIntercom)},
		{"INTERCOM_TOKEN", s.creds.intercom},
		// A fresh label per server: a restarted server is an empty CRM
		// account, and the ledger must not think earlier records are there.
		{"COEXSYNC_CRM_ACCOUNT", s.creds.account},
	}
}

// Numbers are the WABA's numbers and the size of each address book.
func (s *Served) Numbers() []NumberInfo {
	out := make([]NumberInfo, len(s.books))
	for i, nb := range s.books {
		out[i] = NumberInfo{Number: nb.number, Contacts: nb.book.size}
	}
	return out
}

// NumberInfo is one number of the served WABA.
type NumberInfo struct {
	Number   whatsapp.PhoneNumber
	Contacts int
}

// payloadStart dates the saved contacts: fixed, so one seed always gives
// the same file and re-importing it changes nothing.
var payloadStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// WriteContacts writes every number's contacts as smb_app_state_sync
// webhook bodies, one per line: the file `coexsync import` takes. Each
// number's contacts are generated again here rather than kept all along.
func (s *Served) WriteContacts(w io.Writer) error {
	for _, nb := range s.books {
		if nb.book.size == 0 {
			continue
		}
		for _, body := range whatsapptest.WebhookBodies(wabaID, nb.number, nb.book.contacts(), 100, payloadStart) {
			if _, err := w.Write(append(body, '\n')); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetFaults replaces the faults of the CRM named in req (both when none)
// and, when given, the search lag.
func (s *Served) SetFaults(req FaultsRequest) error {
	if err := req.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range []string{ServiceHubSpot, ServiceIntercom} {
		if req.CRM != "" && req.CRM != name {
			continue
		}
		s.faults[name] = req.Faults
		s.holds[name].setDelay(time.Duration(req.SlowCreate))
		if name == ServiceHubSpot {
			s.HubSpot.SetFaults(req.Faults.hubspot())
		} else {
			s.Intercom.SetFaults(req.Faults.intercom())
		}
	}
	if req.SearchLag != nil {
		s.lag = time.Duration(*req.SearchLag)
		s.HubSpot.SetSearchLag(s.lag)
		s.Intercom.SetSearchLag(s.lag)
	}
	return nil
}

// SetDown takes services off the network (connections refused, open ones
// cut) or puts them back on the same address; no name means all three.
// State survives, and a create already being served still lands.
func (s *Served) SetDown(down bool, names ...string) error {
	if len(names) == 0 {
		names = []string{ServiceGraph, ServiceHubSpot, ServiceIntercom}
	}
	for _, name := range names {
		sv, ok := s.services[name]
		if !ok {
			return fmt.Errorf("no service %q (want graph, hubspot or intercom)", name)
		}
		if err := sv.setDown(down); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// Release lets every held slow create commit now and waits until they
// have, so a test needs no clock to see them land.
func (s *Served) Release(ctx context.Context) error {
	for _, name := range []string{ServiceHubSpot, ServiceIntercom} {
		if err := s.holds[name].releaseAll(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close stops everything; held creates are dropped.
func (s *Served) Close() {
	s.once.Do(func() {
		close(s.closed)
		for _, sv := range s.services {
			sv.setDown(true)
		}
		for _, c := range []interface{ Close() }{s.Graph, s.HubSpot, s.Intercom} {
			if c != nil {
				c.Close()
			}
		}
	})
}

// service is one fake on its own listener, with an outage switch.
type service struct {
	handler http.Handler

	mu   sync.Mutex
	addr string
	srv  *http.Server // nil while down
}

func (sv *service) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	sv.addr = ln.Addr().String()
	sv.srv = &http.Server{Handler: sv.handler, ReadHeaderTimeout: 10 * time.Second}
	go sv.srv.Serve(ln)
	return nil
}

func (sv *service) url() string {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return "http://" + sv.addr
}

func (sv *service) isDown() bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.srv == nil
}

func (sv *service) setDown(down bool) error {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	switch {
	case down == (sv.srv == nil):
		return nil
	case down:
		// Close, not Shutdown: an outage cuts connections mid-request.
		// Handlers still running finish, so a held create lands.
		err := sv.srv.Close()
		sv.srv = nil
		return err
	}
	return sv.listen(sv.addr) // the same port: clients keep their URL
}

// createHold delays creates on their way to a fake: each is held for the
// delay, then served even when the client has given up or been killed, so
// it commits then (the fakes commit whatever the request's context says).
// A held create that then draws a timeout fault is lost with its client,
// as a timed-out request is.
type createHold struct {
	next     http.Handler
	isCreate func(*http.Request) bool
	closed   <-chan struct{}

	mu      sync.Mutex
	delay   time.Duration
	release chan struct{} // closed by releaseAll, then replaced
	held    int
}

// maxHeldBody bounds the create body kept while it is held.
const maxHeldBody = 4 << 20

func newCreateHold(next http.Handler, closed <-chan struct{}, isCreate func(*http.Request) bool) *createHold {
	return &createHold{next: next, isCreate: isCreate, closed: closed, release: make(chan struct{})}
}

func (h *createHold) setDelay(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.delay = d
}

func (h *createHold) heldNow() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held
}

func (h *createHold) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	delay, release := h.delay, h.release
	h.mu.Unlock()
	if delay <= 0 || !h.isCreate(r) {
		h.next.ServeHTTP(w, r)
		return
	}
	// Read the body first: once the client hangs up, what it sent is gone.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxHeldBody))
	if err != nil {
		return // the client left before the request was whole: nothing to commit
	}
	h.mu.Lock()
	h.held++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.held--
		h.mu.Unlock()
	}()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-release:
	case <-h.closed:
		return
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	h.next.ServeHTTP(w, r)
}

// releaseAll ends the wait of every held create and returns once they
// have all been served.
func (h *createHold) releaseAll(ctx context.Context) error {
	h.mu.Lock()
	close(h.release)
	h.release = make(chan struct{})
	h.mu.Unlock()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for h.heldNow() > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("held creates still committing: %w", ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}
