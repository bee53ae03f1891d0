package normalize

import (
	"strings"
	"testing"
)

// row is one input and what Number must make of it: want is the E.164 key
// when valid, reason otherwise.
type row struct {
	name   string
	raw    string
	region string
	want   string
	reason Reason
}

func checkRows(t *testing.T, rows []row) {
	t.Helper()
	for _, tc := range rows {
		got := Number(tc.raw, tc.region)
		if got.Raw != tc.raw {
			t.Errorf("%s: Raw = %q, want the input %q", tc.name, got.Raw, tc.raw)
		}
		if tc.want != "" {
			if !got.Valid || got.E164 != tc.want || got.Reason != "" || got.Message != "" {
				t.Errorf("%s: Number(%q, %q) = %q valid=%v %s, want %s", tc.name, tc.raw, tc.region, got.E164, got.Valid, got.Reason, tc.want)
			}
			continue
		}
		if got.Valid || got.E164 != "" || got.Reason != tc.reason || got.Candidates != nil {
			t.Errorf("%s: Number(%q, %q) = %q valid=%v %q, want reason %s", tc.name, tc.raw, tc.region, got.E164, got.Valid, got.Reason, tc.reason)
		}
		if got.Message == "" {
			t.Errorf("%s: no message for %s", tc.name, got.Reason)
		}
	}
}

func TestNumberFormats(t *testing.T) {
	checkRows(t, []row{
		{name: "plus with punctuation", raw: "+1 (415) 555-2671", want: "+14155552671"},
		{name: "plus ignores the hint", raw: "+1.415.555.2671", region: "GB", want: "+14155552671"},
		{name: "whatsapp id", raw: "14155552671", region: "US", want: "+14155552671"},
		{name: "whatsapp id without hint", raw: "14155552671", want: "+14155552671"},
		{name: "whatsapp id of another country", raw: "447400123456", region: "US", want: "+447400123456"},
		{name: "national with parentheses", raw: "(415) 555-2671", region: "US", want: "+14155552671"},
		{name: "national with dashes, lower-case hint", raw: "415-555-2671", region: "us", want: "+14155552671"},
		{name: "national with trunk 1", raw: "1 415 555 2671", region: "US", want: "+14155552671"},
		{name: "national digits only", raw: "4155552671", region: "US", want: "+14155552671"},
		{name: "region exit code", raw: "011 44 20 7946 0958", region: "US", want: "+442079460958"},
		{name: "00 where the exit code is 011", raw: "00 44 20 7946 0958", region: "US", want: "+442079460958"},
		{name: "00 without hint", raw: "0044 20 7946 0958", want: "+442079460958"},
		{name: "russian exit code 810", raw: "8 10 44 20 7946 0958", region: "RU", want: "+442079460958"},
		{name: "trunk 0", raw: "020 7946 0958", region: "GB", want: "+442079460958"},
		{name: "trunk 0 mobile", raw: "07400 123456", region: "GB", want: "+447400123456"},
		{name: "region's own country code, no plus", raw: "5511987654321", region: "BR", want: "+5511987654321"},
		{name: "region's own country code, spaced", raw: "55 11 98765-4321", region: "BR", want: "+5511987654321"},
		{name: "brazil national", raw: "(11) 98765-4321", region: "BR", want: "+5511987654321"},
		{name: "brazil trunk 0", raw: "0 11 98765-4321", region: "BR", want: "+5511987654321"},
		{name: "surrounding white space", raw: " \t+44 20 7946 0958\n", want: "+442079460958"},
		{name: "no-break spaces", raw: "+44\u00a020\u00a07946\u00a00958", want: "+442079460958"},
		{name: "bidi marks from RTL text", raw: "\u200e+20 100 123 4567\u200f", want: "+201001234567"},
		{name: "arabic-indic digits", raw: "+٢٠ ١٠٠ ١٢٣ ٤٥٦٧", want: "+201001234567"},
		{name: "persian digits national", raw: "۰۹۱۲ ۳۴۵ ۶۷۸۹", region: "IR", want: "+989123456789"},
		{name: "full-width plus and digits", raw: "＋４４ ２０ ７９４６ ０９５８", want: "+442079460958"},
		{name: "devanagari whatsapp id", raw: "९१९८१२३४५६७८", region: "IN", want: "+919812345678"},
		{name: "hint with spaces", raw: "020 7946 0958", region: " gb ", want: "+442079460958"},
	})
}

// TestNumberAmbiguous documents the reading rule where two readings are
// both valid numbers of different people.
func TestNumberAmbiguous(t *testing.T) {
	checkRows(t, []row{
		// Digits only is how WhatsApp sends IDs (country code, no '+'):
		// "2015550123" is Egypt's +20 1555 0123 even for a US business.
		{name: "bare digits read as a whatsapp id", raw: "2015550123", region: "US", want: "+2015550123"},
		// A person writing separators without '+' writes a national number.
		{name: "written national, parentheses", raw: "(201) 555-0123", region: "US", want: "+12015550123"},
		{name: "written national, dashes", raw: "201-555-0123", region: "US", want: "+12015550123"},
		{name: "written, spaced like the egyptian one", raw: "20 1555 0123", region: "US", want: "+12015550123"},
		{name: "plus settles it", raw: "+20 1555 0123", region: "US", want: "+2015550123"},
		// When the preferred reading is invalid, the other one is taken.
		{name: "written, only international is valid", raw: "44 20 7946 0958", region: "US", want: "+442079460958"},
		{name: "bare, only national is valid", raw: "4155552671", region: "US", want: "+14155552671"},
	})
	// The other reading is never slipped in as a candidate: it is another person.
	for _, raw := range []string{"2015550123", "(201) 555-0123"} {
		if got := Number(raw, "US"); len(got.Candidates) != 1 {
			t.Errorf("Number(%q).Candidates = %v, want only the key", raw, got.Candidates)
		}
	}
}

func TestNumberInvalid(t *testing.T) {
	checkRows(t, []row{
		{name: "empty", raw: "", reason: ReasonEmpty},
		{name: "blank", raw: " \t ", region: "US", reason: ReasonEmpty},
		{name: "only invisible marks", raw: "\u200e\u200f", reason: ReasonEmpty},
		{name: "punctuation only", raw: "--", region: "US", reason: ReasonNotANumber},
		{name: "plus only", raw: "+", reason: ReasonNotANumber},
		{name: "stray symbols", raw: "+44 20 7946 * 0958 %", reason: ReasonNotANumber},
		{name: "unknown country code", raw: "+999 123 4567", reason: ReasonInvalidCountryCode},
		{name: "no country code, no hint", raw: "(020) 7946 0958", reason: ReasonInvalidCountryCode},
		{name: "no country code, unknown hint", raw: "(415) 555-2671", region: "XX", reason: ReasonInvalidCountryCode},
		{name: "too short", raw: "+1 415 555", reason: ReasonTooShort},
		{name: "too short national", raw: "555-26", region: "US", reason: ReasonTooShort},
		{name: "too long", raw: "+44 20 7946 0958 1234 5678", reason: ReasonTooLong},
		{name: "longer than any number", raw: strings.Repeat("1", maxRawLen+1), region: "US", reason: ReasonTooLong},
		{name: "not in the plan", raw: "+1 555 000 1111", reason: ReasonInvalidNumber},
		{name: "extension", raw: "+1 415 555 2671 ext. 12", reason: ReasonInvalidNumber},
		{name: "extension with x", raw: "(415) 555-2671 x12", region: "US", reason: ReasonInvalidNumber},
		{name: "extension with #", raw: "+1 415 555 2671 #12", reason: ReasonInvalidNumber},
		{name: "business-scoped user id", raw: "US.13491208655302741918", region: "US", reason: ReasonNoPhoneNumber},
		{name: "username with @", raw: "@janedoe", reason: ReasonNoPhoneNumber},
		{name: "username with digits", raw: "@1234567", reason: ReasonNoPhoneNumber},
		{name: "username", raw: "jane.doe99", region: "US", reason: ReasonNoPhoneNumber},
		{name: "vanity letters", raw: "1-800-FLOWERS", region: "US", reason: ReasonNoPhoneNumber},
		{name: "non-latin letters", raw: "ابتث", reason: ReasonNoPhoneNumber},
		{name: "longer than E.164 allows", raw: "4920100000000000", region: "DE", reason: ReasonTooLong},
		{name: "words in the phone field", raw: "call me", region: "US", reason: ReasonNotANumber},
		{name: "words and digits", raw: "ask Ana 555 0100", region: "US", reason: ReasonNotANumber},
	})
}

// Messages go to screens and logs: they must never echo outside text.
func TestMessagesNeverEchoInput(t *testing.T) {
	for _, raw := range []string{"\x1b[31m+999 1234", "@evil\x1b]0;x\x07", "+1 415 555", "<script>"} {
		got := Number(raw, "US")
		if got.Valid || got.Message == "" {
			t.Fatalf("Number(%q) = %+v, want a failure with a message", raw, got)
		}
		if strings.ContainsAny(got.Message, "\x1b\x07<") {
			t.Errorf("Number(%q).Message = %q echoes the input", raw, got.Message)
		}
	}
}

func TestReasonsAreDistinctAndProduced(t *testing.T) {
	seen := map[Reason]bool{}
	for _, r := range Reasons() {
		if r == "" || seen[r] {
			t.Fatalf("Reasons() has empty or repeated %q", r)
		}
		seen[r] = true
	}
	produced := map[Reason]bool{}
	for _, raw := range []string{"", "x", "--", "+999 1", "+1 415", "+44 20 7946 0958 1234 5678", "+1 555 000 1111"} {
		produced[Number(raw, "").Reason] = true
	}
	for r := range seen {
		if !produced[r] {
			t.Errorf("reason %s is listed but never produced", r)
		}
	}
}

func TestRegionOf(t *testing.T) {
	for _, tc := range []struct{ number, want string }{
		{"+14155552671", "US"},
		{"14165550123", "CA"},
		{"15550001111", "US"}, // sandbox numbers are not valid; the country code still says US
		{"+52 1 55 1234 5678", "MX"},
		{"5511987654321", "BR"},
		{"+44 7624 123456", "IM"},
		{"0044 20 7946 0958", "GB"},
		{"+800 1234 5678", ""}, // international freephone: no country
		{"+999 123", ""},
		{"", ""},
		{"@janedoe", ""},
	} {
		if got := RegionOf(tc.number); got != tc.want {
			t.Errorf("RegionOf(%q) = %q, want %q", tc.number, got, tc.want)
		}
	}
}

// For bare digits that fit no country code, the national reading explains.
func TestBareDigitsReportNationalFailure(t *testing.T) {
	checkRows(t, []row{
		{name: "leading 0 and too few digits", raw: "0412", region: "AU", reason: ReasonTooShort},
		{name: "arabic-indic, too few digits", raw: "٠١٢٣", region: "EG", reason: ReasonTooShort},
	})
}

func TestNationalDigits(t *testing.T) {
	for _, tc := range []struct{ number, want string }{
		{"+14155552671", "4155552671"},
		{"+44 20 7946 0958", "2079460958"},
		{"+390669821234", "0669821234"}, // Italy keeps its leading zero
		{"+52 1 55 1234 5678", "5512345678"},
		{"4155552671", ""}, // no country code: not ours to guess
		{"+1 555 000 1111", ""},
		{"@janedoe", ""},
	} {
		if got := NationalDigits(tc.number); got != tc.want {
			t.Errorf("NationalDigits(%q) = %q, want %q", tc.number, got, tc.want)
		}
	}
}
