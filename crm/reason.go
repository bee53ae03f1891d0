package crm

import (
	"fmt"
	"time"
)

// Reason is a typed cause of a failed call or item.
type Reason string

// Reason codes shared by both CRM clients.
const (
	ReasonRateLimited  Reason = "rate_limited"
	ReasonInvalidPhone Reason = "invalid_phone"
	ReasonValidation   Reason = "validation_error"
	ReasonConflict     Reason = "conflict"
	ReasonUnauthorized Reason = "unauthorized"
	ReasonForbidden    Reason = "forbidden"
	ReasonNotFound     Reason = "not_found"
	ReasonServerError  Reason = "server_error"
	ReasonTimeout      Reason = "timeout"
	ReasonBadResponse  Reason = "bad_response"
	ReasonNetwork      Reason = "network_error"
)

// Sentence is what a support agent can do about the reason.
func (r Reason) Sentence() string {
	switch r {
	case ReasonRateLimited:
		return "The CRM rate limit was hit repeatedly; retry the failed contacts later."
	case ReasonInvalidPhone:
		return "The CRM rejected the phone number; check it with the customer and fix it in the Business App."
	case ReasonValidation:
		return "The CRM rejected the contact's data; see the CRM message for the field to fix."
	case ReasonConflict:
		return "The CRM already holds a contact with this identity; review it in the CRM."
	case ReasonUnauthorized:
		return "The CRM token was refused; create a new token and run again."
	case ReasonForbidden:
		return "The CRM token lacks a permission (contacts read and write); grant it and run again."
	case ReasonNotFound:
		return "The CRM record no longer exists; run the sync again to create it."
	case ReasonServerError:
		return "The CRM kept failing with server errors; retry the failed contacts later."
	case ReasonTimeout:
		return "The CRM did not answer in time; retry the failed contacts later."
	case ReasonBadResponse:
		return "The CRM answered with something unreadable; retry later, and report it if it persists."
	case ReasonNetwork:
		return "The CRM could not be reached; check the network and retry the failed contacts."
	}
	return "The CRM refused the contact."
}

// Error is a failed CRM call or item. Message is the vendor's own text
// (never a token); render it through a sanitizer, it came from outside.
type Error struct {
	Reason     Reason
	Status     int           // HTTP status, 0 when there was no response
	Message    string        // vendor message, may be empty
	RetryAfter time.Duration // when the vendor said how long to wait
	Err        error         // underlying cause, if any
}

func (e *Error) Error() string {
	msg := string(e.Reason)
	if e.Status != 0 {
		msg = fmt.Sprintf("%s (HTTP %d)", msg, e.Status)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same call may succeed if retried later.
func (e *Error) Temporary() bool {
	switch e.Reason {
	case ReasonRateLimited, ReasonServerError, ReasonTimeout, ReasonBadResponse, ReasonNetwork:
		return true
	}
	return false
}
