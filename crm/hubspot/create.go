package hubspot

import (
	"context"
	"strconv"
	"strings"

	"coexsync/crm"
)

// Create implements crm.Client with batch/create. Items without a phone,
// or repeating a phone already in the batch, fail without being sent:
// HubSpot does not promise the order of its answer, and two inputs with
// one number could not be told apart.
func (c *Client) Create(ctx context.Context, contacts []crm.NewContact) ([]crm.ItemResult, error) {
	results := make([]crm.ItemResult, len(contacts))
	firstWith := map[string]int{}
	var send []int
	for i, nc := range contacts {
		results[i].Ref = nc.Ref
		phone := strings.TrimSpace(nc.Phone)
		if phone == "" {
			results[i].Err = itemFailure(crm.ReasonValidation, "no phone number to create the contact with")
			continue
		}
		if _, dup := firstWith[phone]; dup {
			results[i].Err = itemFailure(crm.ReasonValidation, "the same phone number is already in this batch")
			continue
		}
		firstWith[phone] = i
		send = append(send, i)
	}
	b := &batch{
		c:       c,
		ep:      epCreate,
		results: results,
		body: func(pos []int) any {
			req := BatchCreateRequest{Inputs: make([]CreateInput, len(pos))}
			for k, p := range pos {
				req.Inputs[k] = CreateInput{
					Properties:         c.createProperties(contacts[p]),
					Associations:       []any{},
					ObjectWriteTraceID: strconv.Itoa(p),
				}
			}
			return req
		},
		locate: func(o Object, open []int) (int, bool) {
			return byPhone(o, open, contacts)
		},
		holder: func(ctx context.Context, id string, open []int) (int, bool) {
			return c.holderOf(ctx, id, open, contacts)
		},
	}
	return b.run(ctx, send)
}

// holderOf reads the record a whole-batch 409 names and returns the one
// open input whose phone it holds. One read is far cheaper than halving
// a batch of 100 until the duplicate stands alone; when the read fails
// or the phones do not single out one input, the caller bisects.
func (c *Client) holderOf(ctx context.Context, id string, open []int, contacts []crm.NewContact) (int, bool) {
	recs, err := c.ReadByIDs(ctx, []string{id})
	if err != nil || len(recs) != 1 {
		return 0, false
	}
	held := map[string]bool{}
	for _, pv := range recs[0].Phones {
		for _, v := range []string{pv.Raw, pv.Calculated} {
			if d := digitsOf(v); d != "" {
				held[d] = true
			}
		}
	}
	match, n := 0, 0
	for _, p := range open {
		if held[digitsOf(contacts[p].Phone)] {
			match, n = p, n+1
		}
	}
	return match, n == 1
}

func (c *Client) createProperties(nc crm.NewContact) map[string]string {
	phone := strings.TrimSpace(nc.Phone)
	props := map[string]string{PropPhone: phone}
	first, last := strings.TrimSpace(nc.FirstName), strings.TrimSpace(nc.LastName)
	if last == "" {
		first, last = crm.SplitName(nc.Name, first)
	}
	setIf(props, PropFirstName, crm.CleanText(first))
	setIf(props, PropLastName, crm.CleanText(last))
	if c.cfg.SetWhatsAppProperty {
		props[PropWhatsAppPhone] = phone
	}
	return props
}

// byPhone matches a created contact to the one open input with its phone
// (exactly, or by digits when HubSpot reformatted it).
func byPhone(o Object, open []int, contacts []crm.NewContact) (int, bool) {
	got := o.Properties[PropPhone]
	match, n := 0, 0
	for _, p := range open {
		want := strings.TrimSpace(contacts[p].Phone)
		if got == want || (digitsOf(got) != "" && digitsOf(got) == digitsOf(want)) {
			match, n = p, n+1
		}
	}
	return match, n == 1
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func setIf(m map[string]string, key, value string) {
	if value != "" {
		m[key] = value
	}
}
