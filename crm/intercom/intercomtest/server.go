// Package intercomtest is an in-process fake of the Intercom REST API
// (2.14) on loopback: contact search, create and update with Intercom's
// JSON shapes, rate-limit headers and 429 bodies, search limits, search
// index lag, messy stored phones and switchable fault injection.
//
// Decisions where Intercom is silent:
//   - Phone search compares the stored text exactly (no normalization), so
//     "+1 (415) 555 2671" is only found under that very spelling.
//   - Phones are not unique: two creates with one phone make two contacts
//     (this is why the engine, not Intercom, must prevent duplicates).
//     Only email and external_id collide, with a 409 naming the other id.
//   - A created phone must hold 5 to 20 digits and only + ( ) - . / and
//     spaces; anything else is a 400 on field "phone". Seeded data may hold
//     anything, as a real account does.
package intercomtest

import (
	"context"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"time"

	"coexsync/crm/intercom"
	"coexsync/internal/firstuse"
)

// DefaultPerMinute is the fake's budget unless Options says otherwise:
// smaller than a private app's so tests meet the limit quickly.
const DefaultPerMinute = 1000

// Options configure a Server. Zero values take defaults.
type Options struct {
	Token     string        // the only accepted bearer token
	PerMinute int           // budget per minute (default DefaultPerMinute)
	Window    time.Duration // enforcement window (default intercom.RateWindow)
	SearchLag time.Duration // how long a new contact stays out of search
	Seed      int64         // seeds fault injection, for repeatable runs
}

// Contact is a stored contact as the fake holds it.
type Contact struct {
	ID         string
	Role       string // "lead" or "user"
	Name       string // "" when the contact has no name
	Phone      string // exactly as stored, "" when none
	Email      string
	ExternalID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ViaAPI     bool   // created through POST /contacts (not seeded)
	Country    string // location.country, "" when unknown
	Archived   bool   // archived contacts leave the list and search
}

// Server is the running fake.
type Server struct {
	opts     Options
	ts       *httptest.Server
	closed   chan struct{} // releases handlers that hang on purpose
	firstUse firstuse.Load // see LoadOnFirstRequest

	mu       sync.Mutex
	contacts []*record // ascending id, which is creation order
	nextID   uint64
	seeded   *times // the times of seeded contacts that bring none
	calls    map[string]int
	limited  int // 429s from the budget itself (not injected)
	window   int64
	used     int
	lag      time.Duration
	faults   Faults
	rng      *rand.Rand
	started  time.Time
	listing  listing // state of the list endpoints (list.go)
}

// New starts a fake on 127.0.0.1.
func New(opts Options) *Server {
	if opts.PerMinute <= 0 {
		opts.PerMinute = DefaultPerMinute
	}
	if opts.Window <= 0 {
		opts.Window = intercom.RateWindow
	}
	s := &Server{
		opts:    opts,
		closed:  make(chan struct{}),
		calls:   map[string]int{},
		lag:     opts.SearchLag,
		rng:     rand.New(rand.NewPCG(uint64(opts.Seed), 0x1c)),
		started: time.Now(),
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the base URL to give the client.
func (s *Server) URL() string { return s.ts.URL }

// LoadOnFirstRequest has load run once, before the first request the fake
// serves (or the first look at its records): a sandbox sized for a demo
// holds a CRM's records only once that CRM is used.
func (s *Server) LoadOnFirstRequest(load func()) { s.firstUse.Set(load) }

// WaitLoaded starts the load LoadOnFirstRequest set, if nothing did yet,
// and waits for it to end or for ctx: a client that bounds each request
// waits here first, so that a long load is not taken for a hung request.
func (s *Server) WaitLoaded(ctx context.Context) error { return s.firstUse.Wait(ctx) }

// StartLoad starts, in the background, the load LoadOnFirstRequest set,
// if nothing started it yet: a sandbox whose agent chose this CRM
// generates its records while the contacts are still arriving.
func (s *Server) StartLoad() { s.firstUse.Start() }

// Loaded reports whether no load is left to run before a request.
func (s *Server) Loaded() bool { return s.firstUse.Done() }

// Close releases hanging handlers and stops the server.
func (s *Server) Close() {
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.ts.Close()
}

// Budget is the number of calls allowed per window.
func (s *Server) Budget() int { return intercom.WindowBudget(s.opts.PerMinute) }

// Window is the enforcement window.
func (s *Server) Window() time.Duration { return s.opts.Window }

// Seed stores contacts as an existing account holds them, searchable at
// once. Empty ids are assigned; the ids are returned in order.
func (s *Server) Seed(contacts ...Contact) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(contacts))
	for i, c := range contacts {
		c.ViaAPI = false
		if c.Role == "" {
			c.Role = "lead"
		}
		var st *times // from c
		if c.CreatedAt.IsZero() {
			st = s.seededTimes()
		}
		ids[i] = s.insert(c, st).ID()
	}
	return ids
}

// seededTimes are the times of a seeded contact that brings none, a day
// before the fake started; every such contact shares them. Callers hold mu.
func (s *Server) seededTimes() *times {
	if s.seeded == nil {
		at := s.started.Add(-24 * time.Hour)
		s.seeded = &times{at, at}
	}
	return s.seeded
}

// insert stores c under a new id unless it has one; st are its times,
// nil to take c's. Callers hold mu.
func (s *Server) insert(c Contact, st *times) *record {
	var seq uint64
	if c.ID == "" {
		s.nextID++
		seq = s.nextID
	}
	r := newRecord(c, seq, st)
	id := r.ID()
	at, found := s.find(id)
	if found { // re-seeding an id replaces it
		*s.contacts[at] = *r
		return s.contacts[at]
	}
	s.contacts = slices.Insert(s.contacts, at, r)
	return r
}

// find is where id is or would be in s.contacts. Callers hold mu.
func (s *Server) find(id string) (int, bool) {
	at := sort.Search(len(s.contacts), func(i int) bool { return s.contacts[i].compareID(id) >= 0 })
	return at, at < len(s.contacts) && s.contacts[at].compareID(id) == 0
}

// byID is the contact of id, nil when there is none. Callers hold mu.
func (s *Server) byID(id string) *record {
	if at, ok := s.find(id); ok {
		return s.contacts[at]
	}
	return nil
}

// Records is a snapshot of every contact, in id order.
func (s *Server) Records() []Contact {
	s.firstUse.Run()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Contact, len(s.contacts))
	for i, c := range s.contacts {
		out[i] = c.contact()
	}
	return out
}

// Calls counts requests by endpoint: "search", "create", "update", "other".
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// RateLimited counts the 429s the budget produced (injected ones are not
// counted): a client that paces itself keeps it at zero.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// SetSearchLag changes how long new contacts stay out of search.
func (s *Server) SetSearchLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag = d
}

// SetFaults switches fault injection; the zero Faults turns it off.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}
