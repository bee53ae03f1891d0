package normalize

import (
	"strings"
)

// WhatsApp keeps some numbering forms alive that the numbering plans (and so
// the library) have dropped. These rules map them to one canonical key and
// list the other forms as candidates, so a CRM record stored under either is
// found. They never turn a number the library calls valid into another one.
const (
	countryMexico    = 52
	countryArgentina = 54
	countryBrazil    = 55

	// nationalLenMX is Mexico's national number length since the 2019 plan.
	nationalLenMX = 10
	// nationalLenBR is a Brazilian mobile: 2-digit area code, 9-digit subscriber.
	nationalLenBR = 11
	// nationalLenAR is an Argentine number without the mobile '9'.
	nationalLenAR = 10
)

// mexicoOldPrefixes are prefixes Mexico dropped in 2019-2020 that still
// appear before the 10-digit number: "1" is the old mobile marker WhatsApp
// IDs still carry (521XXXXXXXXXX); "01", "044", "045" are the old trunk and
// mobile dialling prefixes people typed nationally.
var mexicoOldPrefixes = []string{"1", "01", "044", "045"}

// repair is the canonical form of +cc nsn, a number the library rejects,
// when a WhatsApp rule explains it; ok is false when none does. The
// result's tried is nsn: its other form is known not to be valid.
func repair(cc int32, nsn string) (n parsed, ok bool) {
	fixed, region := "", ""
	switch cc {
	case countryMexico:
		for _, prefix := range mexicoOldPrefixes {
			rest, ok := strings.CutPrefix(nsn, prefix)
			if !ok || len(rest) != nationalLenMX {
				continue
			}
			if r, ok := validRegion(countryMexico, rest); ok {
				fixed, region = rest, r
				break
			}
		}
	case countryBrazil:
		// Brazil added a ninth digit to every mobile (2012-2016); contacts
		// saved before still hold DD + 8 digits starting 6-9. Landlines
		// (subscriber 2-5) keep 8 digits and are never touched.
		if len(nsn) == nationalLenBR-1 && isOldBrazilMobileStart(nsn[2]) {
			old := nsn[:2] + "9" + nsn[2:]
			if r, ok := validRegion(countryBrazil, old); ok {
				fixed, region = old, r
			}
		}
	}
	if fixed == "" || overE164(cc, fixed) {
		return parsed{}, false
	}
	n = parsed{cc: cc, nsn: fixed, region: region}
	if plainNSN(nsn) && !overE164(cc, nsn) {
		n.tried = nsn
	}
	return n, true
}

// candidates are the E.164 forms a CRM may hold for +cc nsn, e164 first;
// tried is a national number of cc known not to be valid ("" if none).
func candidates(cc int, nsn, e164, tried string) []string {
	if other := otherForm(cc, nsn, tried); other != "" {
		return []string{e164, other}
	}
	return []string{e164}
}

// otherForm is the one other E.164 form WhatsApp or a CRM may hold for the
// national number nsn of country cc, or "". tried is a national number of
// cc already known not to be valid, which need not be validated again.
func otherForm(cc int, nsn, tried string) string {
	valid := func(other string) bool { return other != tried && validNumber(cc, other) }
	switch cc {
	case countryMexico:
		// Only when the old form cannot be a different, valid number.
		if len(nsn) == nationalLenMX && !valid("1"+nsn) {
			return "+521" + nsn
		}
	case countryBrazil:
		if len(nsn) == nationalLenBR && nsn[2] == '9' && isOldBrazilMobileStart(nsn[3]) {
			old := nsn[:2] + nsn[3:]
			if !valid(old) {
				return "+55" + old
			}
		}
	case countryArgentina:
		// Argentina dials mobiles as +54 9 …, but both forms are valid and
		// CRMs hold either: keep the one given, match on both.
		other := ""
		switch {
		case len(nsn) == nationalLenAR+1 && nsn[0] == '9':
			other = nsn[1:]
		case len(nsn) == nationalLenAR:
			other = "9" + nsn
		}
		if other != "" && valid(other) {
			return "+54" + other
		}
	}
	return ""
}

func isOldBrazilMobileStart(d byte) bool { return d >= '6' && d <= '9' }

// validNumber reports whether the library calls +cc nsn valid
// (phonenumbers.IsValidNumber), nsn being digits without a leading zero.
func validNumber(cc int, nsn string) bool {
	_, ok := validRegion(int32(cc), nsn)
	return ok
}

// validRegion is validNumber keeping the region the number is valid in.
func validRegion(cc int32, nsn string) (string, bool) {
	if !plainNSN(nsn) {
		return "", false
	}
	region, ok := regionOf(cc, nsn)
	return region, ok && region != ""
}
