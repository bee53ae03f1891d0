// Package bizapp holds the contact events of a WhatsApp Business App, as
// the smb_app_state_sync webhook (or an imported payload) gives them and
// as the store keeps them. It depends on nothing of coexsync's, so the
// Graph API client uses these types without linking the database.
package bizapp

import "time"

// ContactAction is what a Business App state-sync event did.
type ContactAction string

const (
	ActionAdd    ContactAction = "add"
	ActionRemove ContactAction = "remove"
)

// ContactEvent is one contact add/remove from an smb_app_state_sync webhook
// (or an imported payload). Key is what identifies the contact within the
// number: the phone digits, else the user id, else the username.
type ContactEvent struct {
	NumberID  string // Graph phone number id the event belongs to
	Phone     string // phone_number as given (digits, no +), may be empty
	UserID    string // business-scoped user id (e.g. "US.1349…"), may be empty
	Username  string // WhatsApp username, may be empty
	FullName  string
	FirstName string
	Action    ContactAction
	Timestamp time.Time // metadata.timestamp of the event
	Raw       []byte    // the state_sync item exactly as received
}

// Key identifies the contact within its number.
func (e ContactEvent) Key() string {
	switch {
	case e.Phone != "":
		return e.Phone
	case e.UserID != "":
		return e.UserID
	}
	return e.Username
}

// SaveResult says what storing one payload changed.
type SaveResult struct {
	PayloadID int64
	Duplicate bool // the exact payload was stored before: nothing changed
	Added     int  // contacts new to the store
	Updated   int  // contacts whose name/number changed
	Removed   int  // contacts marked removed
	Unchanged int  // events that changed nothing (replays, older than stored)
}
