package safe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Ana Lima", "Ana Lima"},
		{"accents and CJK kept", "José 李小龍 🙂", "José 李小龍 🙂"},
		{"SGR colour", "\x1b[31mRed\x1b[0m Cross", "Red Cross"},
		{"cursor move and clear", "a\x1b[2J\x1b[10;20Hb", "ab"},
		{"OSC title with BEL", "\x1b]0;pwned\x07Bob", "Bob"},
		{"OSC hyperlink with ST", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"DCS", "\x1bPq#0;2;0;0;0\x1b\\Eve", "Eve"},
		{"APC", "\x1b_Gf=100;AAAA\x1b\\img", "img"},
		{"two-byte ESC", "\x1b7save\x1b8", "save"},
		{"C1 CSI", "x\u009b31my", "xy"},
		{"C1 OSC until ST", "\u009d0;t\u009cz", "z"},
		{"C0 dropped", "a\x00b\x07c\x08d", "abcd"},
		{"DEL dropped", "a\x7fb", "ab"},
		{"line breaks become spaces", "one\ntwo\r\tthree", "one two  three"},
		{"bidi override", "abc\u202Edcba\u202C", "abcdcba"},
		{"isolates and marks", "\u2066x\u2069\u200fy\u061c", "xy"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"unterminated OSC swallows rest", "ok\x1b]0;never ends", "ok"},
		{"trailing ESC", "end\x1b", "end"},
		{"CSI broken by control", "a\x1b[3\x00b", "ab"},
		{"ESC inside OSC starts new sequence", "\x1b]0;t\x1b[1mB", "B"},
		{"URL userinfo", `Post "https://user:pw@api.example/x": EOF`, `Post "https://[redacted]@api.example/x": EOF`},
		{"URL userinfo behind an escape", "proxy \x1b[1mhttp://u:p@h:8080\x1b[0m", "proxy http://[redacted]@h:8080"},
		{"URL without userinfo kept", "https://example.com/a@b and ana@example.com", "https://example.com/a@b and ana@example.com"},
		{"no scheme, no URL", "x ://u:p@h", "x ://u:p@h"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Text(c.in); got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// checkClean fails when out still holds anything a terminal would act on.
func checkClean(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Text(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if isControl(r) || isBidi(r) {
			t.Fatalf("Text(%q) = %q: contains control %U", in, out, r)
		}
	}
	if Text(out) != out {
		t.Fatalf("Text not idempotent on %q", out)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"Ana Lima", "\x1b[31mRed", "\x1b]0;t\x07", "\x1bP\x1b\\", "\u009b1m",
		"\u202e", "\xff\xfe", "a\nb", "\x1b", "\x1b[", "李\x1b[0m", "\u009d\u009c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		checkClean(t, in, out)
		if strings.IndexByte(out, 0x1b) >= 0 {
			t.Fatalf("ESC survived in %q", out)
		}
	})
}

func BenchmarkTextClean(b *testing.B) {
	s := "Maria da Silva Pereira +55 11 98765-4321"
	for b.Loop() {
		_ = Text(s)
	}
}

func BenchmarkTextDirty(b *testing.B) {
	s := "\x1b[31mMaria\x1b[0m \u202eda Silva\x1b]0;x\x07 +55 11"
	for b.Loop() {
		_ = Text(s)
	}
}

func TestIsolateAndLine(t *testing.T) {
	name := "\u2069محمد\u202e\x1b[31m"
	got := Isolate(name)
	if got != FSI+"محمد"+PDI {
		t.Fatalf("Isolate(%q) = %q", name, got)
	}
	cases := []struct{ in, want string }{
		{"created " + got + "  5511", "created " + FSI + "محمد" + PDI + "  5511"},
		{"a" + PDI + "b" + FSI + "c", "ab" + FSI + "c" + PDI},     // stray PDI dropped, open FSI closed
		{FSI + "x\x1b]0;t\x07" + PDI + "\u202e", FSI + "x" + PDI}, // pieces still made safe
		{"plain \u2066text\u2069", "plain text"},                  // other isolates are not kept
		{FSI + FSI + "x" + PDI, FSI + FSI + "x" + PDI + PDI},      // nested, closed
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
