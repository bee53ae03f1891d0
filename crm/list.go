package crm

import (
	"context"
	"time"
)

// Lister reads a CRM account's contact records page by page, so that
// matching can be decided against a local index of every stored phone
// value instead of the vendor's exact-text search.
type Lister interface {
	// ListPage returns one page of every contact record, in the vendor's
	// stable order; cursor is "" for the first page and Page.Next for the
	// following ones ("" when there are no more).
	ListPage(ctx context.Context, cursor string) (Page, error)
	// ChangedPage returns records modified at or after since, for an
	// incremental refresh; cursor as in ListPage (once given, it carries
	// the watermark on and since is ignored). Oldest first where the
	// vendor can sort (HubSpot; Intercom's search cannot), so advance the
	// watermark only after the last page, to the newest UpdatedAt seen. A
	// record may come twice (modified again meanwhile), and a page may
	// hold no record while Next is set. Vendor search sees a change only
	// after its index lag: keep the watermark that far behind the clock.
	// Archivals and deletions do not show here.
	ChangedPage(ctx context.Context, since time.Time, cursor string) (Page, error)
	// ReadByIDs reads records by id, to confirm an index match before a
	// contact is skipped: ids missing from the result no longer exist
	// (deleted, or on Intercom possibly archived), and archived records
	// the vendor still returns come back with Archived set. Records come
	// in the order of ids, each once.
	ReadByIDs(ctx context.Context, ids []string) ([]IndexedRecord, error)
}

// Page is one page of records.
type Page struct {
	Records []IndexedRecord
	Next    string // cursor of the next page, "" at the end
	// Total is the vendor's count of all matching records, 0 when unknown
	// (HubSpot list pages carry none); for Intercom's ChangedPage it counts
	// the wider day-based match the client narrows.
	Total int
}

// IndexedRecord is a CRM record as the local index keeps it.
type IndexedRecord struct {
	ID        string
	Name      string // display name ("" when none)
	FirstName string
	LastName  string
	// Country is the record's own country as stored: HubSpot's free-text
	// `country` property, Intercom's `location.country`. "" when unknown.
	Country   string
	Phones    []PhoneValue
	UpdatedAt time.Time // the vendor's last-modified time
	Archived  bool
}

// HasName reports whether the record carries any name.
func (r IndexedRecord) HasName() bool {
	return r.Name != "" || r.FirstName != "" || r.LastName != ""
}

// PhoneValue is one phone-bearing property of a record.
type PhoneValue struct {
	Property string // e.g. "phone", "mobilephone", "hs_whatsapp_phone_number"
	Raw      string // exactly as stored
	// Calculated is the vendor's own E.164 for this value when it has one
	// (HubSpot hs_calculated_phone_number / hs_calculated_mobile_number).
	Calculated string
	// WhatsApp marks the vendor's WhatsApp number field (HubSpot
	// hs_whatsapp_phone_number): bare digits there are a WhatsApp ID, which
	// starts with its country code.
	WhatsApp bool
}
