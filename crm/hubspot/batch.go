package hubspot

import (
	"context"
	"errors"
	"strconv"

	"coexsync/crm"
)

// batch runs one batch call (create or update) for the caller's items
// and fills one result per item. Every input carries its position as its
// objectWriteTraceId, which HubSpot echoes on results and errors: that,
// not the order of the answer, is how items are matched back.
type batch struct {
	c       *Client
	ep      endpoint
	results []crm.ItemResult
	// body builds the request for the items at the given positions.
	body func(pos []int) any
	// locate matches a result without a trace id to an open position.
	locate func(o Object, open []int) (int, bool)
	// byID maps record ids to positions, for errors that name ids.
	byID map[string]int
	// holder finds the open position whose input collides with the
	// existing record a whole-batch 409 names (nil: bisect instead).
	holder func(ctx context.Context, existingID string, open []int) (int, bool)
	// calls left to isolate the items that sink whole batches; see run.
	left int
	// refusal is the last whole-batch error, given to the items still
	// open when the budget runs out.
	refusal *crm.Error
}

// run sends the positions in batches of MaxBatchInputs and returns the
// results. A failure of the whole call is returned only while nothing is
// known to be written; afterwards it becomes the error of each item
// still open.
func (b *batch) run(ctx context.Context, pos []int) ([]crm.ItemResult, error) {
	for start := 0; start < len(pos); start += MaxBatchInputs {
		chunk := pos[start:min(start+MaxBatchInputs, len(pos))]
		// HubSpot fails a whole batch for one duplicate or one invalid
		// phone and names at most one item, so isolating the culprits
		// takes more calls; a full bisection of n items takes 2n-1.
		// The budget bounds a chunk whose every subset keeps failing.
		b.left = 2 * len(chunk)
		if err := b.send(ctx, chunk); err != nil {
			if !b.anyWritten() {
				return nil, err
			}
			b.failOpen(pos, asCRMError(err))
		}
	}
	return b.results, nil
}

func (b *batch) send(ctx context.Context, pos []int) error {
	if b.left <= 0 {
		// Out of calls: these items share the refusal of their batch.
		ce := b.refusal
		if ce == nil {
			ce = &crm.Error{Reason: crm.ReasonValidation, Message: "HubSpot refused the batch holding this item"}
		}
		b.failOpen(pos, ce)
		return nil
	}
	b.left--
	var resp BatchResponse
	status, apiErr, err := b.c.post(ctx, b.ep, b.body(pos), &resp)
	if err != nil {
		return err
	}
	if apiErr == nil {
		b.apply(status, resp, pos)
		return nil
	}
	// HubSpot refused the whole batch, so nothing in it was written.
	b.refusal = b.itemError(status, apiErr.Category, apiErr.Message, apiErr.Errors)
	rest := b.blame(status, apiErr, pos)
	if len(rest) == len(pos) && len(pos) > 1 {
		rest = b.blameHolder(ctx, status, apiErr, pos)
	}
	switch {
	case len(rest) < len(pos):
		// The items it named sank the batch: send the others again.
		if len(rest) == 0 {
			return nil
		}
		return b.send(ctx, rest)
	case len(pos) == 1:
		b.results[pos[0]].Err = b.itemError(status, apiErr.Category, apiErr.Message, apiErr.Errors)
		b.results[pos[0]].ExistingID = conflictID(b.results[pos[0]].Err)
		return nil
	}
	// It did not say which item is at fault (an invalid phone arrives
	// only as text in the message): halve until it is alone.
	half := len(pos) / 2
	if err := b.send(ctx, pos[:half]); err != nil {
		return err
	}
	if err := b.send(ctx, pos[half:]); err != nil {
		b.failOpen(pos[half:], asCRMError(err))
	}
	return nil
}

// blameHolder handles HubSpot's whole-batch 409, which names the record
// that already exists ("Existing ID: 12345") but not the input that
// collided with it: the holder callback finds that input.
func (b *batch) blameHolder(ctx context.Context, status int, eb *ErrorBody, pos []int) []int {
	if b.holder == nil || reasonOf(status, eb.Category, eb.Message, eb.Errors) != crm.ReasonConflict {
		return pos
	}
	id := existingID(eb.Message)
	if id == "" {
		return pos
	}
	p, ok := b.holder(ctx, id, pos)
	if !ok {
		return pos
	}
	b.results[p].Err = b.itemError(status, eb.Category, eb.Message, eb.Errors)
	b.results[p].ExistingID = id
	rest := make([]int, 0, len(pos)-1)
	for _, q := range pos {
		if q != p {
			rest = append(rest, q)
		}
	}
	return rest
}

// apply reads a 200/201/207 answer.
func (b *batch) apply(status int, resp BatchResponse, pos []int) {
	open := map[int]bool{}
	for _, p := range pos {
		open[p] = true
	}
	for _, o := range resp.Results {
		p, ok := b.position(o.ObjectWriteTraceID, open)
		if !ok {
			p, ok = b.locate(o, openList(pos, open))
		}
		if !ok || o.ID == "" {
			continue
		}
		b.results[p].ID = o.ID
		delete(open, p)
	}
	var unplaced *crm.Error
	for _, e := range resp.Errors {
		ce := b.itemError(0, e.Category, b.c.clean(e.Message), e.Errors)
		named := b.named(e.Context, open, pos)
		for _, p := range named {
			b.results[p].Err = ce
			b.results[p].ExistingID = conflictID(ce)
			delete(open, p)
		}
		if len(named) == 0 && unplaced == nil {
			unplaced = ce
		}
	}
	if unplaced == nil {
		unplaced = &crm.Error{Reason: crm.ReasonBadResponse, Status: status, Message: "HubSpot did not report this item"}
	}
	for _, p := range openList(pos, open) {
		b.results[p].Err = unplaced
	}
}

// blame marks the items a whole-batch error names and returns the others.
func (b *batch) blame(status int, eb *ErrorBody, pos []int) []int {
	open := map[int]bool{}
	for _, p := range pos {
		open[p] = true
	}
	for _, d := range eb.Errors {
		for _, p := range b.named(d.Context, open, pos) {
			b.results[p].Err = b.itemError(status, eb.Category, b.c.clean(d.Message), []ErrorDetail{d})
			delete(open, p)
		}
	}
	for _, p := range b.named(eb.Context, open, pos) {
		b.results[p].Err = b.itemError(status, eb.Category, eb.Message, eb.Errors)
		delete(open, p)
	}
	return openList(pos, open)
}

// named returns the open positions an error context points at: by trace
// id, by record id, or by index into the inputs sent.
func (b *batch) named(ctx map[string][]string, open map[int]bool, pos []int) []int {
	var out []int
	take := func(p int, ok bool) {
		if ok && open[p] {
			out = append(out, p)
			delete(open, p)
		}
	}
	for _, v := range ctx[ContextTraceID] {
		take(b.position(v, open))
	}
	for _, key := range []string{ContextIDs, "id"} {
		for _, v := range ctx[key] {
			p, ok := b.byID[v]
			take(p, ok)
		}
	}
	for _, v := range ctx["index"] {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(pos) {
			take(pos[i], true)
		}
	}
	for _, p := range out { // restore: callers delete what they assign
		open[p] = true
	}
	return out
}

func (b *batch) position(traceID string, open map[int]bool) (int, bool) {
	p, err := strconv.Atoi(traceID)
	if err != nil || !open[p] {
		return 0, false
	}
	return p, true
}

func (b *batch) itemError(status int, category, msg string, details []ErrorDetail) *crm.Error {
	return &crm.Error{Reason: reasonOf(status, category, msg, details), Status: status, Message: msg}
}

func (b *batch) anyWritten() bool {
	for _, r := range b.results {
		if r.ID != "" {
			return true
		}
	}
	return false
}

// failOpen gives err to every position that has neither an id nor an error.
func (b *batch) failOpen(pos []int, err *crm.Error) {
	for _, p := range pos {
		if b.results[p].ID == "" && b.results[p].Err == nil {
			b.results[p].Err = err
		}
	}
}

func openList(pos []int, open map[int]bool) []int {
	var out []int
	for _, p := range pos {
		if open[p] {
			out = append(out, p)
		}
	}
	return out
}

func conflictID(e *crm.Error) string {
	if e == nil || e.Reason != crm.ReasonConflict {
		return ""
	}
	return existingID(e.Message)
}

// asCRMError keeps a *crm.Error and wraps anything else (a cancelled
// context) so it can be stored as an item's error.
func asCRMError(err error) *crm.Error {
	var ce *crm.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &crm.Error{Reason: crm.ReasonNetwork, Err: err}
}

// itemFailure is the error of an item refused before anything was sent.
func itemFailure(reason crm.Reason, msg string) *crm.Error {
	return &crm.Error{Reason: reason, Message: msg}
}
