package crm

import "context"

type beforeSendKey struct{}

// WithBeforeSend returns a context whose creates call fn right before each
// attempt goes on the wire, with the refs the attempt carries. The engine
// records the time there: a create killed in flight may still land, and
// only the last send time bounds when.
func WithBeforeSend(ctx context.Context, fn func(refs []string) error) context.Context {
	return context.WithValue(ctx, beforeSendKey{}, fn)
}

// BeforeSend is called by clients right before a non-idempotent request
// (a create) is sent. An error means the request must not be sent.
func BeforeSend(ctx context.Context, refs []string) error {
	if fn, ok := ctx.Value(beforeSendKey{}).(func([]string) error); ok && fn != nil {
		return fn(refs)
	}
	return nil
}
