package intercom

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"coexsync/crm"
)

// pipeline runs one for every item with at most Concurrency calls in
// flight and returns the results in input order (at most limit items).
// The calls share one limiter, which takes the others still in flight off
// the budget Intercom reports (see observe). Once the token is refused
// (401/403) nothing more is sent: every later item gets the same error.
// The call as a whole fails only when nothing can have been written: the
// token was refused for every item, or ctx ended before any was sent.
func pipeline[T any](ctx context.Context, c *Client, items []T, limit int, ref func(T) string, one func(context.Context, T) crm.ItemResult) ([]crm.ItemResult, error) {
	if len(items) > limit {
		return nil, &crm.Error{Reason: crm.ReasonValidation, Message: fmt.Sprintf("%d items in one call, at most %d", len(items), limit)}
	}
	refs := make([]string, len(items))
	for i, it := range items {
		refs[i] = ref(it)
	}
	results := make([]crm.ItemResult, len(refs))
	var (
		mu      sync.Mutex
		refused *crm.Error
		started int
		wg      sync.WaitGroup
	)
	sem := make(chan struct{}, c.cfg.Concurrency)
	for i := range refs {
		acquired := false
		select {
		case sem <- struct{}{}:
			acquired = true
		case <-ctx.Done():
		}
		mu.Lock()
		stop := refused
		mu.Unlock()
		if stop != nil || ctx.Err() != nil {
			results[i] = crm.ItemResult{Ref: refs[i], Err: notSent(ctx, stop)}
			if acquired {
				<-sem
			}
			continue
		}
		started++
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			r := one(ctx, items[i])
			r.Ref = refs[i]
			if r.Err != nil && isRefusal(r.Err) {
				mu.Lock()
				if refused == nil {
					refused = r.Err
				}
				mu.Unlock()
			}
			results[i] = r
		}(i)
	}
	wg.Wait()
	if started == 0 && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if refused != nil && allRefused(results) {
		return nil, refused
	}
	return results, nil
}

func isRefusal(e *crm.Error) bool {
	return e.Reason == crm.ReasonUnauthorized || e.Reason == crm.ReasonForbidden
}

func allRefused(results []crm.ItemResult) bool {
	for _, r := range results {
		if r.Err == nil || !isRefusal(r.Err) {
			return false
		}
	}
	return true
}

// notSent is the error of an item the pipeline never sent.
func notSent(ctx context.Context, refused *crm.Error) *crm.Error {
	if refused != nil {
		cp := *refused
		return &cp
	}
	return &crm.Error{Reason: crm.ReasonTimeout, Message: "not sent: the run was stopped", Err: ctx.Err()}
}

// itemError turns a call's error into an item's error. A context that
// ended mid-call leaves the outcome unknown: a temporary timeout.
func itemError(err error) *crm.Error {
	var ce *crm.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &crm.Error{Reason: crm.ReasonTimeout, Err: err}
}
