package crm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText drops control and format characters (including zero-width and
// bidi overrides and invalid UTF-8) and folds whitespace: for names bound
// for a CRM and for vendor messages bound for a screen or a log.
func CleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == unicode.ReplacementChar:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// VendorText makes text a vendor sent back safe to keep and show: every
// secret given (the token, should the server ever echo it) becomes
// [redacted], CleanText removes control and format characters, and the
// result is cut to max runes.
func VendorText(s string, max int, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return Clip(CleanText(s), max)
}

// Clip cuts s to max runes, marking the cut with an ellipsis.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
