package hubspot

import "time"

// HubSpot's limits, shared by the client and the fake so both agree on
// what a valid request is. Sources: the current CRM search guide (filter
// limits; stricter than the August 2024 changelog's 10/25) and the
// developer changelog (search rate limit).
const (
	MaxFilterGroups    = 5     // filterGroups ORed in one search
	MaxFiltersPerGroup = 6     // filters ANDed inside one group
	MaxFiltersTotal    = 18    // across all groups of one search
	MaxSearchLimit     = 200   // results per search page
	MaxSearchResults   = 10000 // results one query can page through
	MaxInValues        = 100   // values of one IN filter (not documented; our own cap)
	MaxBatchInputs     = 100   // inputs per batch create/update

	// SearchPerSecond is the search endpoint's own budget per token. The
	// spec exempts search from the ten-secondly budget, so a search is
	// charged to this one only (the guide now says 5; 4 is the safe figure).
	SearchPerSecond = 4
	SearchInterval  = time.Second

	// General budget per private app and account, per rolling 10 s. The
	// X-HubSpot-RateLimit-Max header tells the account's figure; the
	// client starts at the lowest tier until it has seen one.
	GeneralPer10s             = 100 // Free and Starter
	GeneralPer10sProfessional = 190 // Professional and Enterprise
	GeneralPer10sCapacityPack = 250 // with the API capacity pack
	GeneralInterval           = 10 * time.Second

	// Search sees a record only after it is indexed.
	CreateSearchLag = 10 * time.Second
	UpdateSearchLag = 60 * time.Second
)

// Policy names HubSpot puts in 429 bodies (a search 429 carries none).
const (
	PolicyTenSecondly = "TEN_SECONDLY_ROLLING"
	PolicySecondly    = "SECONDLY"
	PolicyDaily       = "DAILY"
)

// Rate-limit headers on non-search responses; search responses carry the
// daily pair only.
const (
	HeaderMax            = "X-HubSpot-RateLimit-Max"
	HeaderRemaining      = "X-HubSpot-RateLimit-Remaining"
	HeaderInterval       = "X-HubSpot-RateLimit-Interval-Milliseconds"
	HeaderDaily          = "X-HubSpot-RateLimit-Daily"
	HeaderDailyRemaining = "X-HubSpot-RateLimit-Daily-Remaining"
	HeaderSecondly       = "X-HubSpot-RateLimit-Secondly"
	HeaderSecondlyLeft   = "X-HubSpot-RateLimit-Secondly-Remaining"

	// maxTier bounds a believable X-HubSpot-RateLimit-Max.
	maxTier = 10000
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
