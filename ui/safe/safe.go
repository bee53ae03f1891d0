// Package safe makes text that came from outside (contact names, CRM and
// Meta messages) harmless to print on a terminal: a name must never move
// the cursor, retitle the window, hide text or reverse the line.
package safe

import (
	"strings"
	"unicode/utf8"
)

const (
	esc = 0x1b
	bel = 0x07
	// C1 introducers that open a string terminated by ST (or BEL for OSC).
	c1DCS = 0x90
	c1SOS = 0x98
	c1CSI = 0x9b
	c1ST  = 0x9c
	c1OSC = 0x9d
	c1PM  = 0x9e
	c1APC = 0x9f
)

// Text returns s with escape sequences (CSI, OSC, DCS, SOS, PM, APC and
// two-byte ESC sequences) removed, every other C0/C1 control and DEL
// removed, tabs and line breaks turned into spaces (table cells are one
// line), bidi controls removed, invalid UTF-8 replaced by U+FFFD, and the
// userinfo of URLs (user:password@) replaced by [redacted].
func Text(s string) string {
	if isClean(s) {
		return RedactURLUserinfo(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
			i++
		case r == esc:
			i = skipEscape(s, i+1)
		case r == c1CSI:
			i = skipCSI(s, i+size)
		case r == c1OSC || r == c1DCS || r == c1SOS || r == c1PM || r == c1APC:
			i = skipString(s, i+size)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
			i += size
		case isControl(r) || isBidi(r):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return RedactURLUserinfo(b.String())
}

// RedactURLUserinfo replaces the userinfo of every URL in s
// (scheme://user:password@host) with [redacted]: a proxy or base URL
// configured with credentials must not print them.
func RedactURLUserinfo(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; ; {
		j := strings.Index(s[i:], "://")
		if j < 0 {
			break
		}
		j += i
		start := j + len("://")
		end := start
		at := -1
		for end < len(s) && !endsAuthority(s[end]) {
			if s[end] == '@' {
				at = end
			}
			end++
		}
		if at >= 0 && hasScheme(s[:j]) {
			b.WriteString(s[last:start])
			b.WriteString("[redacted]")
			last = at
		}
		i = max(end, start)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// endsAuthority: the bytes that end the authority part of a URL, and the
// ones that end a URL quoted in running text.
func endsAuthority(c byte) bool {
	return c <= ' ' || c == 0x7f || strings.IndexByte("/?#\"'<>`", c) >= 0
}

// hasScheme reports whether before ends in a URL scheme (RFC 3986:
// a letter, then letters, digits, + - .).
func hasScheme(before string) bool {
	n := 0
	for n < len(before) {
		c := before[len(before)-1-n]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			n++
			continue
		}
		break
	}
	for n > 0 { // the scheme starts at its first letter
		c := before[len(before)-n]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return true
		}
		n--
	}
	return false
}

// isClean is the fast path: most names need no work at all.
func isClean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || isControl(r) || isBidi(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// isBidi lists the explicit directional formatting characters that can make
// a name render as something else (Trojan Source style reordering).
func isBidi(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // LRM, RLM, ALM
		return true
	}
	return false
}

// skipEscape skips what follows an ESC at s[i-1] and returns the index after
// the sequence.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// Two-byte sequences (ESC 7, ESC c, …) and nF sequences: intermediates
	// 0x20–0x2F then one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI skips parameter and intermediate bytes up to the final byte. A
// byte that cannot be part of a CSI ends it and is handled on its own.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		case c >= 0x20 && c <= 0x3f:
			i++
		default:
			return i
		}
	}
	return i
}

// skipString skips a control string up to and including its terminator:
// BEL, ESC \ or the C1 ST. An unterminated string swallows the rest, which
// is what a terminal would do too.
func skipString(s string, i int) int {
	for i < len(s) {
		if s[i] == bel {
			return i + 1
		}
		if s[i] == esc {
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // a new sequence starts here
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == c1ST {
			return i + size
		}
		i += size
	}
	return i
}

// Bidi isolates: text between FSI and PDI takes its direction from its
// own first strong letter and cannot reorder what is around it.
const (
	FSI = "\u2068"
	PDI = "\u2069"
)

// Isolate is outside text (a contact name, a CRM value) made safe with
// Text and wrapped in FSI … PDI, so a number printed next to an Arabic or
// Hebrew name stays where it is written. The text's own isolates are
// removed first, so it can never close the one around it.
func Isolate(s string) string {
	return FSI + Text(s) + PDI
}

// Line is Text for a line built from pieces passed through Isolate: every
// piece is made safe as Text does, but the FSI … PDI pairs survive. A PDI
// with no FSI open is dropped and isolates left open are closed at the
// end, so no isolate reaches past the line.
func Line(s string) string {
	if !strings.Contains(s, FSI) && !strings.Contains(s, PDI) {
		return Text(s)
	}
	var b strings.Builder
	b.Grow(len(s) + len(PDI))
	depth := 0
	for s != "" {
		i := strings.IndexAny(s, FSI+PDI)
		if i < 0 {
			b.WriteString(Text(s))
			break
		}
		b.WriteString(Text(s[:i]))
		if strings.HasPrefix(s[i:], FSI) {
			depth++
			b.WriteString(FSI)
			s = s[i+len(FSI):]
			continue
		}
		if depth > 0 {
			depth--
			b.WriteString(PDI)
		}
		s = s[i+len(PDI):]
	}
	b.WriteString(strings.Repeat(PDI, depth))
	return b.String()
}
