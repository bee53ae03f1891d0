package normalize

import (
	"slices"
	"strings"
	"testing"
)

func FuzzNumber(f *testing.F) {
	for _, seed := range []struct{ raw, region string }{
		{"14155552671", "US"}, {"+1 (415) 555-2671", ""}, {"(201) 555-0123", "US"},
		{"5215512345678", "MX"}, {"044 55 1234 5678", "MX"}, {"551187654321", "BR"},
		{"+54 11 2345-6789", ""}, {"011 15 2345-6789", "AR"}, {"0044 20 7946 0958", "GB"},
		{"+٢٠ ١٠٠ ١٢٣ ٤٥٦٧", ""}, {"＋４４ ２０ ７９４６ ０９５８", ""}, {"\u200e+20 100 123 4567", "EG"},
		{"US.13491208655302741918", "US"}, {"@janedoe", ""}, {"+1 415 555 2671 ext. 12", ""},
		{"", ""}, {"+", "zz"}, {"+999 123", ""}, {"8 10 44 20 7946 0958", "RU"}, {"+800 1234 5678", ""},
	} {
		f.Add(seed.raw, seed.region)
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		checkShortcut(t, raw)
		checkShortcut(t, "+"+raw)
		r := Number(raw, region)
		if r.Raw != raw {
			t.Fatalf("Raw = %q, want %q", r.Raw, raw)
		}
		if !r.Valid {
			if r.E164 != "" || r.Reason == "" || r.Message == "" || r.Candidates != nil {
				t.Fatalf("invalid result is not clean: %+v", r)
			}
			return
		}
		if r.Reason != "" || r.Message != "" || !isE164(r.E164) {
			t.Fatalf("valid result: %+v", r)
		}
		if again := Number(r.E164, ""); !again.Valid || again.E164 != r.E164 {
			t.Fatalf("%q -> %s re-reads as %q (%s)", raw, r.E164, again.E164, again.Reason)
		}
		if len(r.Candidates) == 0 || r.Candidates[0] != r.E164 {
			t.Fatalf("candidates %v do not start with %s", r.Candidates, r.E164)
		}
		for i, c := range r.Candidates {
			if !isE164(c) || slices.Contains(r.Candidates[:i], c) {
				t.Fatalf("candidate %q of %v is not E.164 or repeated", c, r.Candidates)
			}
			if back := Number(c, ""); !back.Valid || !slices.Contains(back.Candidates, r.E164) {
				t.Fatalf("candidate %s of %s does not lead back: %+v", c, r.E164, back)
			}
		}
	})
}

// isE164 is '+' and at most 15 digits (ITU E.164), the first not 0.
func isE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok || len(digits) < 4 || len(digits) > 15 || digits[0] == '0' {
		return false
	}
	return allDigits(digits)
}
