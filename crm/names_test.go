package crm

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitName(t *testing.T) {
	cases := []struct {
		full, first     string
		wantF, wantLast string
	}{
		{"", "", "", ""},
		{"   ", "", "", ""},
		{"Ana", "", "Ana", ""},
		{"Ana Lima", "", "Ana", "Lima"},
		{"Ana Maria  Lima", "", "Ana Maria", "Lima"},
		{"Ana Maria Lima", "Ana Maria", "Ana Maria", "Lima"},
		{"ana maria lima", "Ana", "Ana", "maria lima"},
		{"Dra. Ana Lima", "Ana", "Ana", "Lima"},
		{"Lima", "Ana", "Ana", ""},
		{"", "Ana", "Ana", ""},
		{"Ana", "Ana", "Ana", ""},
		{"José\u200b da Silva", "", "José da", "Silva"},
		{"Ali\u202e ffo\x00", "", "Ali", "ffo"},
		{"山田 太郎", "", "山田", "太郎"},
		{"Bob\tthe\nBuilder", "", "Bob the", "Builder"},
	}
	for _, tc := range cases {
		f, l := SplitName(tc.full, tc.first)
		if f != tc.wantF || l != tc.wantLast {
			t.Errorf("SplitName(%q, %q) = %q, %q; want %q, %q", tc.full, tc.first, f, l, tc.wantF, tc.wantLast)
		}
	}
}

func FuzzSplitName(f *testing.F) {
	f.Add("Ana Maria Lima", "Ana")
	f.Add("", "")
	f.Add("Ali\u202e\x00 x", "")
	f.Add("\xff\xfe name", "\u200b")
	f.Fuzz(func(t *testing.T, full, first string) {
		fn, ln := SplitName(full, first)
		for _, s := range []string{fn, ln} {
			if s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
				t.Fatalf("untidy spacing in %q", s)
			}
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("control or format rune %U kept in %q", r, s)
				}
			}
		}
		if fn == "" && ln != "" {
			t.Fatalf("last name %q without a first name", ln)
		}
		// Every word returned comes from the inputs.
		src := strings.Fields(CleanText(full) + " " + CleanText(first))
		for _, w := range strings.Fields(fn + " " + ln) {
			if !containsFold(src, w) {
				t.Fatalf("word %q not in the inputs %q", w, src)
			}
		}
	})
}

func containsFold(words []string, w string) bool {
	for _, x := range words {
		if strings.EqualFold(x, w) {
			return true
		}
	}
	return false
}
