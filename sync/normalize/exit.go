package normalize

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// regionExit reads text written with an exit code that starts with "00"
// but is longer, as some regions dial abroad ("0011" in Australia, "0021"
// in Brazil): the generic "00" reading of those digits is another number.
// ok is false unless the region's own exit code was stripped and the
// number is valid.
func regionExit(text, region string) (parsed, bool) {
	lead := strings.TrimLeft(text, leadingSeparators)
	if region == "" || !strings.HasPrefix(lead, "00") {
		return parsed{}, false
	}
	pn, err := phonenumbers.ParseAndKeepRawInput(lead, region)
	if err != nil || pn.GetExtension() != "" ||
		pn.GetCountryCodeSource() != phonenumbers.PhoneNumber_FROM_NUMBER_WITH_IDD {
		return parsed{}, false
	}
	// The same number without the bookkeeping ParseAndKeepRawInput adds,
	// so it compares and formats like every other result.
	cc, nsn := pn.GetCountryCode(), phonenumbers.GetNationalSignificantNumber(pn)
	if !plainNSN(nsn) {
		return parsed{}, false
	}
	if n, ok := validate(cc, nsn); ok {
		return n, true
	}
	return repair(cc, nsn)
}

// extensionMark finds the extension notations the library's own splitter
// misses: "#12", ";ext=", words for "extension" and "x" glued to digits.
var extensionMark = regexp.MustCompile(`(?i)(#\s*\d|;\s*ext|(^|[^\pL])(ext|anexo|ramal|poste|durchwahl|доб)|\d\s*x\s*\.?\s*\d|(^|[^\pL])x\s*\.?\s*\d)`)

// HasExtension reports whether raw carries an extension ("x12", "ext. 12",
// ";ext=12", "#12"): a desk line, never a WhatsApp number, so it must
// never be matched to one.
func HasExtension(raw string) bool {
	if len(raw) > maxRawLen || plainNumber(raw) {
		return false
	}
	text := asciiText(raw)
	if _, ext := phonenumbers.MaybeSeparateExtensionFromPhone(text); ext != "" {
		return true
	}
	return extensionMark.MatchString(text)
}

// asciiText is raw with Unicode digits, plus signs and spaces mapped to
// ASCII, as clean maps them, and everything else kept.
func asciiText(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case unicode.IsDigit(r):
			b.WriteByte(byte('0' + digitValue(r)))
		case r == '＋':
			b.WriteByte('+')
		case r == '＃':
			b.WriteByte('#')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainNumber reports whether raw holds only digits, '+', spaces and the
// separators of a number, which no extension notation gets by with: most
// values skip the costly checks.
func plainNumber(raw string) bool {
	for _, r := range raw {
		switch {
		case r < 0x80 && strings.IndexRune("0123456789+ ()-./[]", r) >= 0:
		case unicode.IsDigit(r), unicode.IsSpace(r), unicode.Is(unicode.Cf, r), r == '＋':
		default:
			return false
		}
	}
	return true
}
