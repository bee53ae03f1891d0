// Package phoneindex decides, locally, whether a WhatsApp contact already
// exists in a CRM: every phone value the CRM holds is read once into E.164
// keys (in the record's own country, never the contact's), and contacts
// are looked up by their candidate keys. Pure logic, no I/O.
package phoneindex

import (
	"strings"
	"unicode"

	"coexsync/crm"
	"coexsync/sync/normalize"
)

// Reason is why a stored phone value gives no key.
type Reason string

// Reasons of their own; the others are normalize's codes as they are
// (not_a_number, invalid_country_code, too_short, too_long,
// invalid_number, no_phone_number).
const (
	ReasonEmpty     Reason = "empty"
	ReasonExtension Reason = "extension"  // a desk line: never matched
	ReasonNoCountry Reason = "no_country" // national, and no country to read it in
	// ReasonTwoCountries: digits that are one number with their own
	// country code and another read nationally, with nothing to choose.
	ReasonTwoCountries Reason = "two_countries"
)

// Source says how a value's key was worked out.
type Source string

const (
	SourceInternational Source = "international"  // written with '+' or an exit code
	SourceCalculated    Source = "calculated"     // the vendor's own E.164
	SourceRecordCountry Source = "record_country" // read in the record's country
	SourceDefaultRegion Source = "default_region" // read in the account's default region
)

// Entry is one stored phone value as the index keys it.
type Entry struct {
	Property string
	Raw      string
	E164     string // "" when unreadable
	// Candidates are every E.164 form of the value (E164 first): each is a
	// key of the index.
	Candidates []string
	Region     string // the number's own region
	Source     Source
	Reason     Reason // why unreadable, "" when E164 is set
}

// Readable reports whether the value has a key.
func (e Entry) Readable() bool { return e.E164 != "" }

// Keys reads one stored value. A value with '+' or an exit prefix is
// international. Otherwise it is read in the record's own country
// (recordCountry is the CRM's free text), else in the account's
// defaultRegion — never in the WhatsApp contact's country, which says
// nothing about how the CRM wrote its number. The vendor's calculated
// E.164 (read in its portal's country, which may not be the account's,
// and blind to "MEX") is trusted for a national value when its digits are
// the value's and the value does not read in that region, or carries the
// vendor's country code itself.
// A value with an extension never gets a key.
func Keys(v crm.PhoneValue, recordCountry, defaultRegion string) Entry {
	e := Entry{Property: v.Property, Raw: v.Raw}
	if strings.TrimFunc(v.Raw, ignorable) == "" {
		e.Reason = ReasonEmpty
		return e
	}
	if normalize.HasExtension(v.Raw) {
		e.Reason = ReasonExtension
		return e
	}
	region, source := CountryCode(recordCountry), SourceRecordCountry
	if region == "" {
		region, source = CountryCode(defaultRegion), SourceDefaultRegion
	}
	if explicitInternational(v.Raw) {
		// The region only helps with its own exit code ("0011 44…").
		return e.with(normalize.Stored(v.Raw, region), SourceInternational)
	}
	res := normalize.Stored(v.Raw, region)
	if v.WhatsApp && bareDigits(v.Raw) {
		// A WhatsApp ID carries its country code, yet people type national
		// digits there too: digits that read both ways, differently, are
		// no one's for sure and get no key.
		intl := normalize.Number("+"+strings.TrimFunc(v.Raw, ignorable), "")
		switch {
		case intl.Valid && res.Valid && intl.E164 != res.E164:
			e.Reason = ReasonTwoCountries
			return e
		case intl.Valid:
			return e.with(intl, SourceInternational)
		}
	}
	calc, calcOK := calculated(v)
	// Our own reading wins (the vendor's comes from its portal's country
	// and knows none of the rules above), unless the value carries the
	// vendor's country code itself ("44 7911 123456" beside +447911123456:
	// international without its '+').
	if res.Valid && region != "" && !(calcOK && carriesCode(v.Raw, v.Calculated)) {
		return e.with(res, source)
	}
	if calcOK {
		return e.with(calc, SourceCalculated)
	}
	if !res.Valid && region == "" && res.Reason == normalize.ReasonInvalidCountryCode {
		e.Reason = ReasonNoCountry
		return e
	}
	if res.Valid && region == "" {
		source = SourceInternational // bare digits that carry their own country code
	}
	return e.with(res, source)
}

func (e Entry) with(res normalize.Result, source Source) Entry {
	if !res.Valid {
		e.Reason = Reason(res.Reason)
		return e
	}
	e.E164, e.Candidates, e.Region, e.Source = res.E164, res.Candidates, res.Region, source
	return e
}

// calculated is the vendor's E.164 for v when it is valid and its national
// digits end the raw value's digits: a stale or foreign calculation is not
// trusted over the value itself.
func calculated(v crm.PhoneValue) (normalize.Result, bool) {
	if v.Calculated == "" || !explicitInternational(v.Calculated) {
		return normalize.Result{}, false
	}
	res := normalize.Number(v.Calculated, "")
	nsn := normalize.NationalDigits(v.Calculated)
	if !res.Valid || nsn == "" || !strings.HasSuffix(Digits(v.Raw), nsn) {
		return normalize.Result{}, false
	}
	return res, true
}

// carriesCode reports whether raw is calc written with its country code
// as a group of its own and no '+' ("44 7911 123456" for +447911123456):
// bare digits ("13512345678", a Chinese mobile that a US portal reads as
// +1 351…) say nothing of where the country code ends, and a leading "1"
// counts only grouped the North American way ("1 55 1234 5678" is
// Mexico's old mobile form).
func carriesCode(raw, calc string) bool {
	digits := Digits(raw)
	first := strings.FieldsFunc(raw, func(r rune) bool { return !unicode.IsDigit(r) })
	if len(first) < 2 {
		return false
	}
	code := Digits(first[0])
	if code+normalize.NationalDigits(calc) != digits || "+"+digits != strings.TrimSpace(calc) {
		return false
	}
	return code != "1" || normalize.NANPShaped(raw)
}

// bareDigits reports whether s is ASCII digits only, spaces around aside.
func bareDigits(s string) bool {
	s = strings.TrimFunc(s, ignorable)
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// explicitInternational reports whether s is written with '+' or "00"
// before its first digit (a region's own exit code such as "011" is left
// to the regional reading, which knows it).
func explicitInternational(s string) bool {
	for _, r := range s {
		switch {
		case r == '+' || r == '＋':
			return true
		case unicode.IsDigit(r):
			return strings.HasPrefix(Digits(s), "00")
		case ignorable(r) || strings.ContainsRune("()-./[]", r):
		default:
			return false
		}
	}
	return false
}

// Digits is the decimal digits of s as ASCII, whatever their script.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteByte(byte('0' + digitValue(r)))
		}
	}
	return b.String()
}

// digitValue is the value of a Unicode decimal digit: Unicode keeps each
// script's digits in one run of ten starting at zero.
func digitValue(r rune) int {
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10
}

// ignorable is whitespace of any kind and the invisible format marks that
// ride along with copied numbers.
func ignorable(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }
