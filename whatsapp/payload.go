package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"coexsync/bizapp"
	"coexsync/internal/vendortext"
)

// ObjectWABA is the only webhook object coexsync accepts.
const ObjectWABA = "whatsapp_business_account"

// FieldStateSync is the webhook field that carries Business App contacts.
const FieldStateSync = "smb_app_state_sync"

// ErrNotWhatsApp means a body parsed as JSON but is not a WhatsApp Business
// Account webhook.
var ErrNotWhatsApp = errors.New("not a whatsapp_business_account webhook")

// Parsed is everything one webhook body yielded.
type Parsed struct {
	Events []bizapp.ContactEvent
	// StateSyncChanges counts the smb_app_state_sync changes in the body;
	// zero means the body was about something else (messages, statuses…).
	StateSyncChanges int
	// Warnings name the items that were skipped and why (no identifier,
	// unknown action, unreadable timestamp). Items are skipped, not fatal,
	// so one odd contact never costs the rest of the body.
	Warnings []string
}

type webhookBody struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string          `json:"field"`
			Value json.RawMessage `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type stateSyncValue struct {
	Metadata struct {
		PhoneNumberID string `json:"phone_number_id"`
	} `json:"metadata"`
	StateSync []json.RawMessage `json:"state_sync"`
}

type stateSyncItem struct {
	Type    string `json:"type"`
	Action  string `json:"action"`
	Contact struct {
		PhoneNumber string `json:"phone_number"`
		UserID      string `json:"user_id"`
		Username    string `json:"username"`
		FullName    string `json:"full_name"`
		FirstName   string `json:"first_name"`
	} `json:"contact"`
	Metadata struct {
		Timestamp json.RawMessage `json:"timestamp"`
	} `json:"metadata"`
}

// ParsePayload returns the contact events of one webhook body.
func ParsePayload(body []byte) ([]bizapp.ContactEvent, error) {
	p, err := Parse(body)
	return p.Events, err
}

// Parse reads one webhook body. The body must be a whatsapp_business_account
// object; fields other than smb_app_state_sync and unknown keys are ignored.
func Parse(body []byte) (Parsed, error) {
	var wb webhookBody
	if err := json.Unmarshal(body, &wb); err != nil {
		return Parsed{}, fmt.Errorf("malformed webhook JSON: %w", err)
	}
	if wb.Object != ObjectWABA {
		return Parsed{}, fmt.Errorf("%w (object %q)", ErrNotWhatsApp, vendortext.Clip(wb.Object, 40))
	}
	var p Parsed
	for ei, entry := range wb.Entry {
		for ci, change := range entry.Changes {
			if change.Field != FieldStateSync {
				continue
			}
			where := fmt.Sprintf("entry %d change %d", ei, ci)
			if err := p.addChange(where, change.Value); err != nil {
				return Parsed{}, err
			}
		}
	}
	return p, nil
}

func (p *Parsed) addChange(where string, raw json.RawMessage) error {
	p.StateSyncChanges++
	var v stateSyncValue
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("%s: malformed smb_app_state_sync value: %w", where, err)
	}
	numberID := strings.TrimSpace(v.Metadata.PhoneNumberID)
	if numberID == "" {
		return fmt.Errorf("%s: smb_app_state_sync without metadata.phone_number_id", where)
	}
	for i, itemRaw := range v.StateSync {
		ev, warn := parseItem(numberID, itemRaw)
		if warn != "" {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s item %d: %s", where, i, warn))
		}
		if ev != nil {
			p.Events = append(p.Events, *ev)
		}
	}
	return nil
}

// parseItem turns one state_sync item into an event, or says why it was
// skipped. Non-contact items are skipped silently: they are not ours.
func parseItem(numberID string, raw json.RawMessage) (*bizapp.ContactEvent, string) {
	var it stateSyncItem
	if err := json.Unmarshal(raw, &it); err != nil {
		return nil, "unreadable item, skipped"
	}
	if it.Type != "contact" {
		return nil, ""
	}
	action := bizapp.ContactAction(it.Action)
	if action != bizapp.ActionAdd && action != bizapp.ActionRemove {
		return nil, fmt.Sprintf("unknown action %q, skipped", vendortext.Clip(it.Action, 20))
	}
	ev := bizapp.ContactEvent{
		NumberID:  numberID,
		Phone:     strings.TrimSpace(it.Contact.PhoneNumber),
		UserID:    strings.TrimSpace(it.Contact.UserID),
		Username:  strings.TrimSpace(it.Contact.Username),
		FullName:  it.Contact.FullName,
		FirstName: it.Contact.FirstName,
		Action:    action,
		Raw:       append([]byte(nil), raw...),
	}
	if ev.Key() == "" {
		return nil, "contact without phone_number, user_id or username, skipped"
	}
	ts, ok := parseUnix(it.Metadata.Timestamp)
	ev.Timestamp = ts
	if !ok {
		return &ev, "unreadable metadata.timestamp, kept without a time"
	}
	return &ev, ""
}

// parseUnix reads Unix seconds given as a JSON string or number. A missing
// timestamp is fine (zero time); a present but unreadable one is reported.
func parseUnix(raw json.RawMessage) (time.Time, bool) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, true
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, false
		}
		s = strings.TrimSpace(s)
	}
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || f < 0 || f > maxUnix {
			return time.Time{}, false
		}
		secs = int64(f)
	}
	if secs < 0 || secs > maxUnix {
		return time.Time{}, false
	}
	return time.Unix(secs, 0).UTC(), true
}

// maxUnix (year 9999) keeps absurd timestamps out of the store.
const maxUnix = 253402300799

// Sign returns the X-Hub-Signature-256 header value Meta sends for body.
func Sign(secret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(hmacSHA256(secret, body))
}

// validSignature checks an X-Hub-Signature-256 header in constant time.
func validSignature(secret string, body []byte, header string) bool {
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	return hmac.Equal(got, hmacSHA256(secret, body))
}

func hmacSHA256(key string, msg []byte) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(msg)
	return m.Sum(nil)
}
