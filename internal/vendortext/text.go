// Package vendortext makes text that came from a vendor (error messages,
// echoed fields) safe to keep and show: control and format characters
// gone, known secrets and credentials cut out, length bounded. It is a
// leaf so every vendor client can use it without importing the others.
package vendortext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"coexsync/ui/safe"
)

// Clean drops control and format characters (including zero-width and
// bidi overrides and invalid UTF-8) and folds whitespace: for names bound
// for a CRM and for vendor messages bound for a screen or a log.
func Clean(s string) string {
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

// Redacted replaces every secret, bearer credential and URL userinfo.
const Redacted = "[redacted]"

// Safe makes text a vendor sent back safe to keep and show. The
// order matters: terminal escape sequences, control and format characters
// go first (a token split by a zero-width space or an ESC sequence reads
// as the token once they are gone), then every secret given is cut out
// wherever it occurs, even with spacing or invisible characters inside,
// then bearer credentials and URL userinfo, and last the text is cut to
// max runes.
func Safe(s string, max int, secrets ...string) string {
	// A pass on the raw text too: a bare ESC inside a token makes the
	// escape parser eat the next character, which would leave all of the
	// token but one letter unmatchable.
	s = RedactSecrets(Clean(safe.Text(RedactSecrets(s, secrets...))), secrets...)
	// Secrets first: a credential rule that took half a split token would
	// leave the other half unmatchable.
	if r := RedactCredentials(s); r != s {
		s = RedactSecrets(r, secrets...)
	}
	clipped := Clip(s, max)
	if clipped != s {
		// The ellipsis could complete a secret that ends in one.
		clipped = RedactSecrets(clipped, secrets...)
	}
	return clipped
}

// Clip cuts s to max runes, marking the cut with an ellipsis.
func Clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// Ignorable reports whether r can sit inside a secret without changing how
// it reads: whitespace, controls, format characters (zero-width, soft
// hyphen, bidi), other default-ignorable code points and U+FFFD. Secrets
// are matched with these skipped.
func Ignorable(r rune) bool {
	switch {
	case unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r),
		r == utf8.RuneError, r == 0x034f, // combining grapheme joiner
		r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0, // Hangul fillers
		r == 0x17b4, r == 0x17b5, r >= 0x180b && r <= 0x180f, // Khmer vowels, Mongolian selectors
		r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef, // variation selectors
		r >= 0xe0000 && r <= 0xe0fff: // tags and unassigned ignorables
		return true
	}
	return false
}

// fold is the per-rune case fold secrets are compared under: a server
// that upper-cases what it echoes still echoes the secret.
func fold(r rune) rune { return unicode.ToLower(r) }

// Skeleton is s with ignorable characters dropped and case folded: two
// texts that read the same have the same skeleton.
func Skeleton(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !Ignorable(r) {
			b.WriteRune(fold(r))
		}
	}
	return b.String()
}

// maxRedactPasses bounds the passes of RedactSecrets. One pass removes
// every occurrence; later passes only catch a secret that the marker and
// its neighbours happen to spell anew.
const maxRedactPasses = 8

// RedactSecrets replaces every occurrence of each secret in s with
// [redacted]. An occurrence may be split by ignorable characters or differ
// in case; the whole span it covers is cut out. The result never holds a
// secret's skeleton in its own skeleton.
func RedactSecrets(s string, secrets ...string) string {
	var skels []string
	for _, sec := range secrets {
		if k := Skeleton(sec); k != "" {
			skels = append(skels, k)
		}
	}
	if len(skels) == 0 {
		return s
	}
	for range maxRedactPasses {
		changed := false
		for _, k := range skels {
			var did bool
			s, did = redactOne(s, k, markerFor(k))
			changed = changed || did
		}
		if !changed {
			return s
		}
	}
	// Pathological secrets that keep reappearing: keep nothing of s.
	for _, k := range skels {
		if strings.Contains(Skeleton(Redacted), k) {
			return ""
		}
	}
	return Redacted
}

// markerFor is [redacted], or *** for a secret the marker itself spells.
func markerFor(skel string) string {
	if strings.Contains(Skeleton(Redacted), skel) {
		return "***"
	}
	return Redacted
}

// redactOne replaces each occurrence of the skeleton k in s with marker.
func redactOne(s, k, marker string) (string, bool) {
	if !strings.Contains(Skeleton(s), k) {
		return s, false // the common case, without the offset tables
	}
	// skel holds s's skeleton; starts[i] and ends[i] are the byte span in s
	// of the rune that begins at skel[i] (only set at rune starts).
	var skel strings.Builder
	starts := make([]int, 0, len(s))
	ends := make([]int, 0, len(s))
	for i, r := range s {
		if Ignorable(r) {
			continue
		}
		n := utf8.RuneLen(fold(r))
		end := i + utf8.RuneLen(r)
		for range n {
			starts = append(starts, i)
			ends = append(ends, end)
		}
		skel.WriteRune(fold(r))
	}
	sk := skel.String()
	var b strings.Builder
	last, from, found := 0, 0, false
	for {
		j := strings.Index(sk[from:], k)
		if j < 0 {
			break
		}
		j += from
		a, z := starts[j], ends[j+len(k)-1]
		b.WriteString(s[last:a])
		b.WriteString(marker)
		last, from, found = z, j+len(k), true
	}
	if !found {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// RedactCredentials replaces what must never be shown even when the
// secret is not known: the credential after "Bearer" or "Basic" (any
// case) and the userinfo of URLs (https://user:pass@host).
func RedactCredentials(s string) string {
	return safe.RedactURLUserinfo(redactAuthSchemes(s))
}

// minCredential is the shortest run after "Bearer"/"Basic" taken for a
// credential: shorter words are prose ("the bearer token is invalid").
const minCredential = 12

func redactAuthSchemes(s string) string {
	// ASCII-only lowering keeps byte offsets equal to s's.
	lower := []byte(s)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		j, n := nextScheme(string(lower[i:]))
		if j < 0 {
			break
		}
		at := i + j + n // just after the scheme word
		k := at
		for k < len(s) && (s[k] == ' ' || s[k] == ':' || s[k] == '=') {
			k++
		}
		e := k
		for e < len(s) && isTokenByte(s[e]) {
			e++
		}
		if k > at && e-k >= minCredential {
			b.WriteString(s[last:k])
			b.WriteString(Redacted)
			last = e
		}
		i = max(e, at)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// nextScheme finds the next "bearer" or "basic" in lower, returning its
// index and length (or -1).
func nextScheme(lower string) (int, int) {
	bi, si := strings.Index(lower, "bearer"), strings.Index(lower, "basic")
	switch {
	case bi < 0 && si < 0:
		return -1, 0
	case si < 0 || (bi >= 0 && bi < si):
		return bi, len("bearer")
	}
	return si, len("basic")
}

// isTokenByte: the characters of an RFC 6750 b64token (and of base64).
func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-._~+/=", c) >= 0
}
