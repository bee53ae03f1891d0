package normalize

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// exampleRegions are the countries coexsync businesses and their contacts
// are most often in, spread over every continent and numbering style.
var exampleRegions = []string{
	"US", "CA", "MX", "BR", "AR", "CO", "CL", "PE", "VE", "EC",
	"GB", "IE", "FR", "DE", "ES", "PT", "IT", "NL", "BE", "CH",
	"AT", "SE", "NO", "DK", "FI", "PL", "CZ", "RO", "GR", "TR",
	"RU", "UA", "IL", "SA", "AE", "EG", "MA", "NG", "KE", "ZA",
	"GH", "ET", "IN", "PK", "BD", "ID", "MY", "SG", "PH", "TH",
	"VN", "CN", "HK", "JP", "KR", "AU", "NZ", "IR", "IQ", "GT",
}

// TestNumberExampleNumbers reads every region's example mobile and fixed
// line in each way it is written: national (with the region hint),
// international, E.164, and as WhatsApp sends it (digits, no '+').
func TestNumberExampleNumbers(t *testing.T) {
	if len(exampleRegions) < 40 {
		t.Fatalf("only %d regions", len(exampleRegions))
	}
	for _, region := range exampleRegions {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				t.Fatalf("%s: no example number of type %v", region, typ)
			}
			want := phonenumbers.Format(ex, phonenumbers.E164)
			inputs := map[string]string{
				"national":      phonenumbers.Format(ex, phonenumbers.NATIONAL),
				"international": phonenumbers.Format(ex, phonenumbers.INTERNATIONAL),
				"e164":          want,
				"whatsapp":      strings.TrimPrefix(want, "+"),
				"idd00":         "00" + strings.TrimPrefix(want, "+"),
			}
			if region == "AR" && typ == phonenumbers.MOBILE {
				// The library's national format for Argentine mobiles drops
				// the area code ("09 15-…"); quirks_test covers "011 15 …".
				delete(inputs, "national")
			}
			for how, raw := range inputs {
				got := Number(raw, strings.ToLower(region))
				if !got.Valid || got.E164 != want {
					t.Errorf("%s %v %s Number(%q) = %q valid=%v %s, want %s", region, typ, how, raw, got.E164, got.Valid, got.Reason, want)
					continue
				}
				if got.Region != region {
					t.Errorf("%s %s Number(%q).Region = %q", region, how, raw, got.Region)
				}
				if got.Candidates[0] != want {
					t.Errorf("%s %s Number(%q).Candidates = %v, want %s first", region, how, raw, got.Candidates, want)
				}
			}
		}
	}
}
