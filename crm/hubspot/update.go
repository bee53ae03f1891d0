package hubspot

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"coexsync/crm"
)

// SetNames implements crm.Client with batch/update. Only the name fields
// given are written; the engine calls it only for records without a name.
func (c *Client) SetNames(ctx context.Context, updates []crm.NameUpdate) ([]crm.ItemResult, error) {
	results := make([]crm.ItemResult, len(updates))
	props := make([]map[string]string, len(updates))
	byID := map[string]int{}
	var send []int
	for i, u := range updates {
		results[i].Ref = u.Ref
		id := strings.TrimSpace(u.ID)
		props[i] = nameProperties(u)
		switch _, dup := byID[id]; {
		case id == "":
			results[i].Err = itemFailure(crm.ReasonValidation, "no HubSpot record id to update")
		case len(props[i]) == 0:
			results[i].Err = itemFailure(crm.ReasonValidation, "no name to write")
		case dup:
			// HubSpot refuses a batch naming one record twice.
			results[i].Err = itemFailure(crm.ReasonValidation, "the same record is already in this batch")
		default:
			byID[id] = i
			send = append(send, i)
		}
	}
	b := &batch{
		c:       c,
		ep:      epUpdate,
		results: results,
		byID:    byID,
		body: func(pos []int) any {
			req := BatchUpdateRequest{Inputs: make([]UpdateInput, len(pos))}
			for k, p := range pos {
				req.Inputs[k] = UpdateInput{ID: strings.TrimSpace(updates[p].ID), Properties: props[p], ObjectWriteTraceID: strconv.Itoa(p)}
			}
			return req
		},
		locate: func(o Object, open []int) (int, bool) {
			p, ok := byID[o.ID]
			return p, ok && slices.Contains(open, p)
		},
	}
	return b.run(ctx, send)
}

// nameProperties writes the explicit first/last names when given, else
// the display name split into first and last.
func nameProperties(u crm.NameUpdate) map[string]string {
	first, last := crm.CleanText(u.FirstName), crm.CleanText(u.LastName)
	if first == "" && last == "" {
		first, last = crm.SplitName(u.Name, "")
	}
	props := map[string]string{}
	setIf(props, PropFirstName, first)
	setIf(props, PropLastName, last)
	return props
}
