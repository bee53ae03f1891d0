// Package whatsapptest is a fake Meta Graph API on loopback: it lists a
// WABA's phone numbers with cursor paging, accepts the one-time Business
// App contact sync request, and then delivers the contacts as signed
// smb_app_state_sync webhooks, as Meta does. Faults are injectable and
// seeded so tests stay deterministic.
package whatsapptest

import (
	"context"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"coexsync/whatsapp"
)

// Options configure a fake.
type Options struct {
	Token     string // the only token accepted; empty accepts any bearer token
	AppSecret string // when set, calls need appsecret_proof; webhooks are signed with it
	WABAID    string // default "100000000000001"
	Version   string // default whatsapp.DefaultVersion
	PageSize  int    // phone numbers per page; default 2 so paging is exercised
	// ContactsPerPost is how many contacts one webhook body carries (100).
	ContactsPerPost int
	// DeliveryAttempts is how often a webhook POST is tried until it gets
	// a 200 (3); RetryDelay is the pause between tries (10 ms).
	DeliveryAttempts int
	RetryDelay       time.Duration
	Seed             uint64 // seeds fault injection
	// Now is the clock webhook timestamps start from (time.Now).
	Now func() time.Time
}

// Contact is one Business App contact of a number.
type Contact struct {
	Phone, UserID, Username, FullName, FirstName string
	Action                                       string // "add" (default) or "remove"
}

// Endpoint names used by Calls.
const (
	CallPhoneNumbers = "phone_numbers"
	CallSyncRequest  = "smb_app_data"
	CallWebhook      = "webhook" // delivery attempts, not Graph calls
	CallOther        = "other"
)

// Server is a running fake Graph API.
type Server struct {
	opts   Options
	srv    *httptest.Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // webhook deliveries in flight
	hook   *http.Client

	mu         sync.Mutex
	numbers    []whatsapp.PhoneNumber
	contacts   map[string]func() []Contact // number id → its address book
	syncState  map[string]string           // number id → "requested" | "expired"
	webhookURL string
	faults     Faults
	rng        *rand.Rand
	calls      map[string]int
	delivered  int
	failed     int
	closed     bool // no delivery starts once Close began
	requests   int
	subs       subscriptionState // subscriptions.go
}

// New starts a fake on 127.0.0.1.
func New(opts Options) *Server {
	if opts.WABAID == "" {
		opts.WABAID = "100000000000001"
	}
	if opts.Version == "" {
		opts.Version = whatsapp.DefaultVersion
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 2
	}
	if opts.ContactsPerPost <= 0 {
		opts.ContactsPerPost = 100
	}
	if opts.DeliveryAttempts <= 0 {
		opts.DeliveryAttempts = 3
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 10 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:      opts,
		contacts:  map[string]func() []Contact{},
		syncState: map[string]string{},
		calls:     map[string]int{},
		rng:       rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		hook:      &http.Client{Timeout: 5 * time.Second},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the base URL to give whatsapp.Config.BaseURL.
func (s *Server) URL() string { return s.srv.URL }

// WABAID is the account the fake serves.
func (s *Server) WABAID() string { return s.opts.WABAID }

// Close stops deliveries and the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.srv.Close()
}

// AddNumber adds a phone number to the WABA.
func (s *Server) AddNumber(n whatsapp.PhoneNumber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.numbers = append(s.numbers, n)
}

// SetContacts sets the Business App contacts a sync of the number delivers.
func (s *Server) SetContacts(phoneNumberID string, contacts []Contact) {
	kept := append([]Contact(nil), contacts...)
	s.SetContactSource(phoneNumberID, func() []Contact { return kept })
}

// SetContactSource makes a sync of the number deliver what source returns,
// called once the sync starts delivering. A large address book then costs
// nothing until it is delivered, and nothing once it has been: source can
// generate it (SampleContacts is deterministic) instead of holding it.
func (s *Server) SetContactSource(phoneNumberID string, source func() []Contact) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contacts[phoneNumberID] = source
}

// SetWebhook sets where signed webhooks are POSTed.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

// ExpireSyncWindow makes the number's 24 h sync window pass unused.
func (s *Server) ExpireSyncWindow(phoneNumberID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.syncState[phoneNumberID] == "" {
		s.syncState[phoneNumberID] = "expired"
	}
}

// Calls counts requests per endpoint (refused ones included).
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Delivered counts webhook bodies that got a 200.
func (s *Server) Delivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered
}

// Undelivered counts webhook bodies given up after every attempt failed.
func (s *Server) Undelivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// WaitDelivered waits until every started delivery succeeded or gave up.
func (s *Server) WaitDelivered(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serve routes /{version}/{id}/{edge} after checking credentials.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.serveSubscriptions(w, r) {
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	call := CallOther
	if len(parts) == 3 && (parts[2] == CallPhoneNumbers || parts[2] == CallSyncRequest) {
		call = parts[2]
	}
	s.count(call)
	if refusal := s.checkAuth(r); refusal != nil {
		refusal.write(w)
		return
	}
	if fault := s.injectFault(); fault != nil {
		fault.write(w)
		return
	}
	switch {
	case call == CallOther || parts[0] != s.opts.Version:
		unknownPath(r.URL.Path).write(w)
	case call == CallPhoneNumbers && r.Method == http.MethodGet:
		s.phoneNumbers(w, r, parts[1])
	case call == CallSyncRequest && r.Method == http.MethodPost:
		s.syncRequest(w, r, parts[1])
	default:
		unknownPath(r.URL.Path).write(w)
	}
}

func (s *Server) count(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[call]++
}
