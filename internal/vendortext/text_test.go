package vendortext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafe(t *testing.T) {
	const tok = "pat-na1-5ecret-T0ken-1234"
	for name, in := range map[string]string{
		"plain":       "invalid token " + tok + " for portal",
		"zero width":  "invalid token " + tok[:9] + "\u200b" + tok[9:] + " for portal",
		"ESC inside":  "invalid token " + tok[:9] + "\x1b[0m" + tok[9:] + "\x1b[31m for portal",
		"upper cased": "invalid token " + strings.ToUpper(tok) + " for portal",
	} {
		got := Safe(in, 300, tok)
		if strings.Contains(Skeleton(got), Skeleton(tok)) || !strings.Contains(got, Redacted) || strings.ContainsAny(got, "\x1b\u200b") {
			t.Errorf("%s: Safe = %q", name, got)
		}
		if !strings.HasPrefix(got, "invalid token ") || !strings.HasSuffix(got, " for portal") {
			t.Errorf("%s: the message around the token is lost: %q", name, got)
		}
	}
	if got := Safe("Authorization: Bearer abcdefghijklmnop", 100); got != "Authorization: Bearer "+Redacted {
		t.Errorf("a bearer credential is kept: %q", got)
	}
	if got := Safe(strings.Repeat("ü", 50), 10); utf8.RuneCountInString(got) != 11 || !strings.HasSuffix(got, "…") {
		t.Errorf("clipped to %q", got)
	}
	if got := Clean(" a\tb\n\u202ec "); got != "a b c" {
		t.Errorf("Clean = %q", got)
	}
}
