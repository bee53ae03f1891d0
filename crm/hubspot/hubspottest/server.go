// Package hubspottest is an in-process fake of HubSpot's CRM contacts v3
// API for tests and the sandbox: the documented paths and JSON, the
// search and general rate limits with real-shaped 429s and headers,
// search-index lag, HubSpot's calculated phone properties, and fault
// injection driven by a seeded random source.
package hubspottest

import (
	"context"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"coexsync/crm/hubspot"
	"coexsync/internal/firstuse"
)

// Options configures a fake account. Zero fields take HubSpot's defaults.
type Options struct {
	Token           string        // the bearer token accepted ("" accepts any)
	GeneralPer10s   int           // general budget per Window (default 100)
	SearchPerSecond int           // search budget per SearchWindow (default 4)
	Window          time.Duration // general window (default 10 s; tests shrink it)
	SearchWindow    time.Duration // search window (default 1 s)
	DailyLimit      int           // calls per day before DAILY 429s (0: none)
	SearchLag       time.Duration // a created contact is searchable after this
	Seed            int64         // seeds faults, ids of errors and result order
	DefaultRegion   string        // the account's country for numbers without '+' (default US)
	// ValidatePhones is the account setting that refuses phone values
	// that are not valid numbers (HubSpot then stores them as E.164).
	ValidatePhones bool
	// UniquePhones makes a create conflict with a contact that already
	// holds the number, as a unique custom property would.
	UniquePhones bool
	// PerItemErrors answers conflicts and invalid phones of batch/create
	// per item (207, each error naming its input's trace id) instead of
	// failing the whole batch as the real API was seen to. The spec
	// documents a 207 for batch/create but no published answer shows
	// which errors produce one, so clients are tested against both.
	PerItemErrors bool
	// NoAccountRegion leaves calculated phones empty for a national number
	// on a record without a country, as HubSpot does; by default the
	// account's DefaultRegion places it.
	NoAccountRegion bool
	// OnThrottle is called on every 429 the limits (not faults) cause;
	// tests use it to fail on any 429 in a normal run.
	OnThrottle func(policy string)
}

// Server is a running fake.
type Server struct {
	URL string

	opts     Options
	http     *httptest.Server
	firstUse firstuse.Load // see LoadOnFirstRequest

	mu        sync.Mutex
	rng       *rand.Rand
	contacts  []*contact // by id - firstID; nil once purged
	calls     map[string]int
	throttled int
	faults    Faults
	general   []time.Time // arrivals in the general window
	search    []time.Time // arrivals in the search window
	daily     int
	done      chan struct{} // closed by Close: releases hanging handlers
	closeOnce sync.Once
	listing   listing // state of the list endpoints (list.go)
}

// firstID is the id of the first record; ids rise by one from there.
const firstID = 1001

type contact struct {
	id    int64
	props props
	times *stamps
	byAPI bool // created through batch/create, not Seed
}

// stamps are a record's times. Records written together share one, and a
// change gives the record a changed copy: a seeded account's records cost
// one pointer for their times instead of four times each.
type stamps struct {
	created   time.Time
	updated   time.Time
	visibleAt time.Time // search sees it from then on
	archived  time.Time // when archived; zero while active (see list.go)
}

// restamp gives c a copy of its stamps changed by change.
func (c *contact) restamp(change func(*stamps)) {
	st := *c.times
	change(&st)
	c.times = &st
}

func (c *contact) archived() bool { return !c.times.archived.IsZero() }

// contact returns the record of id, nil when there is none; the caller
// holds mu.
func (s *Server) contact(id int64) *contact {
	if i := id - firstID; i >= 0 && i < int64(len(s.contacts)) {
		return s.contacts[i]
	}
	return nil
}

// New starts a fake on a loopback port. Close it when done.
func New(opts Options) *Server {
	if opts.GeneralPer10s <= 0 {
		opts.GeneralPer10s = hubspot.GeneralPer10s
	}
	if opts.SearchPerSecond <= 0 {
		opts.SearchPerSecond = hubspot.SearchPerSecond
	}
	if opts.Window <= 0 {
		opts.Window = hubspot.GeneralInterval
	}
	if opts.SearchWindow <= 0 {
		opts.SearchWindow = hubspot.SearchInterval
	}
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "US"
	}
	s := &Server{
		opts:  opts,
		rng:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
		calls: map[string]int{},
		done:  make(chan struct{}),
	}
	s.http = httptest.NewServer(s)
	s.URL = s.http.URL
	return s
}

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

// Close stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.http.Close()
}

// Endpoint names used by Calls.
const (
	EndpointSearch = "search"
	EndpointCreate = "batch/create"
	EndpointUpdate = "batch/update"
)

// ServeHTTP routes the three operations the client uses.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.firstUse.Run()
	var endpoint string
	var handle func(w http.ResponseWriter, r *http.Request, body []byte)
	if endpoint, handle = s.listRoute(r); handle != nil {
		s.serve(w, r, endpoint, handle)
		return
	}
	switch r.URL.Path {
	case hubspot.PathSearch:
		endpoint, handle = EndpointSearch, s.handleSearch
	case hubspot.PathBatchCreate:
		endpoint, handle = EndpointCreate, s.handleCreate
	case hubspot.PathBatchUpdate:
		endpoint, handle = EndpointUpdate, s.handleUpdate
	default:
		s.writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No route for "+r.Method+" "+r.URL.Path, nil)
		return
	}
	if r.Method != http.MethodPost {
		s.writeError(w, http.StatusMethodNotAllowed, "VALIDATION_ERROR", "Method not allowed", nil)
		return
	}
	s.serve(w, r, endpoint, handle)
}

// Calls returns how many requests each endpoint received.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Throttled is the number of 429s the limits (not faults) caused.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// SetSearchLag changes the lag for contacts created from now on.
func (s *Server) SetSearchLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.SearchLag = d
}

// SeedContact is a contact as a real account may hold it: free-text
// phones, maybe no name.
type SeedContact struct {
	FirstName, LastName string
	Phone, Mobile       string
	WhatsApp            string // hs_whatsapp_phone_number
}

// Seed loads contacts, searchable at once, and returns their ids.
func (s *Server) Seed(records ...SeedContact) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(records))
	now := time.Now()
	st := &stamps{created: now, updated: now, visibleAt: now}
	for i, rec := range records {
		props := map[string]string{}
		setNonEmpty(props, hubspot.PropFirstName, rec.FirstName)
		setNonEmpty(props, hubspot.PropLastName, rec.LastName)
		setNonEmpty(props, hubspot.PropPhone, rec.Phone)
		setNonEmpty(props, hubspot.PropMobile, rec.Mobile)
		setNonEmpty(props, hubspot.PropWhatsAppPhone, rec.WhatsApp)
		c := s.add(props, st)
		ids[i] = strconv.FormatInt(c.id, 10)
	}
	return ids
}

// Contact is a snapshot of one stored contact.
type Contact struct {
	ID           string
	Properties   map[string]string // stored and calculated properties
	CreatedByAPI bool              // made through batch/create
}

// Records returns every contact, in id order.
func (s *Server) Records() []Contact {
	s.firstUse.Run()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Contact, 0, len(s.contacts))
	for _, c := range s.contacts {
		if c != nil {
			out = append(out, Contact{ID: strconv.FormatInt(c.id, 10), Properties: c.props.toMap(), CreatedByAPI: c.byAPI})
		}
	}
	return out
}

// add stores a contact under the next id with HubSpot's calculated
// phones; the caller holds mu.
func (s *Server) add(props map[string]string, st *stamps) *contact {
	s.calculate(props)
	c := &contact{id: firstID + int64(len(s.contacts)), props: packProps(props), times: st}
	s.contacts = append(s.contacts, c)
	return c
}

func setNonEmpty(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}
