package crm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestVendorTextRedactsCleansAndClips(t *testing.T) {
	got := VendorText("bad token pat-na1-SECRET\x1b]0;owned\x07 \u202e\tend", 100, "pat-na1-SECRET", "")
	if strings.Contains(got, "SECRET") || strings.ContainsAny(got, "\x1b\x07\u202e\t") {
		t.Fatalf("VendorText kept a secret or a control character: %q", got)
	}
	if !strings.Contains(got, "[redacted]") || !strings.HasSuffix(got, "end") {
		t.Fatalf("VendorText lost the message: %q", got)
	}
	long := VendorText(strings.Repeat("ü", 50), 10)
	if utf8.RuneCountInString(long) != 11 || !strings.HasSuffix(long, "…") {
		t.Fatalf("clipped to %q", long)
	}
	if Clip("short", 10) != "short" {
		t.Fatal("Clip changed a short string")
	}
}

// leakToken is shaped like a HubSpot private app token.
const leakToken = "pat-na1-5ecret-T0ken-1234"

// LeakVariants are the spellings of a token a server might echo: plain
// and with something inside it that a screen does not show.
func leakVariants(tok string) map[string]string {
	mid := len(tok) / 2
	in := func(x string) string { return tok[:mid] + x + tok[mid:] }
	return map[string]string{
		"plain":             "invalid token " + tok + " for portal",
		"zero width space":  "invalid token " + in("\u200b") + " for portal",
		"soft hyphen":       "invalid token " + in("\u00ad") + " for portal",
		"ESC sequence":      "invalid token " + in("\x1b[0m") + "\x1b[31m for portal",
		"bare ESC":          "invalid token " + in("\x1b") + " for portal",
		"NBSP and spacing":  "invalid token " + tok[:4] + "\u00a0" + tok[4:mid] + "\u2009\u3000" + tok[mid:] + " for portal",
		"mixed case bearer": "header was bEaReR " + strings.ToUpper(tok) + "; check the token",
		"mixed invisible":   "token=" + tok[:3] + "\u2060" + tok[3:mid] + "\ufeff\u200d" + tok[mid:] + "\u202e",
	}
}

func TestVendorTextRedactsEverySpelling(t *testing.T) {
	for name, in := range leakVariants(leakToken) {
		t.Run(name, func(t *testing.T) {
			got := VendorText(in, 300, leakToken)
			if strings.Contains(Skeleton(got), Skeleton(leakToken)) {
				t.Fatalf("VendorText(%q) = %q: the token is still there", in, got)
			}
			// Not even a part long enough to be mistaken for a clue.
			for _, part := range []string{leakToken[:8], leakToken[len(leakToken)-8:]} {
				if strings.Contains(Skeleton(got), Skeleton(part)) {
					t.Errorf("VendorText(%q) = %q keeps %q of the token", in, got, part)
				}
			}
			if !strings.Contains(got, Redacted) {
				t.Errorf("VendorText(%q) = %q: no [redacted] marker", in, got)
			}
			if strings.IndexFunc(got, func(r rune) bool { return r != ' ' && Ignorable(r) }) >= 0 {
				t.Errorf("VendorText(%q) = %q keeps an invisible character", in, got)
			}
		})
	}
}

func TestRedactCredentials(t *testing.T) {
	cases := []struct{ in, want string }{
		{"the bearer token is invalid", "the bearer token is invalid"},
		{"Authorization: Bearer abcdefghijklmnop", "Authorization: Bearer [redacted]"},
		{"BASIC dXNlcjpwYXNzd29yZA==!", "BASIC [redacted]!"},
		{`Post "https://user:pw@api.example.com/x": EOF`, `Post "https://[redacted]@api.example.com/x": EOF`},
		{"proxy http://u:***@10.0.0.1:8080 refused", "proxy http://[redacted]@10.0.0.1:8080 refused"},
		{"mail ana@example.com or see https://example.com/a@b", "mail ana@example.com or see https://example.com/a@b"},
	}
	for _, c := range cases {
		if got := RedactCredentials(c.in); got != c.want {
			t.Errorf("RedactCredentials(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactSecretsKeepsTheRest(t *testing.T) {
	got := RedactSecrets("a tok\u200ben b tok c", "tok")
	if got != "a [redacted]\u200ben b [redacted] c" { // the span ends with the token
		t.Errorf("got %q", got)
	}
	if got := RedactSecrets("redacted", "redacted"); got != "***" {
		t.Errorf("a secret the marker spells: got %q", got)
	}
	if got := RedactSecrets("nothing here", "", "\u200b"); got != "nothing here" {
		t.Errorf("empty secrets changed the text: %q", got)
	}
}

// FuzzVendorTextNeverShowsTheSecret: wherever the token sits and whatever
// invisible characters split it, the output's skeleton (invisible
// characters removed, case folded) never holds the token's.
func FuzzVendorTextNeverShowsTheSecret(f *testing.F) {
	for _, in := range leakVariants(leakToken) {
		f.Add(in, leakToken, 300)
	}
	f.Add("x\u00adredacted", "redacted", 5)
	f.Add("abc…", "abc…", 3)
	f.Add("]x[", "]x[", 100)
	f.Fuzz(func(t *testing.T, text, secret string, max int) {
		if max < 1 || max > 1000 {
			return
		}
		k := Skeleton(secret)
		if k == "" {
			return
		}
		// Splice the secret, split by the fuzzer's text, into the text too.
		mid := len(secret) / 2
		for _, in := range []string{text, secret[:mid] + text + secret[mid:], text + secret + text} {
			out := VendorText(in, max, secret)
			if strings.Contains(Skeleton(out), k) {
				t.Fatalf("VendorText(%q, %d, %q) = %q shows the secret", in, max, secret, out)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 %q", out)
			}
		}
	})
}
