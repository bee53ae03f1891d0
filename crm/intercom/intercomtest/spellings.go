package intercomtest

import (
	"strings"

	"coexsync/crm/intercom"
)

// MessyPhone renders an E.164 number as people leave it in Intercom's
// free-text phone field, for seeding realistic accounts. Styles below
// intercom.PhoneVariants are spellings the client searches for; higher
// ones ("+1 415 555 2671", "415.555.2671 ext. 2", …) are only found by a
// person, which is what a real account is like. style wraps around.
// (Unparseable numbers have fewer searched spellings, shifting the styles.)
func MessyPhone(e164 string, style int) string {
	spellings := intercom.PhoneSpellings(e164)
	digits := strings.TrimPrefix(e164, "+")
	extra := []string{
		"+" + spaced(digits),
		"00" + digits,
		spellings[len(spellings)-1] + " ext. 2",
		strings.ReplaceAll(spellings[len(spellings)-1], " ", "."),
	}
	all := append(spellings, extra...)
	if style < 0 {
		style = -style
	}
	return all[style%len(all)]
}

// spaced groups digits in threes, as many people type them.
func spaced(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && i%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
