// Package hubspottest is an in-process fake of HubSpot's CRM contacts v3
// API for tests and the sandbox: the documented paths and JSON, the
// search and general rate limits with real-shaped 429s and headers,
// search-index lag, HubSpot's calculated phone properties, and fault
// injection driven by a seeded random source.
package hubspottest

import (
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"

	"coexsync/crm/hubspot"
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

	opts Options
	http *httptest.Server

	mu        sync.Mutex
	rng       *rand.Rand
	contacts  map[int64]*contact
	nextID    int64
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

type contact struct {
	id        int64
	props     map[string]string
	created   time.Time
	updated   time.Time
	visibleAt time.Time // search sees it from then on
	byAPI     bool      // created through batch/create, not Seed
	archived  time.Time // when archived; zero while active (see list.go)
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
		opts:     opts,
		rng:      rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed)),
		contacts: map[int64]*contact{},
		nextID:   1001,
		calls:    map[string]int{},
		done:     make(chan struct{}),
	}
	s.http = httptest.NewServer(s)
	s.URL = s.http.URL
	return s
}

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
	for i, rec := range records {
		props := map[string]string{}
		setNonEmpty(props, hubspot.PropFirstName, rec.FirstName)
		setNonEmpty(props, hubspot.PropLastName, rec.LastName)
		setNonEmpty(props, hubspot.PropPhone, rec.Phone)
		setNonEmpty(props, hubspot.PropMobile, rec.Mobile)
		setNonEmpty(props, hubspot.PropWhatsAppPhone, rec.WhatsApp)
		c := s.add(props, now)
		c.visibleAt = now
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
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Contact, 0, len(s.contacts))
	for _, c := range s.contacts {
		out = append(out, Contact{ID: strconv.FormatInt(c.id, 10), Properties: maps.Clone(c.props), CreatedByAPI: c.byAPI})
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out
}

func idLess(a, b string) bool {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x < y
}

// add stores a contact; the caller holds mu.
func (s *Server) add(props map[string]string, now time.Time) *contact {
	c := &contact{id: s.nextID, props: props, created: now, updated: now}
	s.nextID++
	s.calculate(c.props)
	s.contacts[c.id] = c
	return c
}

func setNonEmpty(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}
