package intercomtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"coexsync/crm/intercom"
)

// listing is the fake's state for the listing endpoints. Callers hold mu.
type listing struct {
	// archivedReadable makes GET /contacts/{id} answer an archived contact
	// (the contact model has no archived field); by default it is a 404.
	// Which one Intercom does is unverified.
	archivedReadable bool
	tz               *time.Location // the workspace's time zone (default UTC)
}

// SetArchivedReadable chooses whether an archived contact can still be
// read by id (true) or answers 404 (false, the default).
func (s *Server) SetArchivedReadable(readable bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listing.archivedReadable = readable
}

// SetTimezone sets the workspace time zone, where search days begin.
func (s *Server) SetTimezone(tz *time.Location) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listing.tz = tz
}

// Touch sets a contact's updated_at, as an edit in Intercom would.
func (s *Server) Touch(id string, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.byID(id)
	if c != nil {
		c.touch(at)
	}
	return c != nil
}

// Archive archives contacts, as POST /contacts/{id}/archive does.
func (s *Server) Archive(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if c := s.byID(id); c != nil {
			c.archived = true
		}
	}
}

// Delete deletes contacts for good, as DELETE /contacts/{id} does.
func (s *Server) Delete(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.remove(id)
	}
}

// remove drops a contact; callers hold mu.
func (s *Server) remove(id string) bool {
	at, ok := s.find(id)
	if ok {
		s.contacts = slices.Delete(s.contacts, at, at+1)
	}
	return ok
}

// listRoute names the listing endpoints: "list", "read", "archive",
// "delete".
func listRoute(method, p string) (endpoint, id string, ok bool) {
	if p == "/contacts" && method == http.MethodGet {
		return "list", "", true
	}
	rest, found := strings.CutPrefix(p, "/contacts/")
	if !found || rest == "" {
		return "", "", false
	}
	if id, ok := strings.CutSuffix(rest, "/archive"); ok && method == http.MethodPost && !strings.Contains(id, "/") {
		return "archive", id, true
	}
	if strings.Contains(rest, "/") || rest == "search" {
		return "", "", false
	}
	switch method {
	case http.MethodGet:
		return "read", rest, true
	case http.MethodDelete:
		return "delete", rest, true
	}
	return "", "", false
}

// handleListing answers the listing endpoints; ok is false for others.
func (s *Server) handleListing(r *http.Request, endpoint, id string) (answer, bool) {
	switch endpoint {
	case "list":
		return s.list(r), true
	case "read":
		return s.read(id), true
	case "archive", "delete":
		if s.denyWrites() {
			return errorAnswer(http.StatusForbidden, "token_unauthorized", "Token does not have the permission to write contacts", ""), true
		}
		return s.archiveOrDelete(endpoint, id), true
	}
	return answer{}, false
}

// list serves GET /contacts: every unarchived contact in id order (no
// search lag: the list reads the store, not the search index).
func (s *Server) list(r *http.Request) answer {
	q := r.URL.Query()
	perPage := intercom.DefaultPerPage
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > intercom.MaxPerPage {
			return errorAnswer(http.StatusBadRequest, "parameter_invalid", fmt.Sprintf("per_page must be between 1 and %d", intercom.MaxPerPage), "per_page")
		}
		perPage = n
	}
	after := ""
	if v := q.Get("starting_after"); v != "" {
		var err error
		if after, err = decodeCursor(v); err != nil {
			return errorAnswer(http.StatusBadRequest, "parameter_invalid", "starting_after is not a valid cursor", "starting_after")
		}
	}
	return s.pageWhere(perPage, after, func(c *record) bool { return !c.archived })
}

func (s *Server) read(id string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.byID(id)
	if c == nil || c.archived && !s.listing.archivedReadable {
		return errorAnswer(http.StatusNotFound, "not_found", "User Not Found", "")
	}
	return answer{http.StatusOK, contactJSON(c)}
}

func (s *Server) archiveOrDelete(endpoint, id string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.byID(id)
	if c == nil {
		return errorAnswer(http.StatusNotFound, "not_found", "User Not Found", "")
	}
	ref := map[string]any{"type": "contact", "id": c.ID(), "external_id": nullable(c.field(fieldExternalID))}
	if endpoint == "archive" {
		c.archived = true
		ref["archived"] = true
	} else {
		s.remove(id)
		ref["deleted"] = true
	}
	return answer{http.StatusOK, ref}
}

func locationJSON(c *record) map[string]any {
	return map[string]any{"type": "location", "country": nullable(c.field(fieldCountry)), "region": nil, "city": nil}
}

// dateFields are the timestamp fields the fake can search.
var dateFields = map[string]func(*record) time.Time{
	"created_at": func(c *record) time.Time { return c.times.created },
	"updated_at": func(c *record) time.Time { return c.times.updated },
}

// parseDateFilter compiles a date filter as Intercom's search reads one:
// only =, > and <, compared by calendar day in the workspace's time zone
// (">" matches from the start of the next day, "<" before the start of
// the day, "=" the whole day).
func parseDateFilter(field, op string, raw json.RawMessage) (*node, error) {
	if op != "=" && op != ">" && op != "<" {
		return nil, queryError(fmt.Sprintf("operator %.10q is not supported on date field %s", op, field))
	}
	v, ok := scalar(raw)
	secs, err := strconv.ParseInt(v, 10, 64)
	if !ok || err != nil {
		return nil, queryError(fmt.Sprintf("field %s takes a UNIX timestamp", field))
	}
	at := dateFields[field]
	n := &node{op: op, field: field, filter: true}
	n.date = func(c *record, tz *time.Location) bool {
		d := time.Unix(secs, 0).In(tz)
		start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, tz)
		next := start.AddDate(0, 0, 1)
		t := at(c)
		switch op {
		case ">":
			return !t.Before(next)
		case "<":
			return t.Before(start)
		}
		return !t.Before(start) && t.Before(next)
	}
	return n, nil
}

// setZone gives the date filters of q the workspace's time zone.
func (s *Server) setZone(q *node) {
	s.mu.Lock()
	tz := s.listing.tz
	s.mu.Unlock()
	if tz == nil {
		tz = time.UTC
	}
	var walk func(n *node)
	walk = func(n *node) {
		n.tz = tz
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(q)
}
