package phoneindex

import (
	"regexp"
	"strings"

	"coexsync/crm"
)

// Read reads one stored value into its entries: one, unless the value is
// unreadable as a whole and yet holds numbers a person would read — two
// numbers in one field ("020 7946 0321 / 07911 123456"), a label around
// one ("Mob: 07911 123456", "+44 7911 123456 (mobile)"), a stray comma,
// Brazil's carrier slot ("(0xx11) 98765-4321").
// Every part must read, or the value stays one unreadable entry: a split
// that leaves a fragment was not a list of numbers. Each part's entry
// keeps the value's Raw, so the preview shows what the CRM holds.
func Read(v crm.PhoneValue, recordCountry, defaultRegion string) []Entry {
	e := Keys(v, recordCountry, defaultRegion)
	if e.Readable() || e.Reason == ReasonEmpty || e.Reason == ReasonExtension {
		return []Entry{e}
	}
	parts := numberParts(v.Raw)
	if len(parts) == 0 {
		return []Entry{e}
	}
	// "+33 6 12 34 56 78 / 06 98 76 54 32": a national number listed
	// beside an international one may be of that one's country, or of the
	// record's (the account's): read both ways, differently, it is no
	// one's for sure and gets no key.
	listed := ""
	if CountryCode(recordCountry) == "" {
		for _, p := range parts {
			if !explicitInternational(p) {
				continue
			}
			if pe := Keys(crm.PhoneValue{Property: v.Property, Raw: p}, "", ""); pe.Readable() && pe.Region != "" {
				listed = pe.Region
				break
			}
		}
	}
	out := make([]Entry, 0, len(parts))
	for _, p := range parts {
		pv := crm.PhoneValue{Property: v.Property, Raw: p, WhatsApp: v.WhatsApp}
		pe := Keys(pv, recordCountry, defaultRegion)
		if listed != "" {
			switch alt := Keys(pv, listed, defaultRegion); {
			case !pe.Readable():
				pe = alt
			case alt.Readable() && alt.E164 != pe.E164:
				pe = Entry{Property: v.Property, Reason: ReasonTwoCountries}
			}
		}
		if !pe.Readable() && pe.Reason != ReasonTwoCountries {
			return []Entry{e}
		}
		pe.Raw = v.Raw
		if !pe.Readable() || !containsKey(out, pe.E164) {
			out = append(out, pe)
		}
	}
	return out
}

func containsKey(es []Entry, e164 string) bool {
	for _, e := range es {
		if e.E164 == e164 {
			return true
		}
	}
	return false
}

var (
	// listSeparator parts numbers kept in one field.
	listSeparator = regexp.MustCompile(`\s*(?:[,;|/&\n]|\s(?i:or|and)\s)\s*`)
	// carrierPlaceholder is Brazil's "0xx11": the trunk zero, then a slot
	// for the carrier code the caller picks.
	carrierPlaceholder = regexp.MustCompile(`(?i)\b0\s*xx\s*`)
	// leadingLabel is "Mob:", "Tel.:", "Phone:" before a number.
	leadingLabel = regexp.MustCompile(`^\s*\pL[\pL .]*:\s*`)
	// trailingLabel is "(mobile)", "- work", "– Ana" after one.
	trailingLabel = regexp.MustCompile(`\s*(?:\(\s*\pL[\pL .]*\)|\s[-–]\s*\pL[\pL .]*)\s*$`)
)

// numberParts is raw split into the numbers it lists, labels and stray
// punctuation dropped, or nil when that changes nothing.
func numberParts(raw string) []string {
	var parts []string
	for _, p := range listSeparator.Split(raw, -1) {
		p = trailingLabel.ReplaceAllString(leadingLabel.ReplaceAllString(p, ""), "")
		p = carrierPlaceholder.ReplaceAllString(p, "0")
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 1 && parts[0] == strings.TrimSpace(raw) {
		return nil
	}
	return parts
}
