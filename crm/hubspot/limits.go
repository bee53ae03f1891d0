package hubspot

import "time"

// HubSpot's limits, shared by the client and the fake so both agree on
// what a valid request is. Sources: the CRM search docs and the developer
// changelog (August 2024 search limits; search rate limit increase).
const (
	MaxFilterGroups    = 5     // the spec text says 6; the changelog's 5 is enforced
	MaxFiltersPerGroup = 10    // filters ANDed inside one group
	MaxFiltersTotal    = 25    // across all groups of one search
	MaxSearchLimit     = 200   // results per search page
	MaxSearchResults   = 10000 // results one query can page through
	MaxInValues        = 100   // values of one IN filter (not documented; our own cap)
	MaxBatchInputs     = 100   // inputs per batch create/update

	// SearchPerSecond is the search endpoint's own budget per token.
	SearchPerSecond = 4
	SearchInterval  = time.Second

	// General budget per private app and account, per rolling 10 s.
	GeneralPer10s             = 100 // Free and Starter
	GeneralPer10sProfessional = 190 // Professional and Enterprise
	GeneralPer10sCapacityPack = 250 // with the API capacity pack
	GeneralInterval           = 10 * time.Second

	// Search sees a record only after it is indexed.
	CreateSearchLag = 10 * time.Second
	UpdateSearchLag = 60 * time.Second
)

// Policy names HubSpot puts in 429 bodies.
const (
	PolicyTenSecondly = "TEN_SECONDLY_ROLLING"
	PolicySecondly    = "SECONDLY"
	PolicyDaily       = "DAILY"
)

// Rate-limit headers on non-search responses.
const (
	HeaderMax            = "X-HubSpot-RateLimit-Max"
	HeaderRemaining      = "X-HubSpot-RateLimit-Remaining"
	HeaderInterval       = "X-HubSpot-RateLimit-Interval-Milliseconds"
	HeaderDaily          = "X-HubSpot-RateLimit-Daily"
	HeaderDailyRemaining = "X-HubSpot-RateLimit-Daily-Remaining"
)

// API paths (CRM contacts v3).
const (
	PathSearch      = "/crm/v3/objects/contacts/search"
	PathBatchCreate = "/crm/v3/objects/contacts/batch/create"
	PathBatchUpdate = "/crm/v3/objects/contacts/batch/update"
)

// Contact properties the client reads and writes.
const (
	PropFirstName        = "firstname"
	PropLastName         = "lastname"
	PropPhone            = "phone"
	PropMobile           = "mobilephone"
	PropCalculatedPhone  = "hs_calculated_phone_number"
	PropCalculatedMobile = "hs_calculated_mobile_number"
	PropSearchablePhone  = "hs_searchable_calculated_phone_number"
	PropSearchableMobile = "hs_searchable_calculated_mobile_number"
	PropWhatsAppPhone    = "hs_whatsapp_phone_number"
)
