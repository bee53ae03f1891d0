package intercom

import (
	"coexsync/crm"
	"net/http"
	"strconv"
	"strings"
)

// maxMessage bounds a vendor message we keep: it is shown to people and
// stored, and it came from outside.
const maxMessage = 300

// cleanMessage makes a vendor message safe to keep: no token (should the
// server ever echo it), no control characters, bounded length.
func cleanMessage(s, token string) string { return crm.VendorText(s, maxMessage, token) }

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
