package phoneindex

import (
	"slices"
	"strings"
	"testing"

	"coexsync/crm"
	"coexsync/sync/normalize"

	"github.com/nyaruka/phonenumbers"
)

func FuzzKeys(f *testing.F) {
	for _, s := range []struct{ raw, calc, country, region string }{
		{"(207) 946-0958", "+12079460958", "United States", "GB"}, {"612 34 56 78", "", "España", "FR"},
		{"+44 (0) 20 7946 0958", "", "", ""}, {"0011 44 20 7946 0958", "", "Australia", ""},
		{"+1 415 734 2671 x12", "+14157342671", "", "US"}, {"415.734.2671;ext=3", "", "us", ""},
		{"＋４４ ２０ ７９４６ ０９５８", "", "", ""}, {"٠٥٠ ١٢٣ ٤٥٦٧", "", "الإمارات", ""},
		{"011 15 2345-6789", "", "Argentina", "MX"}, {"5215512345678", "", "", ""},
		{"@jane", "", "", "US"}, {"", "+14155552671", "", ""}, {"#12", "", "", "US"},
		{"020 7946 0321 / 07911 123456", "", "", "GB"}, {"Mob: 07911 123456 (work)", "", "UK", ""},
	} {
		f.Add(s.raw, s.calc, s.country, s.region)
	}
	f.Fuzz(func(t *testing.T, raw, calc, country, region string) {
		es := Read(crm.PhoneValue{Property: "phone", Raw: raw, Calculated: calc}, country, region)
		if len(es) == 0 {
			t.Fatalf("%q gave no entry", raw)
		}
		for i, e := range es {
			checkEntry(t, raw, e)
			if len(es) > 1 && (!e.Readable() || slices.ContainsFunc(es[:i], func(o Entry) bool { return o.E164 == e.E164 })) {
				t.Fatalf("%q split into an unreadable or repeated part: %+v", raw, es)
			}
		}
	})
}

// checkEntry checks what every entry read from raw must hold.
func checkEntry(t *testing.T, raw string, e Entry) {
	t.Helper()
	if e.Raw != raw || e.Property != "phone" {
		t.Fatalf("entry does not carry the value: %+v", e)
	}
	if (normalize.HasExtension(raw) || obviousExtension(raw)) && e.Readable() {
		t.Fatalf("%q has an extension yet got key %s", raw, e.E164)
	}
	if !e.Readable() {
		if e.Reason == "" || e.Candidates != nil || e.Source != "" {
			t.Fatalf("unreadable entry is not clean: %+v", e)
		}
		return
	}
	if e.Reason != "" || len(e.Candidates) == 0 || e.Candidates[0] != e.E164 {
		t.Fatalf("readable entry: %+v", e)
	}
	for i, k := range e.Candidates {
		pn, err := phonenumbers.Parse(k, "")
		if err != nil || !strings.HasPrefix(k, "+") || slices.Contains(e.Candidates[:i], k) {
			t.Fatalf("candidate %q of %+v is not E.164", k, e)
		}
		if i == 0 && (!phonenumbers.IsValidNumber(pn) || phonenumbers.Format(pn, phonenumbers.E164) != k) {
			t.Fatalf("key %q is not a valid E.164 number", k)
		}
	}
}

// obviousExtension is a check independent of the code under test: the
// ASCII spellings "ext" and "#" followed by a digit.
func obviousExtension(raw string) bool {
	lower := strings.ToLower(raw)
	if strings.Contains(lower, "ext") {
		return true
	}
	i := strings.IndexByte(lower, '#')
	return i >= 0 && i+1 < len(lower) && lower[i+1] >= '0' && lower[i+1] <= '9'
}
