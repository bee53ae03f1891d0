package intercom

import (
	"context"
	"net/http"

	"coexsync/crm"
)

// Me is the admin the token acts as and the workspace ("app") it belongs to.
type Me struct {
	AdminID   string
	AdminName string
	AppID     string // the workspace's id_code
	AppName   string
	Region    string
}

type meJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	App  *struct {
		IDCode string `json:"id_code"`
		Name   string `json:"name"`
		Region string `json:"region"`
	} `json:"app"`
}

// Me identifies the token's admin and workspace (GET /me). Read-only; a
// token that may read contacts can still fail it, so a diagnostic also
// lists a contact.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var m meJSON
	if err := c.call(ctx, "me", http.MethodGet, "/me", nil, &m, anyTemporary); err != nil {
		return Me{}, err
	}
	clean := func(s string) string { return cleanMessage(s, c.cfg.Token) }
	out := Me{AdminID: clean(m.ID), AdminName: clean(m.Name)}
	if m.App != nil {
		out.AppID, out.AppName, out.Region = clean(m.App.IDCode), clean(m.App.Name), clean(m.App.Region)
	}
	return out, nil
}

// Observing returns a client configured as c whose every answer is shown
// to fn first (read-only diagnostics read its Date header). It paces
// itself apart from c: diagnostics make a few calls.
func (c *Client) Observing(fn func(*http.Response)) *Client {
	cfg := c.cfg
	cfg.HTTP = crm.ObserveHTTP(cfg.HTTP, fn)
	return New(cfg)
}
