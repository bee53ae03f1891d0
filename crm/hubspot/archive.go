package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"coexsync/crm"
)

// epArchive is batch/archive. Archiving is idempotent at HubSpot (an id
// archived twice, or unknown, still answers 204), yet the endpoint is not
// marked idempotent here: the shared post decodes every 2xx answer as
// JSON, and batch/archive answers 204 with no body, which post reports as
// an unreadable answer. Marked like a create, that report comes back at
// once (see archiveBatch) instead of being retried as a bad answer. The
// price is that timeouts are not retried by the transport; the engine
// retries archives itself, which is safe because they are idempotent.
var epArchive = endpoint{name: "batch/archive", path: PathBatchArchive}

// Archive archives records by id with batch/archive, MaxBatchInputs ids
// per call, and returns one result per id, in input order (Ref is the id
// as given, ID the id archived). HubSpot answers 204 whether or not an id
// exists, so success does not prove the record was live: read the ids
// first (ReadByIDs) to tell. The error is non-nil only when the first
// call failed as a whole, so that nothing is known to be archived.
func (c *Client) Archive(ctx context.Context, ids []string) ([]crm.ItemResult, error) {
	results := make([]crm.ItemResult, len(ids))
	first := map[string]int{} // id → its first position
	var send []string
	var dups []int
	for i, raw := range ids {
		results[i].Ref = raw
		id := strings.TrimSpace(raw)
		switch _, dup := first[id]; {
		case id == "":
			results[i].Err = itemFailure(crm.ReasonValidation, "no HubSpot record id to archive")
		case dup:
			dups = append(dups, i) // archived once, reported for each
		default:
			first[id] = i
			send = append(send, id)
		}
	}
	for start := 0; start < len(send); start += MaxBatchInputs {
		chunk := send[start:min(start+MaxBatchInputs, len(send))]
		if err := c.archiveBatch(ctx, chunk); err != nil {
			if start == 0 {
				return nil, err
			}
			// Earlier chunks are archived: the rest share the error.
			ce := asCRMError(err)
			for _, id := range send[start:] {
				results[first[id]].Err = ce
			}
			break
		}
		for _, id := range chunk {
			results[first[id]].ID = id
		}
	}
	for _, i := range dups {
		r := results[first[strings.TrimSpace(ids[i])]]
		results[i].ID, results[i].Err = r.ID, r.Err
	}
	return results, nil
}

// archiveBatch archives up to MaxBatchInputs ids in one call.
func (c *Client) archiveBatch(ctx context.Context, ids []string) error {
	req := BatchIDsRequest{Inputs: make([]ObjectID, len(ids))}
	for i, id := range ids {
		req.Inputs[i] = ObjectID{ID: id}
	}
	var out struct{} // 204 carries no body; a 2xx with one is ignored
	status, apiErr, err := c.post(ctx, epArchive, req, &out)
	if err != nil {
		var ce *crm.Error
		if errors.As(err, &ce) && ce.Reason == crm.ReasonBadResponse && ce.Status >= http.StatusOK && ce.Status < http.StatusMultipleChoices {
			return nil // a 2xx answer: HubSpot archived them; only the (empty) body was unreadable
		}
		return err
	}
	if apiErr != nil {
		return c.callError(status, apiErr)
	}
	return nil
}
