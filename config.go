package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"coexsync/store"
)

// config is every setting, from flags first and the environment second.
// Secrets are read from the environment by default so they stay out of
// shell history and process listings; the flags exist for scripts.
type config struct {
	dbPath  string
	offline bool
	sandbox bool
	// sandboxSet: --sandbox was given (true or false), so browsing opens
	// the database it names rather than the last session's.
	sandboxSet bool
	seed       int64
	// sandboxContacts sizes every sandbox address book (0: the dataset's).
	sandboxContacts int

	wabaID         string
	whatsappToken  string
	appSecret      string
	verifyToken    string
	graphURL       string
	graphVersion   string
	hubspotToken   string
	hubspotURL     string
	hubspotPer10s  int
	intercomToken  string
	intercomURL    string
	intercomRole   string
	intercomPerMin int
	crm            string
	crmAccount     string
	crmRegion      string
	// appID is this Meta app's id, for doctor's webhook checks.
	appID string
	// lookup is sync's --lookup: "", "index" or "search".
	lookup string
	// Rehearsal overrides for runs against fakes (0: the clients' own
	// defaults): the bound on one CRM request, and how long the engine
	// assumes a new record stays out of the CRM's search.
	crmTimeout   time.Duration
	crmSearchLag time.Duration
	// getenv is the environment the command reads (os.LookupEnv in
	// main); nil reads as an empty environment.
	getenv func(string) (string, bool)
}

// envDefaults maps flag names to the environment variables that fill them.
var envDefaults = map[string]string{
	"waba-id":        "WABA_ID",
	"whatsapp-token": "WHATSAPP_TOKEN",
	"app-secret":     "WHATSAPP_APP_SECRET",
	"verify-token":   "WHATSAPP_VERIFY_TOKEN",
	"graph-url":      "GRAPH_API_URL",
	"graph-version":  "GRAPH_API_VERSION",
	"hubspot-token":  "HUBSPOT_TOKEN",
	"hubspot-url":    "HUBSPOT_API_URL",
	"intercom-token": "INTERCOM_TOKEN",
	"intercom-url":   "INTERCOM_API_URL",
	"crm":            "COEXSYNC_CRM",
	"crm-account":    "COEXSYNC_CRM_ACCOUNT",
	"db":             "COEXSYNC_DB",
	"crm-timeout":    "COEXSYNC_CRM_TIMEOUT",
	"crm-search-lag": "COEXSYNC_CRM_SEARCH_LAG",
	"app-id":         "META_APP_ID",
}

func (c *config) bindFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&c.dbPath, "db", "", "path of the SQLite database (default $XDG_DATA_HOME/coexsync/coexsync.db; the sandbox uses sandbox.db beside it)")
	f.BoolVar(&c.offline, "offline", false, "browse runs and failures from the database only; no network, no credentials")
	f.BoolVar(&c.sandbox, "sandbox", false, "use the in-process fake Meta, HubSpot and Intercom servers and sandbox.db (the console does when no credentials are set)")
	f.Int64Var(&c.seed, "seed", 1, "sandbox dataset seed")
	f.IntVar(&c.sandboxContacts, "sandbox-contacts", 0, "contacts in every sandbox address book, e.g. 100000 (default: the dataset's own sizes)")
	f.StringVar(&c.wabaID, "waba-id", "", "the WhatsApp Business Account id (env WABA_ID)")
	f.StringVar(&c.whatsappToken, "whatsapp-token", "", "Graph API access token (env WHATSAPP_TOKEN)")
	f.StringVar(&c.appID, "app-id", "", "the Meta app's id, so doctor can tell it receives the WABA's webhooks (env META_APP_ID)")
	f.StringVar(&c.appSecret, "app-secret", "", "Meta app secret: webhook signatures and appsecret_proof (env WHATSAPP_APP_SECRET)")
	f.StringVar(&c.verifyToken, "verify-token", "", "webhook verification token (env WHATSAPP_VERIFY_TOKEN)")
	f.StringVar(&c.graphURL, "graph-url", "", "Graph API base URL (env GRAPH_API_URL; default https://graph.facebook.com)")
	f.StringVar(&c.graphVersion, "graph-version", "", "Graph API version, e.g. v23.0 (env GRAPH_API_VERSION)")
	f.StringVar(&c.hubspotToken, "hubspot-token", "", "the HubSpot private app token (env HUBSPOT_TOKEN)")
	f.StringVar(&c.hubspotURL, "hubspot-url", "", "the HubSpot API base URL (env HUBSPOT_API_URL)")
	f.IntVar(&c.hubspotPer10s, "hubspot-rate", 100, "requests per 10 s allowed by the HubSpot tier (100, 190 or 250)")
	f.StringVar(&c.intercomToken, "intercom-token", "", "Intercom access token (env INTERCOM_TOKEN)")
	f.StringVar(&c.intercomURL, "intercom-url", "", "Intercom API base URL (env INTERCOM_API_URL)")
	f.StringVar(&c.intercomRole, "intercom-role", "lead", "role of contacts created in Intercom: lead or user")
	f.IntVar(&c.intercomPerMin, "intercom-rate", 0, "Intercom requests per minute for this app (0: the client's default)")
	f.StringVar(&c.crm, "crm", "", "which CRM to sync into: hubspot or intercom (env COEXSYNC_CRM; default: the one with a token)")
	f.StringVar(&c.crmRegion, "crm-region", "", "country (ISO code, e.g. US) to read CRM phone values stored without a country code and without a record country (default: the business number's)")
	f.StringVar(&c.crmAccount, "crm-account", "", "label of the CRM account in the local history, e.g. the HubSpot portal id (env COEXSYNC_CRM_ACCOUNT; default: the WABA id)")
	f.DurationVar(&c.crmTimeout, "crm-timeout", 0, "rehearsal override: time limit of one CRM request (env COEXSYNC_CRM_TIMEOUT; default 30s)")
	f.DurationVar(&c.crmSearchLag, "crm-search-lag", 0, "rehearsal override: how long a new CRM record is assumed missing from search before a create in doubt is judged (env COEXSYNC_CRM_SEARCH_LAG; default HubSpot 10s, Intercom 3m); never set it below the CRM's real lag")
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		c.sandboxSet = cmd.Flags().Changed("sandbox")
		return c.fillFromEnv(cmd.Flags())
	}
}

// fillFromEnv sets every flag the user did not give from its variable.
func (c *config) fillFromEnv(flags *pflag.FlagSet) error {
	for name, env := range envDefaults {
		fl := flags.Lookup(name)
		if fl == nil || fl.Changed {
			continue
		}
		if v, ok := c.lookupEnv(env); ok && v != "" {
			if err := fl.Value.Set(v); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	c.crm = strings.ToLower(c.crm)
	switch c.crm {
	case "", "hubspot", "intercom":
	default:
		return fmt.Errorf("--crm %q: want hubspot or intercom", c.crm)
	}
	c.crmRegion = strings.ToUpper(strings.TrimSpace(c.crmRegion))
	if c.crmRegion != "" && phonenumbers.GetCountryCodeForRegion(c.crmRegion) == 0 {
		return fmt.Errorf("--crm-region %q: want a country's two-letter ISO code, e.g. US, GB or BR", c.crmRegion)
	}
	switch c.intercomRole {
	case "lead", "user":
	default:
		return fmt.Errorf("--intercom-role %q: want lead or user", c.intercomRole)
	}
	if c.crmTimeout < 0 || c.crmSearchLag < 0 {
		return fmt.Errorf("--crm-timeout and --crm-search-lag cannot be negative")
	}
	return c.checkRates()
}

// lookupEnv reads one variable of the command's environment.
func (c *config) lookupEnv(name string) (string, bool) {
	if c.getenv == nil {
		return "", false
	}
	return c.getenv(name)
}

// defaultDBPath is store.DefaultPath read from the command's environment.
func (c *config) defaultDBPath() (string, error) { return store.DefaultPathFrom(c.lookupEnv) }

// hubspotTiers are HubSpot's general budgets per 10 s: Free/Starter,
// Professional/Enterprise, and the API capacity pack.
var hubspotTiers = []int{100, 190, 250}

// checkRates refuses budgets the vendors do not have: a wrong HubSpot tier
// either wastes most of the budget or runs into 429s all run long.
func (c *config) checkRates() error {
	if !slices.Contains(hubspotTiers, c.hubspotPer10s) {
		return fmt.Errorf("--hubspot-rate %d: HubSpot allows 100 (Free, Starter), 190 (Professional, Enterprise) or 250 (API capacity pack) requests per 10 seconds; the X-HubSpot-RateLimit-Max header of any answer tells the tier", c.hubspotPer10s)
	}
	if c.intercomPerMin < 0 {
		return fmt.Errorf("--intercom-rate %d: want the app's requests per minute, or 0 for the client's default", c.intercomPerMin)
	}
	return nil
}

// ledgerAccount labels the CRM account in the local ledger: one database
// serves many customers, and a contact created in one customer's CRM must
// never count as synced in the next one's.
func (c *config) ledgerAccount() string {
	if c.crmAccount != "" {
		return c.crmAccount
	}
	if c.wabaID != "" {
		return "waba " + c.wabaID
	}
	return ""
}

// hasMetaCredentials reports whether real Graph API access is configured.
func (c *config) hasMetaCredentials() bool { return c.whatsappToken != "" && c.wabaID != "" }

// hasCRMCredentials reports whether at least one real CRM is configured.
func (c *config) hasCRMCredentials() bool { return c.hubspotToken != "" || c.intercomToken != "" }

// hasAnyCredentials reports whether any secret or account is set, even
// only the webhook's.
func (c *config) hasAnyCredentials() bool {
	return c.hasMetaCredentials() || c.hasCRMCredentials() || c.whatsappToken != "" || c.wabaID != "" ||
		c.appSecret != "" || c.verifyToken != ""
}

// consoleDefaultsToSandbox: the console alone opens on the sandbox by
// itself, and only when nothing real is configured at all; every other
// command needs --sandbox, so real secrets never write sandbox.db and a
// script never runs on fakes by accident.
func (c *config) consoleDefaultsToSandbox() bool {
	return !c.sandboxSet && !c.offline && !c.hasAnyCredentials()
}
