package intercom

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"coexsync/crm"
)

// Search request shapes (POST /contacts/search).
type (
	searchFilter struct {
		Field    string   `json:"field"`
		Operator string   `json:"operator"`
		Value    []string `json:"value"`
	}
	searchGroup struct {
		Operator string         `json:"operator"`
		Value    []searchFilter `json:"value"`
	}
	pagination struct {
		PerPage       int    `json:"per_page"`
		StartingAfter string `json:"starting_after,omitempty"`
	}
	searchRequest struct {
		Query      searchGroup `json:"query"`
		Pagination pagination  `json:"pagination"`
	}
)

// Response shapes: only what the sync needs.
type (
	contactJSON struct {
		Type     string  `json:"type"`
		ID       string  `json:"id"`
		Name     *string `json:"name"`
		Phone    *string `json:"phone"`
		Location *struct {
			Country *string `json:"country"`
		} `json:"location"`
	}
	contactList struct {
		Type  string        `json:"type"`
		Data  []contactJSON `json:"data"`
		Pages *struct {
			Next *struct {
				StartingAfter *string `json:"starting_after"`
			} `json:"next"`
		} `json:"pages"`
	}
)

// FindByPhones searches the phone field for every spelling of the numbers
// (see PhoneVariants) and follows the pages to the end.
func (c *Client) FindByPhones(ctx context.Context, e164 []string) ([]crm.Record, error) {
	if len(e164) > FindBatch {
		return nil, &crm.Error{Reason: crm.ReasonValidation, Message: fmt.Sprintf("%d numbers in one search, at most %d", len(e164), FindBatch)}
	}
	query, err := phoneQuery(e164)
	if err != nil || len(query.Value) == 0 {
		return nil, err
	}
	req := searchRequest{Query: query, Pagination: pagination{PerPage: MaxPerPage}}
	var records []crm.Record
	seenIDs := map[string]bool{}
	seenCursors := map[string]bool{}
	for {
		var page contactList
		if err := c.call(ctx, "search", http.MethodPost, "/contacts/search", req, &page, anyTemporary); err != nil {
			return nil, err
		}
		if page.Type != "list" {
			return nil, &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "search answer is not a list"}
		}
		for _, ct := range page.Data {
			if ct.ID == "" {
				return nil, &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "contact without id"}
			}
			if !seenIDs[ct.ID] {
				seenIDs[ct.ID] = true
				records = append(records, toRecord(ct))
			}
		}
		next := nextCursor(page)
		if next == "" {
			return records, nil
		}
		if seenCursors[next] {
			return nil, &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "search paging repeats a cursor"}
		}
		seenCursors[next] = true
		req.Pagination.StartingAfter = next
	}
}

func nextCursor(page contactList) string {
	if page.Pages == nil || page.Pages.Next == nil || page.Pages.Next.StartingAfter == nil {
		return ""
	}
	return *page.Pages.Next.StartingAfter
}

func toRecord(ct contactJSON) crm.Record {
	r := crm.Record{ID: ct.ID}
	if ct.Name != nil {
		r.Name = *ct.Name
	}
	if ct.Phone != nil && *ct.Phone != "" {
		r.Phones = []string{*ct.Phone}
	}
	if ct.Location != nil && ct.Location.Country != nil {
		r.Country = crm.CleanText(*ct.Location.Country)
	}
	return r
}

// phoneQuery is one OR group of "phone IN […]" filters holding every
// variant of every number, MaxInValues per filter.
func phoneQuery(e164 []string) (searchGroup, error) {
	var values []string
	seen := map[string]bool{}
	for i, n := range e164 {
		if !isE164(n) {
			return searchGroup{}, &crm.Error{Reason: crm.ReasonValidation, Message: fmt.Sprintf("number %d is not E.164", i+1)}
		}
		for _, v := range PhoneSpellings(n) {
			if !seen[v] {
				seen[v] = true
				values = append(values, v)
			}
		}
	}
	q := searchGroup{Operator: "OR"}
	for len(values) > 0 {
		n := min(len(values), MaxInValues)
		q.Value = append(q.Value, searchFilter{Field: "phone", Operator: "IN", Value: values[:n:n]})
		values = values[n:]
	}
	return q, nil
}

// PhoneSpellings are the ways an E.164 number is commonly stored in
// Intercom's free-text phone field: as E.164, as bare digits, and in the
// international and national formats of its region (at most PhoneVariants).
// A national spelling may belong to another country: callers re-normalize.
func PhoneSpellings(e164 string) []string {
	out := []string{e164, strings.TrimPrefix(e164, "+")}
	if num, err := phonenumbers.Parse(e164, ""); err == nil {
		for _, f := range []phonenumbers.PhoneNumberFormat{phonenumbers.INTERNATIONAL, phonenumbers.NATIONAL} {
			if s := phonenumbers.Format(num, f); s != "" && s != out[0] && s != out[1] {
				out = append(out, s)
			}
		}
	}
	return out
}

// isE164 checks the shape only: "+" then 2 to 15 digits, no leading zero.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
