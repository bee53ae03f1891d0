package normalize

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// checkShortcut fails when the WhatsApp-ID shortcut accepts text and reads
// it differently from phonenumbers.Parse.
func checkShortcut(t *testing.T, text string) (taken bool) {
	t.Helper()
	digits, ok := internationalDigits(text)
	if !ok {
		return false
	}
	pn, ok := parseWhatsAppID(digits)
	if !ok {
		return false
	}
	ref, err := phonenumbers.Parse(text, "")
	if err != nil || ref.GetCountryCode() != pn.GetCountryCode() || ref.GetNationalNumber() != pn.GetNationalNumber() ||
		ref.GetItalianLeadingZero() || ref.GetExtension() != "" {
		t.Fatalf("shortcut read %q as +%d %d; Parse gives %v (%v)", text, pn.GetCountryCode(), pn.GetNationalNumber(), ref, err)
	}
	return true
}

func TestShortcutAgreesWithParseOnEveryRegion(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	taken := 0
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			for _, text := range []string{e164, phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)} {
				if checkShortcut(t, text) {
					taken++
				}
			}
		}
	}
	if taken < 500 {
		t.Fatalf("shortcut taken only %d times: it no longer covers WhatsApp IDs", taken)
	}
}

// Where Parse would strip a national prefix or keep leading zeros, the
// shortcut must step aside and the result must still be Parse's.
func TestShortcutDeclinesWhatParseRewrites(t *testing.T) {
	for _, text := range []string{"+44 020 7946 0958", "+1 1 415 555 2671", "+39 06 6982 1234", "+7 8 912 345 6789"} {
		if checkShortcut(t, text) {
			t.Errorf("shortcut took %q", text)
		}
		ref, err := phonenumbers.Parse(text, "")
		if err != nil || !phonenumbers.IsValidNumber(ref) {
			t.Fatalf("Parse(%q) = %v, %v: want a valid number to compare with", text, ref, err)
		}
		want := phonenumbers.Format(ref, phonenumbers.E164)
		if got := Number(text, ""); !got.Valid || got.E164 != want {
			t.Errorf("Number(%q) = %q, want Parse's %q", text, got.E164, want)
		}
	}
	for _, text := range []string{"+44 20 7946 0958#", "+44 20 7946 0958;ext=1", "44 20 7946 0958", "+44 2O"} {
		if _, ok := internationalDigits(text); ok {
			t.Errorf("internationalDigits accepted %q", text)
		}
	}
	if d, ok := internationalDigits("+1 (415) 555-2671"); !ok || d != "14155552671" || strings.Contains(d, " ") {
		t.Errorf("internationalDigits(+1 (415) 555-2671) = %q %v", d, ok)
	}
}
