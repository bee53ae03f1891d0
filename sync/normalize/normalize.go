// Package normalize turns the phone numbers WhatsApp Business App contacts
// carry into E.164, the key coexsync matches CRM records by, or into a typed
// reason an agent can act on.
//
// How a number without '+' is read depends on how it is written:
//   - '+' or a "00"/region exit prefix: international.
//   - digits only: the way WhatsApp IDs arrive (country code, no '+'), so
//     international when that is a valid number, else national in the region.
//   - digits with separators ("(201) 555-0123"): typed by a person, who
//     writes national numbers that way, so national first, else international.
//
// A valid national reading is never also offered as a candidate: a second
// reading is another person, and a wrong key is worse than no key.
package normalize

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Reason is why a number could not be normalized.
type Reason string

// Reasons, stable codes stored with outcomes.
const (
	ReasonEmpty              Reason = "empty"
	ReasonNotANumber         Reason = "not_a_number"
	ReasonInvalidCountryCode Reason = "invalid_country_code"
	ReasonTooShort           Reason = "too_short"
	ReasonTooLong            Reason = "too_long"
	ReasonInvalidNumber      Reason = "invalid_number"
	ReasonNoPhoneNumber      Reason = "no_phone_number" // WhatsApp username / business-scoped user id
)

// Result is the normalization of one raw number.
type Result struct {
	Raw     string `json:"raw"`
	E164    string `json:"e164"` // canonical key, "" when not valid
	Valid   bool   `json:"valid"`
	Reason  Reason `json:"reason,omitempty"`
	Message string `json:"message,omitempty"` // human sentence for Reason
	// Candidates are every E.164 form under which the same person may
	// already be stored in a CRM, E164 first. Used for matching only.
	Candidates []string `json:"candidates,omitempty"`
	Region     string   `json:"-"` // ISO region of the number, when valid
}

// Number normalizes raw with region (ISO 3166 alpha-2) as the hint for
// numbers given without a country code. Safe for concurrent use.
func Number(raw, region string) Result {
	return number(raw, region, false)
}

// Stored normalizes a phone value kept in a CRM, typed by a person: without
// '+' or an exit prefix it is read in region first even when it is bare
// digits (a valid national number is what the person meant), then as
// international. With no region, only bare digits that are a valid
// international number are read; separators without '+' mean a national
// number whose country is unknown.
func Stored(raw, region string) Result {
	return number(raw, region, true)
}

func number(raw, region string, stored bool) Result {
	res := Result{Raw: raw}
	c, f := clean(raw)
	if f == nil {
		var n parsed
		hint := hintRegion(region)
		if stored && c.form == formBareDigits && hint != "" {
			c.form = formWritten
		}
		if stored && c.form == formWritten && hint == "" {
			f = fail(ReasonInvalidCountryCode, msgNoCountry)
		} else if n, f = read(c, hint); f == nil {
			res.Valid = true
			res.E164 = n.e164()
			res.Candidates = candidates(int(n.cc), n.nsn, res.E164, n.tried)
			res.Region = geographic(n.region)
			return res
		}
	}
	res.Reason, res.Message = f.reason, f.message
	return res
}

// RegionOf is the region of an E.164 or international number ("" when
// unknown): the region hint for a business number's contacts.
func RegionOf(number string) string {
	c, f := clean(number)
	if f != nil {
		return ""
	}
	text := "+" + c.text
	if c.form == formInternational {
		text = international(c.text)
	}
	if n, f := resolveInternational(text); f == nil {
		return geographic(n.region)
	}
	// Test and sandbox business numbers (+1 555…) are not valid, yet their
	// country code still says which country their contacts live in.
	pn, err := phonenumbers.Parse(text, "")
	if err != nil {
		return ""
	}
	return geographic(phonenumbers.GetRegionCodeForCountryCode(int(pn.GetCountryCode())))
}

// NationalDigits is the national significant number of a valid E.164 or
// international number (its digits without country code or trunk prefix,
// as CRM search fields keep them), or "" when number is not valid.
func NationalDigits(number string) string {
	c, f := clean(number)
	if f != nil || c.form != formInternational {
		return ""
	}
	n, f := resolveInternational(international(c.text))
	if f != nil {
		return ""
	}
	return n.nsn
}

// read gives the one reading of c the package doc describes.
func read(c cleaned, region string) (parsed, *failure) {
	if c.form == formInternational {
		if n, ok := regionExit(c.text, region); ok {
			return n, nil
		}
		n, f := resolveInternational(international(c.text))
		if f != nil && strings.Contains(c.text, "(0)") {
			// "(0)" marks a trunk zero dropped from abroad. Where a zero
			// belongs to the number (Italy's landlines) the parser keeps
			// it, so a mobile written "+39 (0)347…" reads only without it.
			if n, f := resolveInternational(international(strings.Replace(c.text, "(0)", "", 1))); f == nil {
				return n, nil
			}
		}
		return n, f
	}
	intl := func() (parsed, *failure) {
		if g, ok := bracketed(c.text); ok && (region == "" || !callingCode(g)) {
			// "(479) 273-4567" is laid out as a national number: its first
			// digits are an area code, never a country code.
			return parsed{}, fail(ReasonInvalidCountryCode, msgNoCountry)
		}
		if c.form == formBareDigits {
			return resolveDigits(c.text)
		}
		return resolveInternational("+" + strings.TrimLeft(c.text, leadingSeparators))
	}
	if region == "" {
		n, f := intl()
		// A person who writes no '+' most likely wrote a national number:
		// say what is missing rather than what the digits fail as.
		if f != nil && (c.form == formWritten || f.reason == ReasonInvalidCountryCode) {
			f = fail(ReasonInvalidCountryCode, msgNoCountry)
		}
		return n, f
	}
	national := func() (parsed, *failure) {
		return resolve(c.text, region)
	}
	first, second := national, intl
	nationalFirst := c.form != formBareDigits && !ownCountryCodeFirst(c.text, region)
	if !nationalFirst {
		first, second = intl, national
	}
	n, f := first()
	if f == nil && nationalFirst && n.cc == countryMexico && n.tried != "" && nanpShaped(c.text) {
		// The national reading needed Mexico's old mobile "1", which
		// people never dialled nationally: "14155096358" or "1 415 509
		// 6358" in a Mexican CRM is American ("1 55 1234 5678", grouped
		// the Mexican way, stays Mexican).
		if m, f2 := second(); f2 == nil && m.tried == "" {
			return m, nil
		}
	}
	if f == nil {
		return n, nil
	}
	n, f2 := second()
	if f2 == nil {
		return n, nil
	}
	// Bare digits are tried as a WhatsApp ID first only because most are;
	// when no country code fits, the national reading says more.
	if c.form == formBareDigits && f.reason == ReasonInvalidCountryCode {
		return parsed{}, f2
	}
	return parsed{}, f // why the reading that fits how it was written failed
}

// NANPShaped reports whether text is grouped as a North American number
// written with its country code: 1, then 3-3-4 (or 3-7) digits.
func NANPShaped(text string) bool {
	return nanpShaped(text) && strings.ContainsFunc(strings.TrimSpace(text), func(r rune) bool { return r < '0' || r > '9' })
}

// nanpShaped reports whether text is bare digits or grouped as a North
// American number: 1, then 3-3-4 (or 3-7) digits.
func nanpShaped(text string) bool {
	var groups []int
	for _, g := range strings.FieldsFunc(text, func(r rune) bool { return r < '0' || r > '9' }) {
		groups = append(groups, len(g))
	}
	return len(groups) == 1 || slices.Equal(groups, []int{1, 3, 3, 4}) || slices.Equal(groups, []int{1, 3, 7})
}

// bracketed is the digits of the group text opens with in parentheses
// ("479" of "(479) 273-4567"); ok is false when it opens otherwise.
func bracketed(text string) (group string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimLeft(text, " "), "(")
	if !ok {
		return "", false
	}
	group, _, ok = strings.Cut(rest, ")")
	return strings.TrimSpace(group), ok
}

// callingCode reports whether g is a country calling code ("33", "1").
func callingCode(g string) bool {
	cc, err := strconv.Atoi(g)
	return err == nil && len(g) <= 3 && g[0] != '0' && phonenumbers.GetRegionCodeForCountryCode(cc) != "ZZ"
}

// ownCountryCodeFirst reports whether text, read in region, most likely
// starts with region's own country code written without its '+': where
// national numbers are written after a trunk prefix ("0151…" in Germany),
// "49 151…" or "4915123456789" would otherwise read as a national number
// that happens to begin with 49 (an area code in Leer).
func ownCountryCodeFirst(text, region string) bool {
	md := regionMetadata(region)
	if md == nil || md.GetNationalPrefix() == "" {
		return false
	}
	cc := strconv.Itoa(int(md.GetCountryCode()))
	if g, ok := bracketed(text); ok {
		// A bracketed group is an area code ("(507) 123 45 67" in Turkey,
		// where forms bracket it without the trunk zero), unless it is the
		// region's own calling code: "(49) 151…" in Germany.
		return g == cc
	}
	prefix := md.GetNationalPrefix()
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, text)
	return strings.HasPrefix(digits, cc) && !strings.HasPrefix(digits, prefix)
}

// resolveInternational is resolve for text with a leading '+', taking the
// shortcut for WhatsApp IDs whenever it reads the number as Parse would.
func resolveInternational(text string) (parsed, *failure) {
	if digits, ok := internationalDigits(text); ok {
		if n, ok := whatsAppID(digits); ok {
			return check(n.cc, n.nsn, nil)
		}
	}
	return resolve(text, "")
}

// resolveDigits is resolveInternational("+" + digits) for ASCII digits,
// without building that text unless the parser needs it.
func resolveDigits(digits string) (parsed, *failure) {
	if len(digits) < maxRawLen {
		if n, ok := whatsAppID(digits); ok {
			return check(n.cc, n.nsn, nil)
		}
	}
	return resolve("+"+digits, "")
}

// resolve parses text and validates it, applying the WhatsApp rules to
// numbers the library rejects.
func resolve(text, region string) (parsed, *failure) {
	pn, err := phonenumbers.Parse(text, region)
	if err != nil {
		return parsed{}, parseFailure(err)
	}
	if pn.GetExtension() != "" {
		return parsed{}, fail(ReasonInvalidNumber, msgExtension)
	}
	return check(pn.GetCountryCode(), phonenumbers.GetNationalSignificantNumber(pn), pn)
}

// check validates +cc nsn, once, and else its WhatsApp repair; pn is the
// parsed number when there is one (nil: +cc nsn is a plain number), used
// only to say why the number is not valid.
func check(cc int32, nsn string, pn *phonenumbers.PhoneNumber) (parsed, *failure) {
	if n, ok := validate(cc, nsn); ok {
		return n, nil
	}
	if n, ok := repair(cc, nsn); ok {
		return n, nil
	}
	if pn == nil {
		pn = numberFrom(cc, nsn)
	}
	return parsed{}, invalidFailure(pn)
}

// parsed is a valid number with the library's region for it.
type parsed struct {
	cc     int32
	nsn    string // national significant number, leading zeros included
	region string // ISO code, or "001" for international services
	// tried is a national number of cc already found not valid on the way
	// here ("" if none): the repaired form's candidates need not ask again.
	tried string
}

// e164 is the number's E.164 text.
func (n parsed) e164() string {
	var buf [1 + maxE164Digits + maxNationalLen]byte
	b := append(buf[:0], '+')
	b = strconv.AppendInt(b, int64(n.cc), 10)
	return string(append(b, n.nsn...))
}

// validate is phonenumbers.IsValidNumber on +cc nsn, keeping the region
// it works out, and refusing numbers longer than E.164 allows.
func validate(cc int32, nsn string) (parsed, bool) {
	if overE164(cc, nsn) {
		return parsed{}, false
	}
	region, ok := regionOf(cc, nsn)
	if !ok || region == "" {
		return parsed{}, false
	}
	return parsed{cc: cc, nsn: nsn, region: region}, true
}

// maxE164Digits is ITU E.164's limit on country code plus national number.
// The library's metadata accepts a few longer national numbers (Germany's
// up to 14 digits after +49), but no such number can be a WhatsApp ID, so
// it must never become a matching key.
const maxE164Digits = 15

func overE164(cc int32, nsn string) bool {
	return ccDigits(cc)+len(nsn) > maxE164Digits
}

// ccDigits is the length of cc in decimal.
func ccDigits(cc int32) int {
	switch {
	case cc < 10 && cc >= 0:
		return 1
	case cc < 100 && cc >= 0:
		return 2
	case cc < 1000 && cc >= 0:
		return 3
	}
	return len(strconv.Itoa(int(cc)))
}

// hintRegion is region as a supported ISO code, or "" when it is not one.
func hintRegion(region string) string {
	region = strings.ToUpper(strings.TrimSpace(region))
	if !phonenumbers.GetSupportedRegions()[region] {
		return ""
	}
	return region
}

// geographic drops the library's codes for "no country" ("001" for
// international services such as +800, "ZZ" for unknown).
func geographic(region string) string {
	if len(region) != 2 || region == "ZZ" {
		return ""
	}
	return region
}
