package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"coexsync/crm/hubspot"
)

// defaultSearchLimit is HubSpot's page size when limit is left out.
const defaultSearchLimit = 10

func (s *Server) handleSearch(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req hubspot.SearchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, "Invalid input JSON: "+err.Error(), nil)
		return
	}
	offset, msg := checkSearch(&req)
	if msg != "" {
		s.writeError(w, http.StatusBadRequest, hubspot.CategoryValidation, msg, nil)
		return
	}
	matches := sortMatches(s.match(req.FilterGroups, time.Now()), req.Sorts)
	resp := hubspot.SearchResponse{Total: len(matches), Results: []hubspot.Object{}}
	end := min(offset+req.Limit, len(matches))
	for i := min(offset, end); i < end; i++ {
		resp.Results = append(resp.Results, object(&matches[i], req.Properties))
	}
	if end < len(matches) && end < hubspot.MaxSearchResults {
		next := strconv.Itoa(end)
		resp.Paging = &hubspot.Paging{Next: &hubspot.NextPage{After: next}}
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkSearch enforces HubSpot's search limits and returns the offset the
// after cursor stands for, or a message saying what is wrong.
func checkSearch(req *hubspot.SearchRequest) (int, string) {
	if len(req.FilterGroups) > hubspot.MaxFilterGroups {
		return 0, fmt.Sprintf("Too many filter groups (%d); the limit is %d", len(req.FilterGroups), hubspot.MaxFilterGroups)
	}
	total := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) == 0 || len(g.Filters) > hubspot.MaxFiltersPerGroup {
			return 0, fmt.Sprintf("A filter group must hold 1 to %d filters", hubspot.MaxFiltersPerGroup)
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if msg := checkFilter(f); msg != "" {
				return 0, msg
			}
		}
	}
	if total > hubspot.MaxFiltersTotal {
		return 0, fmt.Sprintf("Too many filters (%d); the limit is %d", total, hubspot.MaxFiltersTotal)
	}
	if req.Limit == 0 {
		req.Limit = defaultSearchLimit
	}
	if req.Limit < 0 || req.Limit > hubspot.MaxSearchLimit {
		return 0, fmt.Sprintf("limit must be 1 to %d", hubspot.MaxSearchLimit)
	}
	offset := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			return 0, "after is not a valid paging cursor"
		}
		offset = n
	}
	if offset+req.Limit > hubspot.MaxSearchResults {
		return 0, fmt.Sprintf("Paging beyond %d results is not allowed", hubspot.MaxSearchResults)
	}
	return offset, ""
}

func checkFilter(f hubspot.Filter) string {
	switch f.Operator {
	case hubspot.OpEQ, hubspot.OpHasProperty:
		return ""
	case hubspot.OpIN:
		if len(f.Values) == 0 || len(f.Values) > hubspot.MaxInValues {
			return fmt.Sprintf("IN on %s needs 1 to %d values, got %d", f.PropertyName, hubspot.MaxInValues, len(f.Values))
		}
		return ""
	case hubspot.OpGT, hubspot.OpGTE, hubspot.OpLT, hubspot.OpLTE:
		return checkRange(f)
	}
	return "operator " + f.Operator + " is not supported by this fake"
}

// match returns the searchable contacts matching any group, in id order.
// They are copies: the answer is rendered after mu is released, and a
// write meanwhile replaces a record's props and times, never changes them.
func (s *Server) match(groups []hubspot.FilterGroup, now time.Time) []contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []contact
	for _, c := range s.contacts {
		if c == nil || now.Before(c.times.visibleAt) || c.archived() {
			continue
		}
		if len(groups) == 0 || anyGroup(groups, c) {
			out = append(out, *c)
		}
	}
	return out
}

func anyGroup(groups []hubspot.FilterGroup, c *contact) bool {
	for _, g := range groups {
		all := true
		for _, f := range g.Filters {
			if !filterMatches(f, propValue(c, f.PropertyName)) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// filterMatches compares as HubSpot does for string properties: exact
// value, ignoring case.
func filterMatches(f hubspot.Filter, value string) bool {
	switch f.Operator {
	case hubspot.OpHasProperty:
		return value != ""
	case hubspot.OpEQ:
		return value != "" && strings.EqualFold(value, f.Value)
	case hubspot.OpIN:
		for _, v := range f.Values {
			if value != "" && strings.EqualFold(value, v) {
				return true
			}
		}
	case hubspot.OpGT, hubspot.OpGTE, hubspot.OpLT, hubspot.OpLTE:
		return rangeMatches(f, value)
	}
	return false
}
