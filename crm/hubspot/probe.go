package hubspot

import (
	"context"
	"net/http"
	"net/url"

	"coexsync/crm"
)

// ListOne lists at most one contact (GET, general budget): the cheapest
// proof that the token may read contacts. It returns how many came (0 on
// an empty account).
func (c *Client) ListOne(ctx context.Context) (int, error) {
	q := url.Values{}
	q.Set("limit", "1")
	q.Set("archived", "false")
	ep := epList
	ep.name = "list one"
	ep.path += "?" + q.Encode()
	var resp listResponse
	status, apiErr, err := c.post(ctx, ep, nil, &resp)
	if err != nil {
		return 0, err
	}
	if apiErr != nil {
		return 0, c.callError(status, apiErr)
	}
	return len(resp.Results), nil
}

// TierConfigured reports whether the general budget was set in the
// configuration (then X-HubSpot-RateLimit-Max does not change it).
func (c *Client) TierConfigured() bool { return c.tierFixed }

// Observing returns a client configured as c whose every answer is shown
// to fn first (read-only diagnostics read Date and the daily rate-limit
// headers). It paces itself apart from c: diagnostics make a few calls.
func (c *Client) Observing(fn func(*http.Response)) *Client {
	cfg := c.cfg
	cfg.HTTP = crm.ObserveHTTP(cfg.HTTP, fn)
	return New(cfg)
}
