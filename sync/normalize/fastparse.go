package normalize

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Bounds the library puts on a national significant number.
const (
	minNationalLen    = 2
	maxNationalLen    = 17
	maxCountryCodeLen = 3
	minShortcutDigits = 4 // shorter digit strings are never worth the shortcut
)

// nationalPrefixes is, per country calling code, one pattern matching any
// national (trunk) prefix the library strips after that code, from every
// region that shares it. Built once from the library's own metadata; one
// pattern per code, since +1 alone has 25 regions and 13 distinct prefixes.
var nationalPrefixes = sync.OnceValue(func() map[int32]*regexp.Regexp {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil // every lookup then declines the shortcut
	}
	byCode := map[int32][]string{}
	for _, md := range coll.GetMetadata() {
		for _, p := range []string{md.GetNationalPrefixForParsing(), md.GetNationalPrefix()} {
			if p != "" && !slices.Contains(byCode[md.GetCountryCode()], p) {
				byCode[md.GetCountryCode()] = append(byCode[md.GetCountryCode()], p)
			}
		}
	}
	out := make(map[int32]*regexp.Regexp, len(byCode))
	for cc, ps := range byCode {
		re, err := regexp.Compile("^(?:(?:" + strings.Join(ps, ")|(?:") + "))")
		if err != nil {
			return nil
		}
		out[cc] = re
	}
	return out
})

// parseWhatsAppID reads digits (country code first, no '+', ASCII only) to
// the same number phonenumbers.Parse("+"+digits, "") gives, skipping the
// free-text handling that dominates its cost. WhatsApp IDs all have this
// shape, so this is the hot path of every sync. ok is false whenever Parse
// could do anything more (strip a national prefix, keep leading zeros,
// reject the length): the caller then uses Parse itself.
func parseWhatsAppID(digits string) (pn *phonenumbers.PhoneNumber, ok bool) {
	n, ok := whatsAppID(digits)
	if !ok {
		return nil, false
	}
	return numberFrom(n.cc, n.nsn), true
}

// plain is +cc nsn where nsn is digits without a leading zero.
type plain struct {
	cc  int32
	nsn string
}

// whatsAppID is parseWhatsAppID without building the library's number.
func whatsAppID(digits string) (plain, bool) {
	if len(digits) < minShortcutDigits || digits[0] == '0' {
		return plain{}, false
	}
	calling := phonenumbers.GetSupportedCallingCodes()
	cc := 0
	for i := 1; i <= maxCountryCodeLen; i++ {
		if !isASCIIDigit(digits[i-1]) {
			return plain{}, false
		}
		cc = cc*10 + int(digits[i-1]-'0')
		if !calling[cc] {
			continue
		}
		// Calling codes are prefix-free: the first that is known is the one.
		return buildNumber(int32(cc), digits[i:])
	}
	return plain{}, false
}

func buildNumber(cc int32, nsn string) (plain, bool) {
	if len(nsn) < minNationalLen || len(nsn) > maxNationalLen || nsn[0] == '0' || !allDigits(nsn) {
		return plain{}, false
	}
	prefixes := nationalPrefixes()
	if prefixes == nil {
		return plain{}, false
	}
	if re := prefixes[cc]; re != nil && re.MatchString(nsn) {
		return plain{}, false
	}
	return plain{cc: cc, nsn: nsn}, true
}

// numberFrom is +cc nsn, or nil when nsn is not digits without a leading
// zero (leading zeros need the parser's own bookkeeping).
func numberFrom(cc int32, nsn string) *phonenumbers.PhoneNumber {
	if !plainNSN(nsn) {
		return nil
	}
	n, err := strconv.ParseUint(nsn, 10, 64)
	if err != nil {
		return nil
	}
	// One allocation for the number and the fields it points to.
	box := &struct {
		pn phonenumbers.PhoneNumber
		cc int32
		n  uint64
	}{cc: cc, n: n}
	box.pn.CountryCode, box.pn.NationalNumber = &box.cc, &box.n
	return &box.pn
}

// plainNSN reports whether nsn is digits without a leading zero that fit
// the library's number (so +cc nsn is exactly what numberFrom builds).
func plainNSN(nsn string) bool {
	return allDigits(nsn) && nsn[0] != '0' && len(nsn) <= maxNationalLen
}

// internationalDigits is the digits of text when it is '+' then only digits
// and the separators people put between them, the one shape for which
// Parse does nothing but drop the separators; ok is false otherwise.
func internationalDigits(text string) (digits string, ok bool) {
	rest, ok := strings.CutPrefix(text, "+")
	if !ok || len(text) > maxRawLen {
		// Parse refuses text this long whatever it holds; so does Number
		// before it gets here, and the shortcut must never disagree.
		return "", false
	}
	if allDigits(rest) {
		return rest, true
	}
	b := make([]byte, 0, len(rest))
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case isASCIIDigit(c):
			b = append(b, c)
		case strings.IndexByte(" -.()", c) >= 0:
		default:
			return "", false
		}
	}
	return string(b), true
}

// allDigits reports whether s is non-empty ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }
