package normalize

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
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

// repair is the canonical form of a number the library rejects, when a
// WhatsApp rule explains it; nil when none does.
func repair(pn *phonenumbers.PhoneNumber) *phonenumbers.PhoneNumber {
	nsn := phonenumbers.GetNationalSignificantNumber(pn)
	switch pn.GetCountryCode() {
	case countryMexico:
		for _, prefix := range mexicoOldPrefixes {
			rest, ok := strings.CutPrefix(nsn, prefix)
			if ok && len(rest) == nationalLenMX {
				if fixed := validNumber(countryMexico, rest); fixed != nil {
					return fixed
				}
			}
		}
	case countryBrazil:
		// Brazil added a ninth digit to every mobile (2012-2016); contacts
		// saved before still hold DD + 8 digits starting 6-9. Landlines
		// (subscriber 2-5) keep 8 digits and are never touched.
		if len(nsn) == nationalLenBR-1 && isOldBrazilMobileStart(nsn[2]) {
			return validNumber(countryBrazil, nsn[:2]+"9"+nsn[2:])
		}
	}
	return nil
}

// candidates are the E.164 forms a CRM may hold for +cc nsn, e164 first.
func candidates(cc int, nsn, e164 string) []string {
	out := []string{e164}
	if other := otherForm(cc, nsn); other != "" {
		out = append(out, other)
	}
	return out
}

// otherForm is the one other E.164 form WhatsApp or a CRM may hold for the
// national number nsn of country cc, or "".
func otherForm(cc int, nsn string) string {
	switch cc {
	case countryMexico:
		// Only when the old form cannot be a different, valid number.
		if len(nsn) == nationalLenMX && validNumber(cc, "1"+nsn) == nil {
			return "+521" + nsn
		}
	case countryBrazil:
		if len(nsn) == nationalLenBR && nsn[2] == '9' && isOldBrazilMobileStart(nsn[3]) {
			old := nsn[:2] + nsn[3:]
			if validNumber(cc, old) == nil {
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
		if other != "" && validNumber(cc, other) != nil {
			return "+54" + other
		}
	}
	return ""
}

func isOldBrazilMobileStart(d byte) bool { return d >= '6' && d <= '9' }

// validNumber is +cc nsn when the library calls it valid, else nil.
func validNumber(cc int, nsn string) *phonenumbers.PhoneNumber {
	pn := numberFrom(int32(cc), nsn)
	if pn == nil || !phonenumbers.IsValidNumber(pn) {
		return nil
	}
	return pn
}
