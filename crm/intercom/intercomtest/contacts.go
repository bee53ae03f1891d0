package intercomtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"coexsync/crm/intercom"
)

// maxRequest bounds a request body the fake reads.
const maxRequest = 1 << 20

type searchBody struct {
	Query      json.RawMessage `json:"query"`
	Pagination *struct {
		PerPage       *int    `json:"per_page"`
		StartingAfter *string `json:"starting_after"`
	} `json:"pagination"`
}

func (s *Server) search(r *http.Request) answer {
	var body searchBody
	if a, ok := decodeBody(r, &body); !ok {
		return a
	}
	if len(body.Query) == 0 {
		return errorAnswer(http.StatusBadRequest, "parameter_not_found", "query is required", "query")
	}
	q, err := parseQuery(body.Query)
	if err != nil {
		return errorAnswer(http.StatusBadRequest, "parameter_invalid", err.Error(), "query")
	}
	s.setZone(q)
	perPage, after := intercom.DefaultPerPage, ""
	if p := body.Pagination; p != nil {
		if p.PerPage != nil {
			perPage = *p.PerPage
		}
		if p.StartingAfter != nil && *p.StartingAfter != "" {
			if after, err = decodeCursor(*p.StartingAfter); err != nil {
				return errorAnswer(http.StatusBadRequest, "parameter_invalid", "starting_after is not a valid cursor", "starting_after")
			}
		}
	}
	if perPage < 1 || perPage > intercom.MaxPerPage {
		return errorAnswer(http.StatusBadRequest, "parameter_invalid", fmt.Sprintf("per_page must be between 1 and %d", intercom.MaxPerPage), "per_page")
	}
	return s.page(q, perPage, after)
}

// page lists the search matches after the cursor id; a contact created
// through the API is not indexed until the search lag has passed.
func (s *Server) page(q *node, perPage int, after string) answer {
	now := time.Now()
	return s.pageWhere(perPage, after, func(c *record) bool {
		return !c.archived && !(c.viaAPI && now.Sub(c.times.created) < s.lag) && q.match(c)
	})
}

// pageWhere lists the contacts keep accepts after the cursor id, the way
// Intercom pages lists: contacts come in id order, so a cursor stays valid
// while contacts are added.
func (s *Server) pageWhere(perPage int, after string, keep func(*record) bool) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []any{}
	total, before, last, more := 0, 0, "", false
	// Contacts are in id order: those before from have an id <= after.
	from := sort.Search(len(s.contacts), func(i int) bool { return s.contacts[i].compareID(after) > 0 })
	for i, c := range s.contacts {
		if !keep(c) {
			continue
		}
		total++
		switch {
		case i < from:
			before++
		case len(data) < perPage:
			data = append(data, contactJSON(c))
			last = c.ID()
		default:
			more = true
		}
	}
	pages := map[string]any{
		"type": "pages", "page": before/perPage + 1, "per_page": perPage,
		"total_pages": (total + perPage - 1) / perPage,
	}
	if more {
		pages["next"] = map[string]any{"per_page": perPage, "starting_after": encodeCursor(last)}
	}
	return answer{http.StatusOK, map[string]any{"type": "list", "data": data, "total_count": total, "pages": pages}}
}

// Cursors are opaque to clients, as Intercom's are.
func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + id))
}

func decodeCursor(s string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), "after:") {
		return "", fmt.Errorf("bad cursor")
	}
	return strings.TrimPrefix(string(raw), "after:"), nil
}

type contactBody struct {
	Role       *string `json:"role"`
	Phone      *string `json:"phone"`
	Name       *string `json:"name"`
	Email      *string `json:"email"`
	ExternalID *string `json:"external_id"`
}

func (s *Server) create(r *http.Request) answer {
	var body contactBody
	if a, ok := decodeBody(r, &body); !ok {
		return a
	}
	if body.Role == nil && body.Email == nil && body.ExternalID == nil {
		return errorAnswer(http.StatusBadRequest, "parameter_not_found", "role, email or external_id is required", "role")
	}
	if a, ok := checkFields(body); !ok {
		return a
	}
	// A user needs an identity besides the phone; a lead does not.
	if body.Role != nil && *body.Role == "user" && empty(body.Email) && empty(body.ExternalID) {
		return errorAnswer(http.StatusBadRequest, "parameter_not_found", "A user requires an email or external_id", "")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if other := s.collision(body, ""); other != "" {
		return errorAnswer(http.StatusConflict, "conflict", "A contact matching those details already exists with id="+other, "")
	}
	now := time.Now()
	c := Contact{Role: "lead", CreatedAt: now, UpdatedAt: now, ViaAPI: true}
	apply(&c, body)
	return answer{http.StatusOK, contactJSON(s.insert(c, nil))}
}

func (s *Server) update(r *http.Request, id string) answer {
	var body contactBody
	if a, ok := decodeBody(r, &body); !ok {
		return a
	}
	if a, ok := checkFields(body); !ok {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.byID(id)
	if c == nil {
		return errorAnswer(http.StatusNotFound, "not_found", "User Not Found", "")
	}
	if other := s.collision(body, id); other != "" {
		return errorAnswer(http.StatusConflict, "conflict", "A contact matching those details already exists with id="+other, "")
	}
	fields := c.contact()
	apply(&fields, body)
	c.repack(fields)
	c.touch(time.Now())
	return answer{http.StatusOK, contactJSON(c)}
}

func empty(p *string) bool { return p == nil || strings.TrimSpace(*p) == "" }

// checkFields refuses a role or phone Intercom would not take.
func checkFields(b contactBody) (answer, bool) {
	if b.Role != nil && *b.Role != "user" && *b.Role != "lead" {
		return errorAnswer(http.StatusBadRequest, "parameter_invalid", "role must be user or lead", "role"), false
	}
	if b.Phone != nil && *b.Phone != "" && !plausiblePhone(*b.Phone) {
		return errorAnswer(http.StatusBadRequest, "parameter_invalid", "phone is not a valid phone number", "phone"), false
	}
	return answer{}, true
}

// plausiblePhone: 5 to 20 digits, written with + ( ) - . / and spaces.
func plausiblePhone(p string) bool {
	digits := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case !strings.ContainsRune("+()-./ ", r):
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

// collision is the id of another contact with the same email or
// external_id (phones may repeat). Callers hold s.mu.
func (s *Server) collision(b contactBody, self string) string {
	for _, c := range s.contacts {
		if (b.Email != nil && *b.Email != "" && strings.EqualFold(c.field(fieldEmail), *b.Email) ||
			b.ExternalID != nil && *b.ExternalID != "" && c.field(fieldExternalID) == *b.ExternalID) &&
			c.compareID(self) != 0 {
			return c.ID()
		}
	}
	return ""
}

func apply(c *Contact, b contactBody) {
	for _, f := range []struct {
		dst *string
		src *string
	}{{&c.Role, b.Role}, {&c.Phone, b.Phone}, {&c.Name, b.Name}, {&c.Email, b.Email}, {&c.ExternalID, b.ExternalID}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

// decodeBody reads a JSON object body or returns the 400 to send.
func decodeBody(r *http.Request, v any) (answer, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxRequest))
	if err != nil || json.Unmarshal(raw, v) != nil {
		return errorAnswer(http.StatusBadRequest, "parameter_invalid", "the request body is not a valid JSON object", ""), false
	}
	return answer{}, true
}

// contactJSON renders a contact the way Intercom does (the fields the
// spec lists that the fake knows; unknown values are null).
func contactJSON(c *record) map[string]any {
	return map[string]any{
		"type":              "contact",
		"id":                c.ID(),
		"workspace_id":      "fakews01",
		"external_id":       nullable(c.field(fieldExternalID)),
		"role":              c.field(fieldRole),
		"email":             c.field(fieldEmail),
		"phone":             nullable(c.field(fieldPhone)),
		"name":              nullable(c.field(fieldName)),
		"created_at":        c.times.created.Unix(),
		"updated_at":        c.times.updated.Unix(),
		"custom_attributes": map[string]any{},
		"location":          locationJSON(c),
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
