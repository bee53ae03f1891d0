package normalize

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// mixedCorpus is n raw numbers shaped like a real contact list: mostly
// WhatsApp IDs, some typed national and international numbers, the WhatsApp
// quirks, and a share of invalid input. Deterministic, so runs compare.
func mixedCorpus(n int) []string {
	var shapes []string
	for _, region := range exampleRegions {
		ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
		id := strings.TrimPrefix(phonenumbers.Format(ex, phonenumbers.E164), "+")
		shapes = append(shapes, id, id, id, id, phonenumbers.Format(ex, phonenumbers.INTERNATIONAL))
	}
	// Typed by the business's own agents (a US business here).
	for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
		ex := phonenumbers.GetExampleNumberForType("US", typ)
		shapes = append(shapes, phonenumbers.Format(ex, phonenumbers.NATIONAL), phonenumbers.Format(ex, phonenumbers.INTERNATIONAL))
	}
	shapes = append(shapes,
		"5215512345678", "551187654321", "+54 11 2345-6789", "(415) 555-2671", "011 44 20 7946 0958",
		"", "@janedoe", "US.13491208655302741918", "+999 123", "+1 415 555", "+٢٠ ١٠٠ ١٢٣ ٤٥٦٧",
	)
	out := make([]string, n)
	for i := range out {
		s := shapes[i%len(shapes)]
		// Vary the last digits so the corpus is not one repeated string.
		if i >= len(shapes) && len(s) > 4 && strings.HasSuffix(s, s[len(s)-1:]) && isASCIIDigit(s[len(s)-1]) {
			s = s[:len(s)-2] + fmt.Sprintf("%02d", i%100)
		}
		out[i] = s
	}
	return out
}
