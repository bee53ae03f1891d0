package hubspot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"coexsync/crm"
)

// FindByPhones implements crm.Client: one search (plus its pages) per
// MaxInValues numbers, ORing one filter group per phone property. Records
// come back once each, with their phones as stored.
func (c *Client) FindByPhones(ctx context.Context, e164s []string) ([]crm.Record, error) {
	seen := map[string]bool{}
	var out []crm.Record
	for start := 0; start < len(e164s); start += MaxInValues {
		chunk := e164s[start:min(start+MaxInValues, len(e164s))]
		objs, err := c.searchPhones(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if o.ID == "" || seen[o.ID] {
				continue
			}
			seen[o.ID] = true
			out = append(out, c.record(o))
		}
	}
	return out, nil
}

// searchPhones pages through one search. When more contacts match than
// one query may page through, the numbers are split in two and each half
// searched on its own.
func (c *Client) searchPhones(ctx context.Context, e164s []string) ([]Object, error) {
	groups := phoneFilterGroups(e164s)
	if len(groups) == 0 {
		return nil, nil
	}
	req := SearchRequest{
		FilterGroups: groups,
		Properties:   recordProperties,
		Sorts:        []Sort{},
		Limit:        MaxSearchLimit,
		After:        "0",
	}
	var all []Object
	for {
		var page SearchResponse
		status, apiErr, err := c.post(ctx, epSearch, req, &page)
		if err != nil {
			return nil, err
		}
		if apiErr != nil {
			return nil, c.callError(status, apiErr)
		}
		if page.Total > MaxSearchResults {
			return c.searchHalves(ctx, e164s, page.Total)
		}
		all = append(all, page.Results...)
		next := ""
		if page.Paging != nil && page.Paging.Next != nil {
			next = page.Paging.Next.After
		}
		if next == "" || len(page.Results) == 0 {
			return all, nil
		}
		if next == req.After {
			return nil, &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "search paging did not advance"}
		}
		req.After = next
	}
}

func (c *Client) searchHalves(ctx context.Context, e164s []string, total int) ([]Object, error) {
	if len(e164s) < 2 {
		return nil, &crm.Error{Reason: crm.ReasonValidation,
			Message: fmt.Sprintf("%d HubSpot contacts match one number, more than a search can list (%d)", total, MaxSearchResults)}
	}
	half := len(e164s) / 2
	a, err := c.searchPhones(ctx, e164s[:half])
	if err != nil {
		return nil, err
	}
	b, err := c.searchPhones(ctx, e164s[half:])
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// record converts a contact. Names are cleaned (they came from outside);
// phones are returned exactly as stored for the caller to normalize.
func (c *Client) record(o Object) crm.Record {
	r := crm.Record{
		ID:        o.ID,
		FirstName: crm.CleanText(o.Properties[PropFirstName]),
		LastName:  crm.CleanText(o.Properties[PropLastName]),
	}
	r.Name = strings.TrimSpace(r.FirstName + " " + r.LastName)
	r.Country = crm.CleanText(o.Properties[PropCountry])
	seen := map[string]bool{}
	for _, p := range phoneProperties {
		v := o.Properties[p]
		if strings.TrimSpace(v) == "" || seen[v] {
			continue
		}
		seen[v] = true
		r.Phones = append(r.Phones, v)
	}
	return r
}

// callError turns a whole-call 4xx answer into a *crm.Error.
func (c *Client) callError(status int, eb *ErrorBody) *crm.Error {
	return &crm.Error{Reason: reasonOf(status, eb.Category, eb.Message, eb.Errors), Status: status, Message: eb.Message}
}

// reasonOf maps HubSpot's status, category, message and error codes to a
// reason. A refused phone arrives as a VALIDATION_ERROR whose message
// embeds the detail ('Property values were not valid: [{…"error":
// "INVALID_PHONE_NUMBER"…}]'), so the code is looked for there too; it
// is an error code, not prose, and is not translated.
func reasonOf(status int, category, message string, details []ErrorDetail) crm.Reason {
	if strings.Contains(message, CodeInvalidPhone) {
		return crm.ReasonInvalidPhone
	}
	for _, d := range details {
		if d.Code == CodeInvalidPhone || strings.Contains(strings.ToUpper(d.Message), CodeInvalidPhone) {
			return crm.ReasonInvalidPhone
		}
	}
	switch {
	case category == CategoryConflict || status == 409:
		return crm.ReasonConflict
	case category == CategoryNotFound || status == 404:
		return crm.ReasonNotFound
	case category == CategoryRateLimits:
		return crm.ReasonRateLimited
	}
	return crm.ReasonValidation
}

// existingID reads the id HubSpot names in a conflict message
// ("Contact already exists. Existing ID: 12345").
func existingID(msg string) string {
	const marker = "Existing ID:"
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	rest := strings.TrimSpace(msg[i+len(marker):])
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if _, err := strconv.ParseUint(rest[:end], 10, 64); err != nil {
		return ""
	}
	return rest[:end]
}
