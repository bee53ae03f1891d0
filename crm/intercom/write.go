package intercom

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"coexsync/crm"
)

type createRequest struct {
	Role       string `json:"role"`
	Phone      string `json:"phone"`
	Name       string `json:"name,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// ExternalIDPrefix starts the external_id given to a contact created with
// role user: Intercom refuses a user without email or external_id, and a
// WhatsApp contact has only its number. The prefix keeps these ids apart
// from the workspace's own user ids.
const ExternalIDPrefix = "whatsapp:"

// externalID is the external_id of a user created for the E.164 number.
func externalID(e164 string) string { return ExternalIDPrefix + e164 }

type updateRequest struct {
	Name string `json:"name"`
}

// Create pipelines single POST /contacts calls (Intercom has no bulk
// create). A 409 comes back with a conflict reason and, when it can be
// found, the id of the contact that already exists.
func (c *Client) Create(ctx context.Context, contacts []crm.NewContact) ([]crm.ItemResult, error) {
	return pipeline(ctx, c, contacts, CreateBatch, func(nc crm.NewContact) string { return nc.Ref }, c.createOne)
}

func (c *Client) createOne(ctx context.Context, nc crm.NewContact) crm.ItemResult {
	if !isE164(nc.Phone) {
		return crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonInvalidPhone, Message: "phone is not E.164"}}
	}
	body := createRequest{Role: c.cfg.Role, Phone: nc.Phone, Name: displayName(nc.Name, nc.FirstName, nc.LastName)}
	if c.cfg.Role == RoleUser {
		body.ExternalID = externalID(nc.Phone)
	}
	var out contactJSON
	err := c.call(context.WithValue(ctx, createRefKey{}, nc.Ref), "create", http.MethodPost, "/contacts", body, &out, notProcessed)
	if err == nil {
		return contactResult(out)
	}
	ce := itemError(err)
	if ce.Reason == crm.ReasonConflict {
		return crm.ItemResult{ExistingID: c.existingID(ctx, ce.Message, nc.Phone), Err: ce}
	}
	return crm.ItemResult{Err: ce}
}

// createRefKey marks a create's context with its ref, so every attempt
// can be announced to crm.BeforeSend right before it is sent.
type createRefKey struct{}

// SetNames pipelines PUT /contacts/{id} calls writing only the name.
func (c *Client) SetNames(ctx context.Context, updates []crm.NameUpdate) ([]crm.ItemResult, error) {
	return pipeline(ctx, c, updates, UpdateBatch, func(u crm.NameUpdate) string { return u.Ref }, c.setName)
}

func (c *Client) setName(ctx context.Context, u crm.NameUpdate) crm.ItemResult {
	name := displayName(u.Name, u.FirstName, u.LastName)
	switch {
	case u.ID == "":
		return crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonValidation, Message: "no record id"}}
	case name == "":
		// Never blank a name: an empty write would erase what the CRM holds.
		return crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonValidation, Message: "no name to write"}}
	}
	var out contactJSON
	// A name update is idempotent, so any temporary failure may be retried.
	err := c.call(ctx, "update", http.MethodPut, "/contacts/"+url.PathEscape(u.ID), updateRequest{Name: name}, &out, anyTemporary)
	if err != nil {
		return crm.ItemResult{Err: itemError(err)}
	}
	return contactResult(out)
}

// contactResult checks a contact answer really names a contact.
func contactResult(out contactJSON) crm.ItemResult {
	if out.ID == "" || out.Type != "contact" {
		return crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "answer is not a contact"}}
	}
	return crm.ItemResult{ID: out.ID}
}

// conflictID finds the id Intercom puts in a 409 message
// ("A contact matching those details already exists with id=…").
var conflictID = regexp.MustCompile(`\bid=([0-9A-Za-z_-]{1,64})`)

// existingID is the contact a create collided with: the id in the 409
// message, else a contact found under the same phone, else "".
func (c *Client) existingID(ctx context.Context, message, phone string) string {
	if m := conflictID.FindStringSubmatch(message); m != nil {
		return m[1]
	}
	records, err := c.FindByPhones(ctx, []string{phone})
	if err != nil {
		return ""
	}
	spellings := PhoneSpellings(phone)
	for _, r := range records {
		for _, p := range r.Phones {
			if slices.Contains(spellings, strings.TrimSpace(p)) {
				return r.ID
			}
		}
	}
	return ""
}

// displayName is the one name Intercom holds: the WhatsApp display name,
// else the parts it was given.
func displayName(name, first, last string) string {
	if n := strings.TrimSpace(name); n != "" {
		return n
	}
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}
