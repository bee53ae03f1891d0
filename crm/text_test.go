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
