package intercom

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"coexsync/crm"
)

// ArchiveBatch is how many ids one Archive call takes (one request each,
// pipelined like creates).
const ArchiveBatch = UpdateBatch

// archivedJSON is contact_archived: a contact reference and the flag.
type archivedJSON struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Archived *bool  `json:"archived"`
}

// Archive pipelines POST /contacts/{id}/archive calls (Intercom archives
// one contact per call) and returns one result per id, in input order
// (Ref is the id as given, ID the id archived). An id Intercom does not
// know answers 404: that item fails with crm.ReasonNotFound (the contact
// is deleted, or archived already). Archiving is idempotent, so every
// temporary failure may be retried.
func (c *Client) Archive(ctx context.Context, ids []string) ([]crm.ItemResult, error) {
	return pipeline(ctx, c, ids, ArchiveBatch, func(id string) string { return id }, c.archiveOne)
}

func (c *Client) archiveOne(ctx context.Context, raw string) crm.ItemResult {
	id := strings.TrimSpace(raw)
	if id == "" {
		return crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonValidation, Message: "no contact id to archive"}}
	}
	var out archivedJSON
	err := c.call(ctx, "archive", http.MethodPost, "/contacts/"+url.PathEscape(id)+"/archive", nil, &out, anyTemporary)
	switch {
	case err != nil:
		return crm.ItemResult{Err: itemError(err)}
	case out.Type != "" && out.Type != "contact", out.ID != "" && out.ID != id, out.Archived != nil && !*out.Archived:
		return crm.ItemResult{Err: &crm.Error{Reason: crm.ReasonBadResponse, Status: http.StatusOK, Message: "the answer does not say the contact was archived"}}
	}
	return crm.ItemResult{ID: id}
}
