package backend

import (
	"context"

	"coexsync/doctor"
)

// Doctor runs the read-only pre-flight checks of scope against what the
// backend is wired to: Meta, every configured CRM, the store and the
// clock. numberID limits the contact check to one number ("": every
// Coexistence number).
// It sends only GET requests and writes nothing, so the console may call
// it at any time; a cancelled ctx ends it early with failed checks.
func (b *Backend) Doctor(ctx context.Context, numberID string, scope doctor.Scope) []doctor.Check {
	d := doctor.Deps{
		WhatsApp: b.cfg.WhatsApp,
		WABAID:   b.cfg.WABAID,
		AppID:    b.cfg.AppID,
		NumberID: numberID,
		CRMs:     b.cfg.CRMs,
		Scope:    scope,
	}
	if b.cfg.Store != nil { // a nil *store.DB must not become a non-nil interface
		d.Store = b.cfg.Store
	} else {
		d.StoreNote = "no local database yet"
	}
	return doctor.Run(ctx, d)
}
