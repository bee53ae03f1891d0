package sync

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"

	"coexsync/crm"
	"coexsync/sync/normalize"
	"coexsync/sync/phoneindex"
)

// FuzzMatchRecords feeds CRM phone text (outside input) to the matcher:
// it must not panic, and a record may only match a contact when one of
// its phones, read by the index's rules in the account's region, gives one
// of the contact's candidates — never through an extension.
func FuzzMatchRecords(f *testing.F) {
	for _, seed := range [][2]string{
		{"(415) 555-2671", "14155552671"}, {"+1 207-946-0958", "442079460958"},
		{"415 555 2671 ext. 12", "14155552671"}, {"+52 55 1234 5678", "5215512345678"},
		{"0044 20 7946 0958", "442079460958"}, {"\x1b[31m+1 415", "14155552671"}, {"", "1"},
		{"(207) 946-0958", "442079460958"},
	} {
		f.Add(seed[0], seed[1], "US")
	}
	f.Fuzz(func(t *testing.T, phone, contact, region string) {
		n := normalize.Number(contact, region)
		if !n.Valid {
			return
		}
		subs := []subject{{candidates: n.Candidates}}
		rec := crm.Record{ID: "r1", Phones: []string{phone, phone + "0"}}
		got := matchRecords(subs, []crm.Record{rec}, region)
		if len(got[0]) == 0 {
			return
		}
		ok := slices.ContainsFunc(rec.Phones, func(p string) bool {
			if normalize.HasExtension(p) {
				return false
			}
			e := phoneindex.Keys(crm.PhoneValue{Property: "phone", Raw: p}, "", region)
			return e.Readable() && slices.ContainsFunc(e.Candidates, func(c string) bool { return slices.Contains(n.Candidates, c) })
		})
		if !ok {
			t.Errorf("record %q matched contact %q (%v) without a common number", rec.Phones, contact, n.Candidates)
		}
	})
}

// FuzzCleanText checks that outside text is stored without control or
// format characters and within its length.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"plain", "bad\x1b[31m name", "a\u202eb", "\xff\xfe", "tab\tand\nnewline", "  spaced  "} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 1000 {
			return
		}
		out := cleanText(s, max)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		if n := utf8.RuneCountInString(out); n > max+1 {
			t.Fatalf("%d runes, max %d", n, max)
		}
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control/format character %U in %q", r, out)
			}
		}
	})
}
