package normalize

import (
	"errors"

	"github.com/nyaruka/phonenumbers"
)

// Messages are fixed sentences: raw text from outside never goes into them,
// so they are safe to show and log as they are.
const (
	msgEmpty           = "The phone number is empty."
	msgNotANumber      = "This is not a phone number: use only digits, spaces, punctuation and a leading '+'."
	msgNoPhoneNumber   = "This contact has a WhatsApp username or user ID instead of a phone number, so it cannot be matched by phone: ask the customer for the number and add it in the CRM by hand."
	msgCountryCode     = "The country code is not valid: write the number with '+' and its country code, e.g. +44 20 7946 0958."
	msgNoCountry       = "The number has no country code and no usable region was given: write it with '+' and its country code, or set the region."
	msgTooShort        = "The number has too few digits for its country: check for missing digits or a missing country code."
	msgTooLong         = "The number has too many digits for its country: check for extra digits or two numbers in one field."
	msgInvalidNumber   = "The number does not exist in its country's numbering plan: check the digits and the country code."
	msgExtension       = "The number has an extension: that is a desk line, never a WhatsApp number, so it is not matched."
	msgInvalidForField = "The number could not be read: check it and write it with '+' and its country code."
)

// NoPhone is the result for a contact that carries a WhatsApp username or
// user ID and no phone number at all: there is nothing to parse.
func NoPhone(raw string) Result {
	return Result{Raw: raw, Reason: ReasonNoPhoneNumber, Message: msgNoPhoneNumber}
}

// Reasons lists every reason code, for documentation and filters.
func Reasons() []Reason {
	return []Reason{
		ReasonEmpty,
		ReasonNotANumber,
		ReasonInvalidCountryCode,
		ReasonTooShort,
		ReasonTooLong,
		ReasonInvalidNumber,
		ReasonNoPhoneNumber,
	}
}

// failure is why one reading of a number did not give a valid one.
type failure struct {
	reason  Reason
	message string
}

func fail(reason Reason, message string) *failure {
	return &failure{reason: reason, message: message}
}

// parseFailure maps a parser error to a reason.
func parseFailure(err error) *failure {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return fail(ReasonInvalidCountryCode, msgCountryCode)
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return fail(ReasonTooShort, msgTooShort)
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return fail(ReasonTooLong, msgTooLong)
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return fail(ReasonNotANumber, msgNotANumber)
	}
	return fail(ReasonNotANumber, msgInvalidForField)
}

// invalidFailure says why a parsed number is not valid, from its length.
func invalidFailure(pn *phonenumbers.PhoneNumber) *failure {
	if overE164(pn.GetCountryCode(), phonenumbers.GetNationalSignificantNumber(pn)) {
		return fail(ReasonTooLong, msgTooLong)
	}
	switch phonenumbers.IsPossibleNumberWithReason(pn) {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return fail(ReasonInvalidCountryCode, msgCountryCode)
	case phonenumbers.TOO_SHORT:
		return fail(ReasonTooShort, msgTooShort)
	case phonenumbers.TOO_LONG:
		return fail(ReasonTooLong, msgTooLong)
	}
	return fail(ReasonInvalidNumber, msgInvalidNumber)
}
