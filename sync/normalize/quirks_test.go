package normalize

import (
	"slices"
	"testing"
)

type quirkRow struct {
	name       string
	raw        string
	region     string
	want       string
	candidates []string
}

func checkQuirks(t *testing.T, rows []quirkRow) {
	t.Helper()
	for _, tc := range rows {
		got := Number(tc.raw, tc.region)
		if !got.Valid || got.E164 != tc.want || !slices.Equal(got.Candidates, tc.candidates) {
			t.Errorf("%s: Number(%q, %q) = %q %v (%s), want %q %v", tc.name, tc.raw, tc.region, got.E164, got.Candidates, got.Reason, tc.want, tc.candidates)
			continue
		}
		checkCandidatesPointBack(t, got)
	}
}

// checkCandidatesPointBack: every candidate is itself a valid number whose
// own candidates lead back to the key, so matching works from either side.
func checkCandidatesPointBack(t *testing.T, r Result) {
	t.Helper()
	for _, c := range r.Candidates {
		back := Number(c, "")
		if !back.Valid || !slices.Contains(back.Candidates, r.E164) {
			t.Errorf("candidate %s of %s: Number = %q %v valid=%v, want its candidates to hold %s", c, r.Raw, back.E164, back.Candidates, back.Valid, r.E164)
		}
	}
}

// Mexico dropped the mobile "1" (and the 01/044/045 dialling prefixes) in
// 2019-2020, but WhatsApp IDs still carry 521XXXXXXXXXX.
func TestMexicoOldMobileForm(t *testing.T) {
	both := []string{"+525512345678", "+5215512345678"}
	checkQuirks(t, []quirkRow{
		{"whatsapp id with 1", "5215512345678", "MX", "+525512345678", both},
		{"whatsapp id for a US business", "5215512345678", "US", "+525512345678", both},
		{"international with 1", "+52 1 55 1234 5678", "", "+525512345678", both},
		{"canonical", "+52 55 1234 5678", "", "+525512345678", both},
		{"national", "55 1234 5678", "MX", "+525512345678", both},
		{"old mobile prefix 044", "044 55 1234 5678", "MX", "+525512345678", both},
		{"old mobile prefix 045", "045 55 1234 5678", "MX", "+525512345678", both},
		{"old trunk prefix 01", "01 55 1234 5678", "MX", "+525512345678", both},
		{"guadalajara", "5213312345678", "MX", "+523312345678", []string{"+523312345678", "+5213312345678"}},
	})
	for _, raw := range []string{"+52 1 55 1234 567", "+52 1 55 1234 56789", "+52 2 55 1234 5678"} {
		if got := Number(raw, "MX"); got.Valid {
			t.Errorf("Number(%q) = %s, want invalid: no rule explains it", raw, got.E164)
		}
	}
}

// Brazil added a ninth digit to mobiles; contacts saved before keep
// DD + 8 digits starting 6-9. Landlines (2-5) have 8 digits and stay.
func TestBrazilNinthDigit(t *testing.T) {
	both := []string{"+5511987654321", "+551187654321"}
	checkQuirks(t, []quirkRow{
		{"old mobile international", "+55 11 8765-4321", "", "+5511987654321", both},
		{"old mobile whatsapp id", "551187654321", "BR", "+5511987654321", both},
		{"old mobile national", "(11) 8765-4321", "BR", "+5511987654321", both},
		{"current mobile", "+55 11 98765-4321", "", "+5511987654321", both},
		{"old mobile starting 6", "+55 21 6123-4567", "", "+5521961234567", []string{"+5521961234567", "+552161234567"}},
		{"old mobile starting 9", "+55 31 9123-4567", "", "+5531991234567", []string{"+5531991234567", "+553191234567"}},
		{"landline starting 2 untouched", "+55 11 2345-6789", "", "+551123456789", []string{"+551123456789"}},
		{"landline starting 3 untouched", "(11) 3456-7890", "BR", "+551134567890", []string{"+551134567890"}},
		{"landline starting 5 untouched", "+55 11 5234-5678", "", "+551152345678", []string{"+551152345678"}},
		// 9 then 1-5 never had an 8-digit form.
		{"mobile without an old form", "+55 11 91234-5678", "", "+5511912345678", []string{"+5511912345678"}},
	})
}

// Argentina: +54 9 … (mobile) and +54 … are both valid; the number is kept
// as given (creating under a rewritten key could duplicate the person).
func TestArgentinaMobileNine(t *testing.T) {
	checkQuirks(t, []quirkRow{
		{"mobile with 9", "+54 9 11 2345-6789", "", "+5491123456789", []string{"+5491123456789", "+541123456789"}},
		{"same digits without 9 kept", "+54 11 2345-6789", "", "+541123456789", []string{"+541123456789", "+5491123456789"}},
		{"national mobile with 15", "011 15 2345-6789", "AR", "+5491123456789", []string{"+5491123456789", "+541123456789"}},
		{"whatsapp id", "5491123456789", "AR", "+5491123456789", []string{"+5491123456789", "+541123456789"}},
		{"whatsapp id for a US business", "5491123456789", "US", "+5491123456789", []string{"+5491123456789", "+541123456789"}},
		{"cordoba", "+54 9 351 234-5678", "", "+5493512345678", []string{"+5493512345678", "+543512345678"}},
	})
}

// Other countries get no extra candidates.
func TestOtherCountriesHaveOneCandidate(t *testing.T) {
	for _, raw := range []string{"+14155552671", "+447400123456", "+4915123456789", "+919812345678"} {
		if got := Number(raw, ""); !slices.Equal(got.Candidates, []string{raw}) {
			t.Errorf("Number(%q).Candidates = %v", raw, got.Candidates)
		}
	}
}
