package sandbox

import (
	"math/rand/v2"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// storedValue is a phone value as a CRM holds it: where, how it is written,
// and the record's own country ("" when the record has none).
type storedValue struct {
	property string // "phone", "mobile" or "whatsapp" (HubSpot); Intercom has only phone
	raw      string
	country  string
}

// countryNames are how people fill a CRM's free-text country field.
var countryNames = map[string][]string{
	"BR": {"Brazil", "Brasil", "BR"}, "MX": {"Mexico", "México", "MX"}, "GB": {"United Kingdom", "UK", "England"},
	"US": {"United States", "USA", "US"}, "ES": {"Spain", "España"}, "DE": {"Germany", "Deutschland"},
	"FR": {"France"}, "IN": {"India"}, "NG": {"Nigeria"}, "AR": {"Argentina"}, "CO": {"Colombia"},
	"IT": {"Italy", "Italia"}, "PT": {"Portugal"}, "NL": {"Netherlands"}, "ZA": {"South Africa"},
}

func countryName(region string, r *rand.Rand) string {
	if names := countryNames[region]; len(names) > 0 {
		return names[r.IntN(len(names))]
	}
	return region
}

// messyValue writes num the way people type numbers into a CRM, over the
// whole range the matcher must read: international and national formats,
// bare digits, 00 prefixes, "(0)", Unicode spaces and digits, with the
// record's country when a national format needs one. account is the CRM
// account's region: national numbers of that country need no country.
func messyValue(num *phonenumbers.PhoneNumber, r *rand.Rand, account string, withMobile bool) storedValue {
	// Formats are made only for the case drawn: the international and
	// national ones run the library's pattern matching, which dominates
	// the generation of a large sandbox.
	format := func(f phonenumbers.PhoneNumberFormat) string { return phonenumbers.Format(num, f) }
	v := storedValue{property: "phone"}
	if withMobile {
		switch r.IntN(10) {
		case 0, 1:
			v.property = "mobile"
		case 2:
			v.property = "whatsapp"
		}
	}
	switch r.IntN(11) {
	case 0:
		v.raw = format(phonenumbers.E164)
	case 1:
		v.raw = format(phonenumbers.INTERNATIONAL)
	case 2:
		v.raw = strings.ReplaceAll(format(phonenumbers.INTERNATIONAL), " ", "-")
	case 3:
		v.raw = strings.TrimPrefix(format(phonenumbers.E164), "+") // bare digits
	case 4:
		v.raw = "00" + strings.TrimPrefix(format(phonenumbers.INTERNATIONAL), "+")
	case 5, 6:
		v.raw = format(phonenumbers.NATIONAL)
		if region := phonenumbers.GetRegionCodeForNumber(num); region != account || r.IntN(3) == 0 {
			v.country = countryName(region, r)
		}
	case 7:
		v.raw = strings.ReplaceAll(format(phonenumbers.NATIONAL), " ", "\u00a0") // NBSP from a copied web page
		if region := phonenumbers.GetRegionCodeForNumber(num); region != account {
			v.country = countryName(region, r)
		}
	case 8:
		v.raw = withTrunkZero(format(phonenumbers.INTERNATIONAL), num)
	case 9:
		v.raw = shiftDigits(format(phonenumbers.INTERNATIONAL), '０') // full-width
	default:
		v.raw = " " + shiftDigits(format(phonenumbers.E164), '٠') + " " // Arabic-Indic, stray spaces
	}
	return v
}

// withTrunkZero writes "+44 (0)20 …" where the country dials a 0 trunk
// prefix, the international format elsewhere.
func withTrunkZero(intl string, num *phonenumbers.PhoneNumber) string {
	if !strings.HasPrefix(phonenumbers.Format(num, phonenumbers.NATIONAL), "0") {
		return intl
	}
	cc, rest, ok := strings.Cut(intl, " ")
	if !ok {
		return intl
	}
	return cc + " (0)" + rest
}

// shiftDigits rewrites ASCII digits in the digit block starting at zero.
func shiftDigits(s string, zero rune) string {
	return strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' {
			return zero + (c - '0')
		}
		return c
	}, s)
}

// decoy is a record of a stranger that holds the contact's national
// digits in another country, where those digits form a valid number: the
// matcher must never merge the contact into it. ok is false when no such
// country is at hand.
func decoy(num *phonenumbers.PhoneNumber, r *rand.Rand) (storedValue, bool) {
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	home := phonenumbers.GetRegionCodeForNumber(num)
	regions := []string{"US", "GB", "ES", "FR", "DE", "IT", "BR", "MX", "IN", "NL"}
	start := r.IntN(len(regions))
	for k := range regions {
		region := regions[(start+k)%len(regions)]
		if region == home {
			continue
		}
		other, err := phonenumbers.Parse(nsn, region)
		if err != nil || !phonenumbers.IsValidNumberForRegion(other, region) {
			continue
		}
		return storedValue{property: "phone", raw: phonenumbers.Format(other, phonenumbers.NATIONAL),
			country: countryName(region, r)}, true
	}
	return storedValue{}, false
}
