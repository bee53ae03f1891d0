package hubspottest

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"coexsync/crm/hubspot"
)

// Endpoint names of the listing operations, for Calls and Arrivals.
const (
	EndpointList    = "list"
	EndpointRead    = "batch/read"
	EndpointArchive = "batch/archive"
)

// defaultListLimit is HubSpot's list page size when limit is left out.
const defaultListLimit = 10

// ReadMissing is how batch/read reports ids it does not find. HubSpot's
// documented answer is a 207 naming them; whether it ever leaves them out
// silently is unverified, so the fake can do both.
type ReadMissing int

const (
	// ReadMissingErrors answers 207 with an OBJECT_NOT_FOUND error naming
	// the ids (the default).
	ReadMissingErrors ReadMissing = iota
	// ReadMissingAbsent answers 200 with the found records only.
	ReadMissingAbsent
)

// listing is the fake's state for the list endpoints. The caller holds mu.
type listing struct {
	readMissing ReadMissing
	arrivals    map[string][]time.Time
}

// listRoute picks the handler of a listing request and notes every
// request's arrival; it returns a nil handler for the other operations.
func (s *Server) listRoute(r *http.Request) (string, func(http.ResponseWriter, *http.Request, []byte)) {
	var endpoint string
	var handle func(http.ResponseWriter, *http.Request, []byte)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == hubspot.PathList:
		endpoint, handle = EndpointList, s.handleList
	case r.Method == http.MethodPost && r.URL.Path == hubspot.PathBatchRead:
		endpoint, handle = EndpointRead, s.handleRead
	case r.Method == http.MethodPost && r.URL.Path == hubspot.PathBatchArchive:
		endpoint, handle = EndpointArchive, s.handleArchive
	case r.URL.Path == hubspot.PathSearch:
		endpoint = EndpointSearch
	case r.URL.Path == hubspot.PathBatchCreate:
		endpoint = EndpointCreate
	case r.URL.Path == hubspot.PathBatchUpdate:
		endpoint = EndpointUpdate
	}
	if endpoint != "" {
		s.mu.Lock()
		if s.listing.arrivals == nil {
			s.listing.arrivals = map[string][]time.Time{}
		}
		s.listing.arrivals[endpoint] = append(s.listing.arrivals[endpoint], time.Now())
		s.mu.Unlock()
	}
	return endpoint, handle
}

// Arrivals returns when requests to the given endpoints (all when none
// are named) reached the fake, throttled ones included, in order.
func (s *Server) Arrivals(endpoints ...string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for name, ts := range s.listing.arrivals {
		if len(endpoints) == 0 || slices.Contains(endpoints, name) {
			out = append(out, ts...)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// SetReadMissing chooses how batch/read reports ids it does not find.
func (s *Server) SetReadMissing(m ReadMissing) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listing.readMissing = m
}

// Record is a contact to seed with everything the index reads: raw phone
// values in any phone property, a country, and a modification time.
type Record struct {
	FirstName, LastName string
	Phone, Mobile       string
	WhatsApp            string // hs_whatsapp_phone_number
	Country             string // free text, as HubSpot keeps it
	// Created and Modified are createdate and lastmodifieddate (zero: now).
	Created, Modified time.Time
	Archived          bool
	// Properties are any other properties, stored as given.
	Properties map[string]string
}

// SeedRecords loads records, searchable at once (unless archived), with
// HubSpot's calculated phone properties, and returns their ids.
func (s *Server) SeedRecords(records ...Record) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	ids := make([]string, len(records))
	var st *stamps
	for i, rec := range records {
		props := maps.Clone(rec.Properties)
		if props == nil {
			props = map[string]string{}
		}
		setNonEmpty(props, hubspot.PropFirstName, rec.FirstName)
		setNonEmpty(props, hubspot.PropLastName, rec.LastName)
		setNonEmpty(props, hubspot.PropPhone, rec.Phone)
		setNonEmpty(props, hubspot.PropMobile, rec.Mobile)
		setNonEmpty(props, hubspot.PropWhatsAppPhone, rec.WhatsApp)
		setNonEmpty(props, hubspot.PropCountry, rec.Country)
		st = recordStamps(rec, st, now)
		c := s.add(props, st)
		ids[i] = strconv.FormatInt(c.id, 10)
	}
	return ids
}

// recordStamps are the times of a record seeded now: now, unless the
// record brings its own. They are last's when equal, so records seeded
// together share them.
func recordStamps(rec Record, last *stamps, now time.Time) *stamps {
	st := stamps{created: now, updated: now, visibleAt: now}
	if !rec.Created.IsZero() {
		st.created = rec.Created
	}
	if !rec.Modified.IsZero() {
		st.updated = rec.Modified
	}
	if rec.Archived {
		st.archived = now
	}
	if last != nil && *last == st {
		return last
	}
	return &st
}

// Modify sets properties of a record as an edit in HubSpot would, at the
// given time (zero: now): calculated phones follow, lastmodifieddate moves.
func (s *Server) Modify(id string, props map[string]string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contact(parseID(id))
	if c == nil {
		return false
	}
	s.write(c, props)
	if at.IsZero() {
		at = time.Now()
	}
	c.restamp(func(st *stamps) { st.updated = at })
	return true
}

// Archive archives records, as batch/archive does.
func (s *Server) Archive(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.archive(ids, time.Now())
}

// Purge deletes records for good (GDPR delete): no endpoint sees them again.
func (s *Server) Purge(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if n := parseID(id); s.contact(n) != nil {
			s.contacts[n-firstID] = nil // ids are never given again
		}
	}
}

// IsArchived reports whether a record exists and is archived.
func (s *Server) IsArchived(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contact(parseID(id))
	return c != nil && c.archived()
}

// archive marks the records archived; the caller holds mu.
func (s *Server) archive(ids []string, now time.Time) {
	for _, id := range ids {
		if c := s.contact(parseID(id)); c != nil && !c.archived() {
			c.restamp(func(st *stamps) { st.archived = now })
		}
	}
}

func parseID(id string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// handleList serves GET /crm/v3/objects/contacts: records of one archived
// state in id order; the after cursor is the id to start from.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	limit := defaultListLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > hubspot.MaxListLimit {
			s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, fmt.Sprintf("limit must be 1 to %d", hubspot.MaxListLimit), nil)
			return
		}
		limit = n
	}
	archived, ok := boolParam(q, "archived")
	if !ok {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "archived must be true or false", nil)
		return
	}
	from := int64(0)
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "after is not a valid paging cursor", nil)
			return
		}
		from = n
	}
	props := listProperties(q)

	s.mu.Lock()
	defer s.mu.Unlock()
	resp := struct {
		Results []hubspot.Object `json:"results"`
		Paging  *hubspot.Paging  `json:"paging,omitempty"`
	}{Results: make([]hubspot.Object, 0, limit)}
	for _, c := range s.contacts[min(max(from-firstID, 0), int64(len(s.contacts))):] {
		if c == nil || c.archived() != archived {
			continue
		}
		if len(resp.Results) == limit {
			next := strconv.FormatInt(c.id, 10)
			resp.Paging = &hubspot.Paging{Next: &hubspot.NextPage{After: next}}
			break
		}
		resp.Results = append(resp.Results, renderObject(c, props))
	}
	writeJSON(w, http.StatusOK, resp)
}

// listProperties reads properties given comma-separated, repeated, or
// both; nil (all) when none are asked for.
func listProperties(q url.Values) []string {
	var out []string
	for _, v := range q["properties"] {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func boolParam(q url.Values, name string) (value, ok bool) {
	switch q.Get(name) {
	case "", "false":
		return false, true
	case "true":
		return true, true
	}
	return false, false
}

// renderObject is object plus the archived state.
func renderObject(c *contact, props []string) hubspot.Object {
	o := object(c, props)
	if c.archived() {
		o.Archived, o.ArchivedAt = true, stamp(c.times.archived)
	}
	return o
}

const notFoundMessage = "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid."

// handleRead serves batch/read: records of the archived state asked for;
// the others are missing (see ReadMissing).
func (s *Server) handleRead(w http.ResponseWriter, r *http.Request, body []byte) {
	var req hubspot.BatchReadRequest
	if !s.decodeBatch(w, body, &req, func() int { return len(req.Inputs) }) {
		return
	}
	archived, ok := boolParam(r.URL.Query(), "archived")
	if !ok {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "archived must be true or false", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	results := []hubspot.Object{}
	var missing []string
	for _, in := range req.Inputs {
		c := s.contact(parseID(in.ID))
		if c == nil || c.archived() != archived {
			missing = append(missing, in.ID)
			continue
		}
		results = append(results, renderObject(c, req.Properties))
	}
	var errs []hubspot.StandardError
	if len(missing) > 0 && s.listing.readMissing == ReadMissingErrors {
		errs = append(errs, standardError(hubspot.CategoryNotFound, notFoundMessage, map[string][]string{hubspot.ContextIDs: missing}))
	}
	s.writeBatch(w, http.StatusOK, results, errs, now)
}

// handleArchive serves batch/archive: 204 whether or not the ids exist,
// as archiving is idempotent.
func (s *Server) handleArchive(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req hubspot.BatchIDsRequest
	if !s.decodeBatch(w, body, &req, func() int { return len(req.Inputs) }) {
		return
	}
	ids := make([]string, len(req.Inputs))
	for i, in := range req.Inputs {
		ids[i] = in.ID
	}
	s.mu.Lock()
	s.archive(ids, time.Now())
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// propValue is a property as search compares it: the stored value, or
// the record's own stamps for the properties HubSpot maintains.
func propValue(c *contact, name string) string {
	switch name {
	case hubspot.PropLastModifiedDate:
		return stamp(c.times.updated)
	case "createdate":
		return stamp(c.times.created)
	case "hs_object_id":
		return strconv.FormatInt(c.id, 10)
	}
	return c.props.value(name)
}

// orderValue reads a value for range filters and sorts: a number, an
// epoch in milliseconds, or an ISO 8601 time (as milliseconds).
func orderValue(v string) (float64, bool) {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		return n, true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return float64(t.UnixMilli()), true
	}
	return 0, false
}

func checkRange(f hubspot.Filter) string {
	if _, ok := orderValue(f.Value); !ok {
		return fmt.Sprintf("%s on %s needs a number or a date, got %q", f.Operator, f.PropertyName, f.Value)
	}
	return ""
}

func rangeMatches(f hubspot.Filter, value string) bool {
	v, ok := orderValue(value)
	w, _ := orderValue(f.Value)
	if !ok {
		return false
	}
	switch f.Operator {
	case hubspot.OpGT:
		return v > w
	case hubspot.OpGTE:
		return v >= w
	case hubspot.OpLT:
		return v < w
	}
	return v <= w
}

// sortMatches orders search results by the first sort (HubSpot takes
// one), ties by id; without a sort they stay in id order.
func sortMatches(cs []contact, sorts []hubspot.Sort) []contact {
	if len(sorts) == 0 || sorts[0].PropertyName == "" {
		return cs
	}
	srt := sorts[0]
	desc := strings.EqualFold(srt.Direction, hubspot.SortDescending)
	compare := func(a, b contact) int {
		if srt.PropertyName == hubspot.PropLastModifiedDate {
			return a.times.updated.Compare(b.times.updated)
		}
		x, y := propValue(&a, srt.PropertyName), propValue(&b, srt.PropertyName)
		xn, okx := orderValue(x)
		yn, oky := orderValue(y)
		if okx && oky {
			switch {
			case xn < yn:
				return -1
			case xn > yn:
				return 1
			}
			return 0
		}
		return strings.Compare(strings.ToLower(x), strings.ToLower(y))
	}
	slices.SortStableFunc(cs, func(a, b contact) int {
		n := compare(a, b)
		if desc {
			n = -n
		}
		if n == 0 {
			return cmp.Compare(a.id, b.id)
		}
		return n
	})
	return cs
}
