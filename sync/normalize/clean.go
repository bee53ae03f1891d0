package normalize

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// maxRawLen bounds the input in bytes: nothing longer is a phone number, and
// the parser should never be handed unbounded text from outside.
const maxRawLen = 250

// form is how a cleaned number was written, which decides how it is read.
type form int

const (
	// formInternational: written with '+' or the "00" international prefix.
	formInternational form = iota
	// formBareDigits: digits only, the way WhatsApp IDs arrive.
	formBareDigits
	// formWritten: digits with separators and no '+': typed by a person.
	formWritten
)

// cleaned is raw text reduced to ASCII digits, '+' and punctuation.
type cleaned struct {
	text string
	form form
}

// clean maps raw to ASCII and classifies it, or says why it is not a phone
// number at all. It never parses: that is the library's job.
func clean(raw string) (cleaned, *failure) {
	if len(raw) > maxRawLen {
		return cleaned{}, fail(ReasonTooLong, msgTooLong)
	}
	if allDigits(raw) {
		// The shape of every WhatsApp ID: nothing to map or trim.
		return cleaned{text: raw, form: formOf(raw)}, nil
	}
	var b strings.Builder
	b.Grow(len(raw))
	letters, digits := false, 0
	for _, r := range raw {
		switch {
		case r == '@':
			// "@janedoe": a WhatsApp username, whatever follows.
			return cleaned{}, fail(ReasonNoPhoneNumber, msgNoPhoneNumber)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case unicode.IsDigit(r):
			// Arabic-Indic, Persian, full-width… digits: contacts saved on
			// phones set to those scripts keep them.
			b.WriteByte(byte('0' + digitValue(r)))
			digits++
		case r == '＋':
			b.WriteByte('+')
		case unicode.IsLetter(r):
			letters = true
			b.WriteRune(r)
		case unicode.Is(unicode.Cf, r):
			// Bidi and zero-width marks ride along when numbers are copied
			// from right-to-left text; they carry no meaning.
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	text := strings.TrimSpace(b.String())
	if text == "" {
		return cleaned{}, fail(ReasonEmpty, msgEmpty)
	}
	if letters {
		return cleaned{}, classifyLetters(text, digits)
	}
	if digits == 0 {
		return cleaned{}, fail(ReasonNotANumber, msgNotANumber)
	}
	return cleaned{text: text, form: formOf(text)}, nil
}

// classifyLetters explains text that has letters: an extension is a desk
// line (a WhatsApp number never has one, so matching on it could merge two
// people); a single word such as "james_571" or a business-scoped user ID
// such as "US.13491208655302741918" is a WhatsApp username or user ID;
// anything else ("call me", "ask Ana") is just not a phone number, and the
// agent needs to hear that rather than be told about usernames.
func classifyLetters(text string, digits int) *failure {
	if digits > 0 {
		number, ext := phonenumbers.MaybeSeparateExtensionFromPhone(text)
		if ext != "" && !strings.ContainsFunc(number, unicode.IsLetter) {
			return fail(ReasonInvalidNumber, msgExtension)
		}
	}
	if strings.ContainsFunc(text, unicode.IsSpace) {
		return fail(ReasonNotANumber, msgNotANumber)
	}
	return fail(ReasonNoPhoneNumber, msgNoPhoneNumber)
}

// leadingSeparators may come before a number's first digit or '+'.
const leadingSeparators = " ()-./[]"

// formOf tells international, bare-digit and person-written numbers apart.
func formOf(text string) form {
	lead := strings.TrimLeft(text, leadingSeparators)
	if strings.HasPrefix(lead, "+") || strings.HasPrefix(lead, "00") {
		return formInternational
	}
	if allDigits(text) {
		return formBareDigits
	}
	return formWritten
}

// international rewrites an international-form number with a single
// leading '+', so "00" works whatever the region's own exit code is.
func international(text string) string {
	lead := strings.TrimLeft(text, leadingSeparators)
	if strings.HasPrefix(lead, "00") {
		return "+" + lead[2:]
	}
	return lead
}

// digitValue is the value of a Unicode decimal digit. Unicode keeps every
// decimal digit (category Nd) in contiguous runs of ten from zero, so the
// value is the distance from the start of its run, modulo ten.
func digitValue(r rune) int {
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10
}
