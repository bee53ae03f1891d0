package intercom

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMessage bounds a vendor message we keep: it is shown to people and
// stored, and it came from outside.
const maxMessage = 300

// cleanMessage makes a vendor message safe to keep: no token (should the
// server ever echo it), no control characters, bounded length.
func cleanMessage(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "[redacted]")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxMessage {
		s = string([]rune(s)[:maxMessage]) + "…"
	}
	return s
}

// isPhoneProblem reports whether a 400/422 is about the phone number.
func isPhoneProblem(code, field string) bool {
	return strings.EqualFold(field, "phone") || strings.Contains(strings.ToLower(code), "phone")
}

func headerInt(h http.Header, name string) (int64, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}
