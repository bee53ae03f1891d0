package phoneindex

import (
	"slices"
	"testing"

	"coexsync/crm"
)

func TestKeysRegionRules(t *testing.T) {
	cases := []struct {
		name            string
		v               crm.PhoneValue
		country, region string
		e164            string
		source          Source
		reason          Reason
	}{
		{"national in the record's country", crm.PhoneValue{Raw: "(207) 946-0958"}, "United States", "GB", "+12079460958", SourceRecordCountry, ""},
		{"national in the account's region", crm.PhoneValue{Raw: "020 7946 0958"}, "", "GB", "+442079460958", SourceDefaultRegion, ""},
		{"record country wins over the account's", crm.PhoneValue{Raw: "612 34 56 78"}, "España", "FR", "+34612345678", SourceRecordCountry, ""},
		{"unknown record country: the account's", crm.PhoneValue{Raw: "612 34 56 78"}, "Atlantis", "FR", "+33612345678", SourceDefaultRegion, ""},
		{"international ignores both", crm.PhoneValue{Raw: "+44 20 7946 0958"}, "USA", "US", "+442079460958", SourceInternational, ""},
		{"00 exit code", crm.PhoneValue{Raw: "0044 20 7946 0958"}, "", "US", "+442079460958", SourceInternational, ""},
		{"region's own exit code", crm.PhoneValue{Raw: "0011 44 20 7946 0958"}, "Australia", "", "+442079460958", SourceInternational, ""},
		{"011 read by a NANP region", crm.PhoneValue{Raw: "011 44 20 7946 0958"}, "", "US", "+442079460958", SourceDefaultRegion, ""},
		{"no country anywhere", crm.PhoneValue{Raw: "(207) 946-0958"}, "", "", "", "", ReasonNoCountry},
		{"bare WhatsApp id with no country", crm.PhoneValue{Raw: "5511987654321"}, "", "", "+5511987654321", SourceInternational, ""},
		{"calculated trusted where nothing else reads", crm.PhoneValue{Raw: "612 34 56 78", Calculated: "+34612345678"}, "", "", "+34612345678", SourceCalculated, ""},
		{"the account's region over a portal's", crm.PhoneValue{Raw: "612 34 56 78", Calculated: "+34612345678"}, "", "FR", "+33612345678", SourceDefaultRegion, ""},
		{"calculated trusted when the value carries its code", crm.PhoneValue{Raw: "44 7911 123456", Calculated: "+447911123456"}, "Germany", "DE", "+447911123456", SourceCalculated, ""},
		{"calculated of other digits ignored", crm.PhoneValue{Raw: "(415) 734-2699", Calculated: "+14157342600"}, "", "US", "+14157342699", SourceDefaultRegion, ""},
		{"calculated never overrides '+'", crm.PhoneValue{Raw: "+34 612 34 56 78", Calculated: "+33612345678"}, "", "", "+34612345678", SourceInternational, ""},
		{"extension", crm.PhoneValue{Raw: "+1 415 734 2671 x12", Calculated: "+14157342671"}, "", "US", "", "", ReasonExtension},
		{"blank", crm.PhoneValue{Raw: " \u00a0\u200e"}, "", "US", "", "", ReasonEmpty},
		{"not a number", crm.PhoneValue{Raw: "call me"}, "", "US", "", "", Reason("not_a_number")},
	}
	for _, c := range cases {
		e := Keys(c.v, c.country, c.region)
		if e.E164 != c.e164 || e.Source != c.source || e.Reason != c.reason || e.Readable() != (c.e164 != "") {
			t.Errorf("%s: Keys(%q, %q, %q) = %+v, want %s %s %q", c.name, c.v.Raw, c.country, c.region, e, c.e164, c.source, c.reason)
		}
		if e.Raw != c.v.Raw {
			t.Errorf("%s: Raw = %q, want it untouched", c.name, e.Raw)
		}
	}
}

func TestKeysCarryCandidates(t *testing.T) {
	e := Keys(crm.PhoneValue{Property: "mobilephone", Raw: "011 15 2345-6789"}, "Argentina", "")
	want := []string{"+5491123456789", "+541123456789"}
	if !slices.Equal(e.Candidates, want) || e.Property != "mobilephone" || e.Region != "AR" {
		t.Fatalf("entry = %+v, want candidates %v", e, want)
	}
}

func TestCountryCode(t *testing.T) {
	for text, want := range map[string]string{
		"United States": "US", "USA": "US", "U.S.": "US", "us": "US", " u.s.a. ": "US",
		"Deutschland": "DE", "España": "ES", "ESPAÑA": "ES", "espana": "ES", "UK": "GB",
		"Great Britain": "GB", "México": "MX", "mexico": "MX", "Brasil": "BR", "BRA": "BR",
		"The Netherlands": "NL", "Türkiye": "TR", "Россия": "RU", "日本": "JP",
		"السعودية": "SA", "Côte d'Ivoire": "CI", "ci": "CI",
		"Bahrain": "BH", "Baréin": "BH", "البحرين": "BH", "OMN": "OM", "Omã": "OM", "North Macedonia": "MK",
		"Hong Kong SAR China": "HK", "Myanmar": "MM", "Vereinigte Staaten": "US", "Congo": "", "fra": "FR", "Éire": "IE",
		"República  Dominicana": "DO", "": "", "Narnia": "", "xx": "", "Georgia": "",
	} {
		if got := CountryCode(text); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestEveryAliasIsASupportedRegion(t *testing.T) {
	for code := range countryAliases {
		if CountryCode(code) != code {
			t.Errorf("%s is not a region the numbering metadata supports", code)
		}
	}
}
