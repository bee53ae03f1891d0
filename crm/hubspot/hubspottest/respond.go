package hubspottest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"

	"coexsync/crm/hubspot"
)

const timeLayout = "2006-01-02T15:04:05.000Z"

func stamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// correlationID is a version-4 UUID drawn from the seeded source, so
// runs are reproducible. The caller holds mu.
func (s *Server) correlationID() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func (s *Server) newErrorBody(category, msg string, details []hubspot.ErrorDetail) hubspot.ErrorBody {
	s.mu.Lock()
	defer s.mu.Unlock()
	return hubspot.ErrorBody{Status: "error", Message: msg, CorrelationID: s.correlationID(), Category: category, Errors: details}
}

func (s *Server) writeError(w http.ResponseWriter, status int, category, msg string, details []hubspot.ErrorDetail) {
	writeJSON(w, status, s.newErrorBody(category, msg, details))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// object renders a contact as SimplePublicObject with the given
// properties (all when props is nil); absent properties are left out.
func object(c *contact, props []string) hubspot.Object {
	out := map[string]string{
		"hs_object_id":     strconv.FormatInt(c.id, 10),
		"createdate":       stamp(c.times.created),
		"lastmodifieddate": stamp(c.times.updated),
	}
	if props == nil {
		maps.Insert(out, c.props.all())
	}
	for _, p := range props {
		if v, ok := c.props.get(p); ok {
			out[p] = v
		}
	}
	return hubspot.Object{
		ID:         strconv.FormatInt(c.id, 10),
		Properties: out,
		CreatedAt:  stamp(c.times.created),
		UpdatedAt:  stamp(c.times.updated),
	}
}

// traceContext names an input of a batch: by its trace id when the
// client gave one, else by its index.
func traceContext(traceID string, index int) map[string][]string {
	if traceID != "" {
		return map[string][]string{hubspot.ContextTraceID: {traceID}}
	}
	return map[string][]string{"index": {strconv.Itoa(index)}}
}
