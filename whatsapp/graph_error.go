package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"coexsync/internal/httpcore"
	"coexsync/internal/vendortext"
)

// Graph API error codes coexsync acts on.
const (
	CodeUnknown        = 1      // API unknown: temporary
	CodeService        = 2      // API service: temporary
	CodeThrottled      = 4      // application request limit
	CodePermission     = 10     // permission denied
	CodeInvalidParam   = 100    // invalid parameter / unknown object
	CodePermissionAlt  = 200    // permission error
	CodeTokenInvalid   = 190    // access token invalid or expired
	CodeBizThrottled   = 80007  // WABA rate limit
	CodeGenericRetry   = 131000 // something went wrong
	CodeThroughputHit  = 130429 // Cloud API throughput reached
	SubcodeUnknownNode = 33     // object does not exist or no permission on it
)

// Meta does not document how it refuses a contact sync request. It was
// seen to refuse a second (or late) smb_app_data request with code 4, the
// code that elsewhere means "application request limit", and a localized
// message: on that endpoint code 4 is read as a refusal (never retried),
// whatever the text says. The subcodes below are coexsync's own and are
// still understood for answers that carry them.
const (
	// SubcodeSyncRefused: the one-time contact sync was already requested,
	// or the 24 h window after onboarding has passed.
	SubcodeSyncRefused = 2494100
	// SubcodeNotOnBizApp: the number is not a Coexistence number.
	SubcodeNotOnBizApp = 2494101
)

// Kinds of GraphError that did not come as a Graph error body.
const (
	TypeNetwork     = "network_error" // no answer
	TypeBadResponse = "bad_response"  // an answer that is not what Graph sends
)

// GraphError is a failed Graph API call: Meta's error body, or (Type
// TypeNetwork / TypeBadResponse) a call that got no readable answer.
// Message is Meta's text, cleaned; it never holds the token or app secret.
type GraphError struct {
	Status  int // HTTP status, 0 when there was no answer
	Code    int
	Subcode int
	Type    string
	Message string
	TraceID string // fbtrace_id, for Meta support
	// idempotent marks calls that are safe to repeat after an answer was
	// lost (GET); a lost POST may have reached Meta already.
	idempotent bool
	// syncRequest marks an answer to the one-time contact sync request
	// (smb_app_data), where code 4 is a refusal, not throttling.
	syncRequest bool
}

func (e *GraphError) Error() string {
	var b strings.Builder
	b.WriteString("graph api")
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, ": code %d", e.Code)
		if e.Subcode != 0 {
			fmt.Fprintf(&b, "/%d", e.Subcode)
		}
	}
	if e.Type != "" {
		fmt.Fprintf(&b, " (%s)", e.Type)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.TraceID != "" {
		b.WriteString(" [fbtrace_id " + e.TraceID + "]")
	}
	return b.String()
}

// Throttled reports a rate or throughput limit.
func (e *GraphError) Throttled() bool {
	if e.SyncRefused() {
		return false
	}
	switch e.Code {
	case CodeThrottled, CodeBizThrottled, CodeThroughputHit:
		return true
	}
	return e.Code == 0 && e.Status == 429
}

// Temporary reports whether the same call may succeed if made again.
func (e *GraphError) Temporary() bool {
	switch {
	case e.Throttled():
		return true
	case e.Code == CodeGenericRetry || e.Code == CodeUnknown || e.Code == CodeService:
		return true
	case e.Status >= 500:
		return true
	case e.Type == TypeNetwork:
		return e.idempotent
	case e.Type == TypeBadResponse:
		// A cut-off success may come whole next time; a 4xx page that is
		// not Graph's (wrong base URL) will not.
		return e.idempotent && e.Status < 300
	}
	return false
}

// RetryHint tells the retry loop whether to repeat the call, and why.
func (e *GraphError) RetryHint() httpcore.Hint {
	return httpcore.Hint{Retry: e.Temporary(), Reason: e.retryReason(), Detail: e.Message}
}

func (e *GraphError) retryReason() string {
	switch {
	case e.Throttled():
		return httpcore.ReasonRateLimited
	case e.Type == TypeNetwork:
		return httpcore.ReasonNetwork
	case e.Type == TypeBadResponse:
		return httpcore.ReasonBadResponse
	}
	return httpcore.ReasonServerError
}

// SyncRefused reports that Meta will not run the contact sync for this
// number again: it was requested before or its window has passed.
func (e *GraphError) SyncRefused() bool {
	return (e.syncRequest && e.Code == CodeThrottled) ||
		(e.Code == CodeInvalidParam && e.Subcode == SubcodeSyncRefused)
}

// Hint is a sentence an agent can act on.
func (e *GraphError) Hint() string {
	switch {
	case e.Code == CodeTokenInvalid:
		return "The WhatsApp access token is invalid or expired; create a new system user token and run again."
	case e.Code == CodePermission || (e.Code >= CodePermissionAlt && e.Code <= 299):
		return "The token lacks a permission: grant whatsapp_business_management (and access to this WhatsApp Business Account) to the system user, then run again."
	case e.SyncRefused():
		return "Meta refused the contact sync: the one-time request for this number is spent (it can be made once, within 24 hours of onboarding), so do not request it again. Contacts already received are kept; new edits still arrive by webhook. To get the full list again the number must be offboarded and onboarded anew."
	case e.Code == CodeInvalidParam && e.Subcode == SubcodeNotOnBizApp:
		return "This number is not on the WhatsApp Business App (not a Coexistence number), so it has no Business App contacts to sync."
	case e.Code == CodeInvalidParam:
		return "Meta rejected a parameter: check the WhatsApp Business Account ID and the phone number ID (the number may not belong to this account)."
	case e.Throttled():
		return "Meta is throttling requests; wait a few minutes and try again."
	case e.Type == TypeNetwork:
		return "The Graph API could not be reached; check the network and the configured base URL."
	case e.Type == TypeBadResponse:
		return "The Graph API answered with something unreadable; try again later, and check the base URL if it persists."
	case e.Temporary():
		return "Meta had a temporary failure; try again in a few minutes."
	}
	return "Meta refused the request; read the message, and quote the fbtrace_id when asking Meta support."
}

// IsSyncRefused reports whether err is Meta refusing a repeated or late
// contact sync request.
func IsSyncRefused(err error) bool {
	var ge *GraphError
	return errors.As(err, &ge) && ge.SyncRefused()
}

type graphErrorBody struct {
	Error *struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// parseGraphError reads a non-2xx answer. Outside text is cleaned and any
// copy of a secret removed before it can reach an error string.
func parseGraphError(status int, body []byte, secrets ...string) *GraphError {
	var eb graphErrorBody
	if err := json.Unmarshal(body, &eb); err != nil || eb.Error == nil {
		return &GraphError{Status: status, Type: TypeBadResponse, Message: "answer is not a Graph error body"}
	}
	return &GraphError{
		Status:  status,
		Code:    eb.Error.Code,
		Subcode: eb.Error.Subcode,
		Type:    cleanText(eb.Error.Type, 60, secrets),
		Message: cleanText(eb.Error.Message, 300, secrets),
		TraceID: cleanText(eb.Error.FBTraceID, 60, secrets),
	}
}

// cleanText makes outside text safe for a log line: secrets removed,
// control characters (terminal escapes) dropped, length capped.
func cleanText(s string, max int, secrets []string) string {
	return vendortext.Safe(s, max, secrets...)
}
