// Package doctor is a read-only pre-flight for a support agent: it asks
// Meta, the CRMs and the local store whether a sync can work, and says
// for every failure how to fix it. It never writes: only GET requests,
// never the one-time contact request, no store writes.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/intercom"
	"coexsync/whatsapp"
)

// Check is the result of one check: one line for the agent.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	// Fix says how to repair a failure (or act on a warning).
	Fix string `json:"fix,omitempty"`
	// Warn: passed, but not fully verified; the agent should look.
	Warn bool `json:"warn,omitempty"`
}

// Names of the checks, stable for scripts reading --json.
const (
	NameGraphToken    = "graph token"
	NameWABA          = "waba"
	NameNumbers       = "numbers"
	NameAppSubscribed = "app subscribed"
	NameWebhookField  = "webhook field"
	NameContacts      = "contacts" // one per number: "contacts <number>"
	NameHubSpotToken  = "hubspot token"
	NameHubSpotTier   = "hubspot tier"
	NameIntercomToken = "intercom token"
	NameCRM           = "crm"
	NameClock         = "clock"
)

// DefaultMaxSkew is how far a vendor's clock may be from ours.
const DefaultMaxSkew = 60 * time.Second

// Store is what the checks read of the local database. The checks see it
// through this view only, so they need no database driver.
type Store interface {
	CountContacts(ctx context.Context, numberID string) (int, error)
	// SyncRequestedAt is when the number's one-time contact sync was
	// requested: zero when never, or when the number is unknown.
	SyncRequestedAt(ctx context.Context, numberID string) (time.Time, error)
}

// Deps is what the checks run against. Nil parts are reported, not used.
type Deps struct {
	WhatsApp *whatsapp.Client
	WABAID   string
	// AppID is this Meta app's id (optional): it must be among the WABA's
	// subscribed apps, and its webhook fields are read. Without it the
	// only subscribed app is taken for this one.
	AppID string
	Store Store // nil: no local database (StoreNote says why)
	// StoreNote explains a nil Store ("no database at …").
	StoreNote string
	// NumberID limits the contact check to one number ("": every
	// Coexistence number listed).
	NumberID string
	CRMs     map[string]crm.Client
	Scope    Scope
	Now      func() time.Time // time.Now when nil
	MaxSkew  time.Duration    // DefaultMaxSkew when 0
}

// Scope is which checks Run runs.
type Scope int

const (
	// ScopeAll is every check: Meta, the contacts, the CRMs, the clock.
	ScopeAll Scope = iota
	// ScopeMeta is what the one-time contact request depends on: Meta and
	// the number's stored contacts. The CRMs are not asked (a request
	// does not need them, and each check spends their rate budget).
	ScopeMeta
)

// Covers reports whether a check named name is one of the scope's.
func (s Scope) Covers(name string) bool {
	if s == ScopeAll {
		return true
	}
	switch name {
	case NameGraphToken, NameWABA, NameNumbers, NameAppSubscribed, NameWebhookField, NameContacts:
		return true
	}
	return strings.HasPrefix(name, NameContacts+" ")
}

// AllOK reports whether every check passed (warnings pass).
func AllOK(checks []Check) bool {
	for _, c := range checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Run runs every check of d.Scope, in order: Meta, the store, the CRMs,
// the clock.
func Run(ctx context.Context, d Deps) []Check {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxSkew <= 0 {
		d.MaxSkew = DefaultMaxSkew
	}
	r := &runner{d: d, dates: &dates{}}
	numbers := r.meta(ctx)
	r.contacts(ctx, numbers)
	if d.Scope == ScopeAll {
		r.crms(ctx)
		r.clock()
	}
	return r.out
}

type runner struct {
	d     Deps
	dates *dates
	out   []Check
}

func (r *runner) add(c Check) { r.out = append(r.out, c) }

func pass(name, detail string) Check { return Check{Name: name, OK: true, Detail: detail} }

func fail(name, detail, fix string) Check {
	return Check{Name: name, Detail: detail, Fix: fix}
}

func warn(name, detail, fix string) Check {
	return Check{Name: name, OK: true, Warn: true, Detail: detail, Fix: fix}
}

func skipped(name, why string) Check {
	return Check{Name: name, Detail: "not checked: " + why}
}

// meta checks the token, the WABA, its numbers and the webhook setup; it
// returns the numbers listed (nil when they could not be).
func (r *runner) meta(ctx context.Context) []whatsapp.PhoneNumber {
	if r.d.WhatsApp == nil {
		r.add(fail(NameGraphToken, "no Graph API credentials are configured",
			"Set WHATSAPP_TOKEN (a system user token with whatsapp_business_management) and WABA_ID."))
		return nil
	}
	wa := r.d.WhatsApp.Observing(r.dates.record("Graph API"))
	phones, err := wa.PhoneNumbers(ctx, r.d.WABAID)
	if err != nil {
		r.metaError(err)
		return nil
	}
	r.add(pass(NameGraphToken, "accepted by the Graph API"))
	r.add(pass(NameWABA, fmt.Sprintf("WhatsApp Business Account %s answers (%d numbers)", r.d.WABAID, len(phones))))
	r.numbers(phones)
	apps := r.subscribed(ctx, wa)
	r.webhookField(ctx, wa, apps)
	return phones
}

// metaError turns a failed phone number listing into the token and WABA
// checks: Graph's code says which of the two is wrong.
func (r *runner) metaError(err error) {
	var ge *whatsapp.GraphError
	if !errors.As(err, &ge) {
		r.add(fail(NameGraphToken, "the Graph API could not be asked: "+err.Error(),
			"Check the network, and GRAPH_API_URL if it is set."))
		r.add(skipped(NameWABA, "the Graph API did not answer"))
		return
	}
	switch {
	case ge.Code == whatsapp.CodeTokenInvalid || ge.Status == http.StatusUnauthorized:
		r.add(fail(NameGraphToken, "Meta refused the token (code 190: invalid or expired)",
			"Generate a new system user token in Business Settings with whatsapp_business_management and whatsapp_business_messaging, and set WHATSAPP_TOKEN."))
		r.add(skipped(NameWABA, "needs a valid Graph token"))
	case ge.Code == whatsapp.CodeInvalidParam && ge.Subcode == whatsapp.SubcodeUnknownNode:
		r.add(pass(NameGraphToken, "accepted by the Graph API"))
		r.add(fail(NameWABA, fmt.Sprintf("WhatsApp Business Account %s does not exist or this token cannot see it", r.d.WABAID),
			"Check WABA_ID, and assign the system user to this WABA (full control) in Business Settings."))
	case ge.Code == whatsapp.CodePermission || ge.Code == whatsapp.CodePermissionAlt || ge.Status == http.StatusForbidden:
		r.add(pass(NameGraphToken, "accepted by the Graph API"))
		r.add(fail(NameWABA, "the token may not read this WABA: "+ge.Error(),
			"Give the token whatsapp_business_management and assign the system user to the WABA in Business Settings."))
	default:
		r.add(fail(NameGraphToken, "the Graph API refused the phone number listing: "+ge.Error(),
			"Run doctor again; if it persists, quote the fbtrace_id to Meta support."))
		r.add(skipped(NameWABA, "the Graph API did not answer"))
	}
	r.add(skipped(NameNumbers, "the WABA could not be read"))
	r.add(skipped(NameAppSubscribed, "the WABA could not be read"))
	r.add(skipped(NameWebhookField, "the WABA could not be read"))
}

func (r *runner) numbers(phones []whatsapp.PhoneNumber) {
	var parts []string
	coex := 0
	var chosen *whatsapp.PhoneNumber
	for i, p := range phones {
		parts = append(parts, fmt.Sprintf("%s (%s) is_on_biz_app=%t platform_type=%s",
			p.DisplayPhoneNumber, p.ID, p.IsOnBizApp, orDash(p.PlatformType)))
		if p.IsOnBizApp {
			coex++
		}
		if p.ID == r.d.NumberID {
			chosen = &phones[i]
		}
	}
	list := strings.Join(parts, "; ")
	onboard := "Onboard the number with WhatsApp Coexistence (Embedded Signup with the WhatsApp Business app), then run doctor again."
	switch {
	case r.d.NumberID != "" && chosen == nil:
		r.add(fail(NameNumbers, fmt.Sprintf("number %s is not in this WABA; listed: %s", r.d.NumberID, orNone(list)),
			"Use a phone number id from the list (--number), or check WABA_ID."))
	case chosen != nil && !chosen.IsOnBizApp:
		r.add(fail(NameNumbers, fmt.Sprintf("number %s is not on the WhatsApp Business app (is_on_biz_app=false); its contacts cannot be synced", chosen.DisplayPhoneNumber), onboard))
	case chosen == nil && coex == 0:
		r.add(fail(NameNumbers, "no number of this WABA is on the WhatsApp Business app: "+orNone(list), onboard))
	default:
		r.add(pass(NameNumbers, list))
	}
}

// subscribed checks that this app receives the WABA's webhooks and returns
// the apps subscribed.
func (r *runner) subscribed(ctx context.Context, wa *whatsapp.Client) []whatsapp.SubscribedApp {
	apps, err := wa.SubscribedApps(ctx, r.d.WABAID)
	if err != nil {
		r.add(fail(NameAppSubscribed, "the WABA's subscribed apps could not be read: "+err.Error(),
			"Give the token whatsapp_business_management, then run doctor again."))
		return nil
	}
	var names []string
	mine := false
	for _, a := range apps {
		names = append(names, fmt.Sprintf("%s (%s)", orDash(a.Name), a.ID))
		mine = mine || a.ID == r.d.AppID
	}
	subscribe := "Subscribe the app to the WABA (POST /" + r.d.WABAID + "/subscribed_apps with the app's system user token) before requesting contacts; doctor never does it."
	switch {
	case len(apps) == 0:
		r.add(fail(NameAppSubscribed, "no app is subscribed to this WABA's webhooks: contacts requested now would be lost", subscribe))
	case r.d.AppID != "" && !mine:
		r.add(fail(NameAppSubscribed, fmt.Sprintf("app %s is not subscribed to this WABA (subscribed: %s): its webhooks go elsewhere", r.d.AppID, strings.Join(names, ", ")), subscribe))
	case r.d.AppID != "":
		r.add(pass(NameAppSubscribed, "this app is subscribed to the WABA: "+strings.Join(names, ", ")))
	case len(apps) == 1:
		r.add(pass(NameAppSubscribed, "subscribed to the WABA: "+names[0]+" (taken for this app; set META_APP_ID to be sure)"))
	default:
		r.add(warn(NameAppSubscribed, "several apps are subscribed to the WABA: "+strings.Join(names, ", "),
			"Set META_APP_ID (--app-id) to the app whose webhook URL runs coexsync webhook, so doctor can tell it is among them."))
	}
	return apps
}

// webhookField checks that the app subscribes smb_app_state_sync. Graph
// shows an app's webhook fields only at /{APP_ID}/subscriptions, to an
// app access token; a system user token cannot read them.
func (r *runner) webhookField(ctx context.Context, wa *whatsapp.Client, apps []whatsapp.SubscribedApp) {
	field := whatsapp.FieldContactsSync
	dashboard := "In the App Dashboard (WhatsApp > Configuration > Webhook fields), subscribe " + field + "."
	appID := r.d.AppID
	if appID == "" && len(apps) == 1 {
		appID = apps[0].ID
	}
	switch {
	case appID == "":
		r.add(warn(NameWebhookField, "cannot be read: which app is this one is unknown", "Set META_APP_ID (--app-id); meanwhile "+lowerFirst(dashboard)))
		return
	case !wa.HasAppSecret():
		r.add(warn(NameWebhookField, "cannot be read: the Graph API shows an app's webhook fields only to an app access token, made from the app secret, and none is configured",
			"Set WHATSAPP_APP_SECRET, or check by hand: "+lowerFirst(dashboard)))
		return
	}
	subs, err := wa.AppSubscriptions(ctx, appID)
	if err != nil {
		r.add(warn(NameWebhookField, "app "+appID+"'s webhook fields could not be read: "+err.Error(),
			"Check by hand: "+lowerFirst(dashboard)))
		return
	}
	var fields []string
	for _, s := range subs {
		if s.Object != whatsapp.WebhookObject {
			continue
		}
		if s.Has(field) {
			r.add(pass(NameWebhookField, fmt.Sprintf("app %s subscribes %s (webhook %s)", appID, field, orDash(s.CallbackURL))))
			return
		}
		fields = append(fields, s.Fields...)
	}
	r.add(fail(NameWebhookField, fmt.Sprintf("app %s does not subscribe %s (its %s fields: %s): the contacts would never arrive",
		appID, field, whatsapp.WebhookObject, orNone(strings.Join(fields, ", "))), dashboard+" Do it before the one-time request."))
}

// contacts checks, per number, that contacts are stored or that the
// one-time request is still unspent.
func (r *runner) contacts(ctx context.Context, phones []whatsapp.PhoneNumber) {
	type num struct{ id, label string }
	var ns []num
	for _, p := range phones {
		if (r.d.NumberID == "" && p.IsOnBizApp) || p.ID == r.d.NumberID {
			ns = append(ns, num{p.ID, p.DisplayPhoneNumber})
		}
	}
	if len(ns) == 0 && r.d.NumberID != "" && phones == nil {
		ns = append(ns, num{r.d.NumberID, r.d.NumberID})
	}
	for _, n := range ns {
		name := NameContacts + " " + n.label
		if r.d.Store == nil {
			r.add(warn(name, orText(r.d.StoreNote, "no local database")+": nothing stored, and no request made from this machine",
				"Request the contacts once every other check passes (coexsync sync --request), or import a saved payload (coexsync import)."))
			continue
		}
		r.add(contactCheck(ctx, r.d.Store, name, n.id))
	}
}

func contactCheck(ctx context.Context, st Store, name, id string) Check {
	count, err := st.CountContacts(ctx, id)
	if err != nil {
		return fail(name, "the local database could not be read: "+err.Error(), "Check the --db path and its permissions.")
	}
	if count > 0 {
		return pass(name, fmt.Sprintf("%d contacts stored", count))
	}
	requested, err := st.SyncRequestedAt(ctx, id)
	if err != nil {
		return fail(name, "the local database could not be read: "+err.Error(), "Check the --db path and its permissions.")
	}
	if requested.IsZero() {
		return pass(name, "no contacts stored; the one-time request is unspent as far as this database knows (Meta allows it once, within 24 h of onboarding)")
	}
	return fail(name, fmt.Sprintf("the one-time request was spent on %s and no contact was stored", requested.UTC().Format(time.RFC3339)),
		"Meta allows no second request: import a saved webhook payload (coexsync import), check the webhook log for deliveries, or offboard and onboard the number again.")
}

// crms checks every configured CRM's token and, for HubSpot, its tier.
func (r *runner) crms(ctx context.Context) {
	if len(r.d.CRMs) == 0 {
		r.add(fail(NameCRM, "no CRM is configured", "Set HUBSPOT_TOKEN or INTERCOM_TOKEN."))
		return
	}
	names := make([]string, 0, len(r.d.CRMs))
	for n := range r.d.CRMs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		switch c := r.d.CRMs[n].(type) {
		case *hubspot.Client:
			r.hubspot(ctx, c)
		case *intercom.Client:
			r.intercom(ctx, c)
		}
	}
}

func (r *runner) hubspot(ctx context.Context, c *hubspot.Client) {
	var mu gosync.Mutex
	var h http.Header
	record := r.dates.record("HubSpot")
	hc := c.Observing(func(resp *http.Response) {
		record(resp)
		mu.Lock()
		h = resp.Header.Clone()
		mu.Unlock()
	})
	n, err := hc.ListOne(ctx)
	if err != nil {
		r.add(crmFail(NameHubSpotToken, "HubSpot", err,
			"Create a private app token with the crm.objects.contacts.read and crm.objects.contacts.write scopes and set HUBSPOT_TOKEN."))
		r.add(skipped(NameHubSpotTier, "needs a working HubSpot token"))
		return
	}
	r.add(pass(NameHubSpotToken, fmt.Sprintf("reads contacts (a one-record list returned %d)", n)))
	mu.Lock()
	defer mu.Unlock()
	r.add(hubspotTier(h, c.GeneralBudget(), c.TierConfigured()))
}

// hubspotTier reads the account's tier and daily budget from the headers
// of an answer.
func hubspotTier(h http.Header, budget int, configured bool) Check {
	tier := headerInt(h, hubspot.HeaderMax)
	daily := ""
	if d, left := headerInt(h, hubspot.HeaderDaily), headerInt(h, hubspot.HeaderDailyRemaining); d > 0 && left >= 0 {
		daily = fmt.Sprintf("; %d of %d daily calls left", left, d)
		if left == 0 {
			return fail(NameHubSpotTier, "the account's daily API limit is spent"+daily,
				"Wait for the reset at midnight (account time zone), or stop other integrations using the account.")
		}
	}
	switch {
	case tier <= 0 && !configured:
		return warn(NameHubSpotTier, "HubSpot sent no "+hubspot.HeaderMax+" header; the client paces at the lowest tier until it sees one"+daily,
			"Check the tier in HubSpot (Settings > Account & Billing) and set --hubspot-rate.")
	case tier <= 0:
		return warn(NameHubSpotTier, "HubSpot sent no "+hubspot.HeaderMax+fmt.Sprintf(" header; pacing at %d per 10 s", budget)+daily,
			"Check the tier in HubSpot (Settings > Account & Billing) and set --hubspot-rate.")
	case configured && budget > tier:
		return fail(NameHubSpotTier, fmt.Sprintf("--hubspot-rate is %d but the account allows %d per 10 s (%s): runs would meet 429s%s", budget, tier, tierName(tier), daily),
			fmt.Sprintf("Set --hubspot-rate %d.", tier))
	case configured && budget < tier:
		return warn(NameHubSpotTier, fmt.Sprintf("the account allows %d per 10 s (%s) but --hubspot-rate is %d%s", tier, tierName(tier), budget, daily),
			fmt.Sprintf("Set --hubspot-rate %d to sync faster.", tier))
	case !configured:
		return pass(NameHubSpotTier, fmt.Sprintf("%d requests per 10 s (%s; the client follows it)%s", tier, tierName(tier), daily))
	}
	return pass(NameHubSpotTier, fmt.Sprintf("%d requests per 10 s (%s)%s", tier, tierName(tier), daily))
}

func tierName(n int) string {
	switch n {
	case hubspot.GeneralPer10s:
		return "Free or Starter"
	case hubspot.GeneralPer10sProfessional:
		return "Professional or Enterprise"
	case hubspot.GeneralPer10sCapacityPack:
		return "API capacity pack"
	}
	return "unknown tier"
}

func (r *runner) intercom(ctx context.Context, c *intercom.Client) {
	ic := c.Observing(r.dates.record("Intercom"))
	fix := "Create an access token in Intercom's Developer Hub with read and write permission on contacts and set INTERCOM_TOKEN."
	me, err := ic.Me(ctx)
	if err != nil {
		r.add(crmFail(NameIntercomToken, "Intercom", err, fix))
		return
	}
	total, err := ic.Count(ctx)
	if err != nil {
		r.add(crmFail(NameIntercomToken, "Intercom", err, fix))
		return
	}
	r.add(pass(NameIntercomToken, fmt.Sprintf("workspace %q (%s, %s), admin %s; reads contacts (%d)",
		me.AppName, orDash(me.AppID), orDash(me.Region), orDash(me.AdminName), total)))
}

func crmFail(name, vendor string, err error, fix string) Check {
	var ce *crm.Error
	if errors.As(err, &ce) {
		switch ce.Reason {
		case crm.ReasonUnauthorized:
			return fail(name, vendor+" refused the token (HTTP 401): it is wrong, expired or revoked", fix)
		case crm.ReasonForbidden:
			return fail(name, vendor+" accepted the token but it may not read contacts (HTTP 403)", fix)
		}
	}
	return fail(name, vendor+" could not be asked: "+err.Error(), "Check the network and the API URL, then run doctor again.")
}

// clock compares the Date header of every vendor answer with our clock:
// the index watermark and the create guard's time windows rely on it.
func (r *runner) clock() {
	seen := r.dates.all()
	if len(seen) == 0 {
		r.add(warn(NameClock, "no vendor answer carried a Date header to compare with", "Make sure this machine's clock is synchronised (NTP)."))
		return
	}
	now := r.d.Now()
	var parts []string
	worst, worstVendor := time.Duration(0), ""
	for _, v := range seen {
		skew := now.Sub(v.at).Round(time.Second)
		parts = append(parts, v.vendor+": "+describeSkew(skew))
		if skew.Abs() > worst.Abs() {
			worst, worstVendor = skew, v.vendor
		}
	}
	detail := "this machine's clock against the Date of answers: " + strings.Join(parts, ", ")
	if worst.Abs() > r.d.MaxSkew {
		text := fmt.Sprintf("this machine's clock is %s %s %s's (more than %s)", worst.Abs(), aheadBehind(worst), worstVendor, r.d.MaxSkew)
		r.add(fail(NameClock, text, "Synchronise this machine's clock (NTP): the index watermark and the guard against double creates compare times."))
		return
	}
	r.add(pass(NameClock, detail))
}

func describeSkew(d time.Duration) string {
	if d == 0 {
		return "in step"
	}
	return fmt.Sprintf("ours %s %s", d.Abs(), strings.Fields(aheadBehind(d))[0])
}

func aheadBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}

// dates keeps the first Date header each vendor sent.
type dates struct {
	mu   gosync.Mutex
	seen []dated
}

type dated struct {
	vendor string
	at     time.Time
}

func (d *dates) record(vendor string) func(*http.Response) {
	return func(resp *http.Response) {
		at, err := http.ParseTime(resp.Header.Get("Date"))
		if err != nil {
			return
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		for _, s := range d.seen {
			if s.vendor == vendor {
				return
			}
		}
		d.seen = append(d.seen, dated{vendor, at})
	}
}

func (d *dates) all() []dated {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.seen)
}

func headerInt(h http.Header, name string) int {
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(h.Get(name)), &n); err != nil {
		return -1
	}
	return n
}

func orDash(s string) string { return orText(s, "-") }
func orNone(s string) string { return orText(s, "none") }

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
