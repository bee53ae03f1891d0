package whatsapp

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"coexsync/internal/httpcore"
)

// Webhook object and field a Coexistence contact sync arrives on.
const (
	WebhookObject     = "whatsapp_business_account"
	FieldContactsSync = "smb_app_state_sync"
)

func init() {
	edgeOwner["subscribed_apps"] = "WhatsApp Business Account"
	edgeOwner["subscriptions"] = "Meta app"
}

// SubscribedApp is an app that receives the webhooks of a WABA.
type SubscribedApp struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Link string `json:"link"`
}

type subscribedAppsPage struct {
	Data []struct {
		App SubscribedApp `json:"whatsapp_business_api_data"`
	} `json:"data"`
}

// SubscribedApps lists the apps subscribed to the WABA's webhooks
// (GET /{WABA_ID}/subscribed_apps). Read-only.
func (c *Client) SubscribedApps(ctx context.Context, wabaID string) ([]SubscribedApp, error) {
	u, err := c.endpoint(wabaID, "subscribed_apps")
	if err != nil {
		return nil, err
	}
	var p subscribedAppsPage
	if err := c.call(ctx, http.MethodGet, "subscribed_apps", u, nil, &p); err != nil {
		return nil, err
	}
	apps := make([]SubscribedApp, 0, len(p.Data))
	for _, d := range p.Data {
		apps = append(apps, SubscribedApp{
			ID:   cleanText(d.App.ID, 64, c.secrets()),
			Name: cleanText(d.App.Name, 100, c.secrets()),
			Link: cleanText(d.App.Link, 200, c.secrets()),
		})
	}
	return apps, nil
}

// AppSubscription is one webhook object an app subscribes to, with its
// fields, as GET /{APP_ID}/subscriptions lists it.
type AppSubscription struct {
	Object      string
	CallbackURL string
	Active      bool
	Fields      []string
}

// Has reports whether the subscription is active and carries field.
func (s AppSubscription) Has(field string) bool {
	if !s.Active {
		return false
	}
	for _, f := range s.Fields {
		if f == field {
			return true
		}
	}
	return false
}

type appSubscriptionsPage struct {
	Data []struct {
		Object      string `json:"object"`
		CallbackURL string `json:"callback_url"`
		Active      bool   `json:"active"`
		Fields      []struct {
			Name string `json:"name"`
		} `json:"fields"`
	} `json:"data"`
}

// ErrNoAppSecret: an app's webhook fields can only be read with an app
// access token, which is built from the app secret.
var ErrNoAppSecret = errors.New("graph api: the app's webhook fields need an app access token; no app secret is configured")

// AppSubscriptions reads the webhook objects and fields of the Meta app
// appID (GET /{APP_ID}/subscriptions). Graph answers that edge only to
// an app access token, so the call carries "APP_ID|APP_SECRET" instead of
// the configured token; without an app secret it returns ErrNoAppSecret.
func (c *Client) AppSubscriptions(ctx context.Context, appID string) ([]AppSubscription, error) {
	if c.cfg.AppSecret == "" {
		return nil, ErrNoAppSecret
	}
	cfg := c.cfg
	cfg.Token = appID + "|" + c.cfg.AppSecret
	cc := NewClient(cfg) // its appsecret_proof is of the app token
	u, err := cc.endpoint(appID, "subscriptions")
	if err != nil {
		return nil, err
	}
	var p appSubscriptionsPage
	if err := cc.call(ctx, http.MethodGet, "subscriptions", u, nil, &p); err != nil {
		return nil, err
	}
	out := make([]AppSubscription, 0, len(p.Data))
	for _, d := range p.Data {
		s := AppSubscription{Object: cleanText(d.Object, 64, cc.secrets()),
			CallbackURL: cleanText(d.CallbackURL, 200, cc.secrets()), Active: d.Active}
		for _, f := range d.Fields {
			s.Fields = append(s.Fields, strings.TrimSpace(cleanText(f.Name, 64, cc.secrets())))
		}
		out = append(out, s)
	}
	return out, nil
}

// HasAppSecret reports whether an app secret is configured.
func (c *Client) HasAppSecret() bool { return c.cfg.AppSecret != "" }

// Observing returns a client configured as c whose every Graph answer is
// shown to fn first (read-only diagnostics read its Date header).
func (c *Client) Observing(fn func(*http.Response)) *Client {
	cfg := c.cfg
	cfg.HTTP = httpcore.ObserveHTTP(cfg.HTTP, fn)
	return NewClient(cfg)
}
