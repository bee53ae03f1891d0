package intercom

import "time"

// Every Intercom limit lives here so the client and the fake
// (intercomtest) obey and enforce the very same numbers.
const (
	// DefaultBaseURL is Intercom's US region.
	DefaultBaseURL = "https://api.intercom.io"
	// APIVersion is sent as Intercom-Version on every request.
	APIVersion = "2.14"

	// DefaultPerMinute is the documented per-app budget of a private app.
	DefaultPerMinute = 10000
	// RateWindow is how Intercom enforces the per-minute budget: in
	// 10-second windows of PerMinute/WindowsPerMinute calls each.
	RateWindow       = 10 * time.Second
	WindowsPerMinute = 6

	// MaxNesting is the documented limit on nested search groups: a group
	// may hold groups, which may hold only filters.
	MaxNesting = 2
	// MaxFiltersPerGroup is the documented limit of filters in one AND/OR group.
	MaxFiltersPerGroup = 15
	// MaxInValues caps the values of one IN filter. Intercom does not
	// document a number; 100 is a conservative choice both sides share.
	MaxInValues = 100
	// MaxPerPage and DefaultPerPage are the documented search page sizes.
	MaxPerPage     = 150
	DefaultPerPage = 50

	// PhoneVariants is how many spellings one E.164 number is searched
	// under: E.164, its digits, and the international and national formats
	// people type (Intercom's phone search compares the stored text).
	PhoneVariants = 4
	// FindBatch is the most numbers one search query covers: one OR group
	// of MaxFiltersPerGroup IN filters, each holding MaxInValues variants.
	FindBatch = MaxFiltersPerGroup * MaxInValues / PhoneVariants

	// CreateBatch and UpdateBatch are how many items one Create/SetNames
	// call takes. Intercom has no bulk endpoint: the client pipelines
	// single calls, so these only bound the work between engine checkpoints.
	CreateBatch = 50
	UpdateBatch = 50
	// DefaultConcurrency is how many single creates/updates are in flight.
	DefaultConcurrency = 6

	// DefaultSearchLag: Intercom says a new contact may be missing from
	// search for "a few minutes".
	DefaultSearchLag = 3 * time.Minute
)

// WindowBudget is the number of calls allowed in one RateWindow for a
// per-minute budget (at least one).
func WindowBudget(perMinute int) int {
	if b := perMinute / WindowsPerMinute; b > 0 {
		return b
	}
	return 1
}
