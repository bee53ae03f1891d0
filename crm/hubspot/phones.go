package hubspot

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// form renders an E.164 number the way one HubSpot property stores it.
type form func(e164 string) string

// formE164 is how validated and calculated properties store a number.
func formE164(e164 string) string { return e164 }

// formDigits is the number without '+', as imports from WhatsApp (and
// people pasting wa.me links) often leave it in free-text properties.
func formDigits(e164 string) string { return strings.TrimPrefix(e164, "+") }

// formNational is the national significant number, as HubSpot keeps it in
// hs_searchable_* properties. It can collide across countries, which is
// why callers re-normalize what comes back.
func formNational(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetNationalSignificantNumber(num)
}

// phoneGroup is one filter group of a phone search: one property, one IN
// filter, the candidates rendered in each form in order of likelihood.
type phoneGroup struct {
	property string
	forms    []form
}

// phoneGroups covers the five properties a contact's number is most
// likely held in, one group each (HubSpot allows MaxFilterGroups).
// mobilephone typed as free text is reached only through its E.164 and
// digit forms: hs_calculated_mobile_number would need a sixth group.
var phoneGroups = []phoneGroup{
	{PropPhone, []form{formE164, formDigits}},
	{PropMobile, []form{formE164, formDigits}},
	{PropCalculatedPhone, []form{formE164}},
	{PropSearchablePhone, []form{formNational}},
	{PropWhatsAppPhone, []form{formE164, formDigits}},
}

// recordProperties are requested on every search.
var recordProperties = []string{
	PropFirstName, PropLastName,
	PropPhone, PropMobile, PropCalculatedPhone, PropCalculatedMobile, PropWhatsAppPhone,
	PropCountry,
}

// phoneProperties are the properties returned as a Record's Phones.
var phoneProperties = recordProperties[2:7]

// phoneFilterGroups builds the filter groups for up to MaxInValues
// numbers. A form is added to a group only when all its values fit, so a
// full batch searches each property in its first form only.
func phoneFilterGroups(e164s []string) []FilterGroup {
	groups := make([]FilterGroup, 0, len(phoneGroups))
	for _, g := range phoneGroups {
		var values []string
		seen := map[string]bool{}
		for _, render := range g.forms {
			add := renderAll(render, e164s, seen)
			if len(values)+len(add) > MaxInValues {
				break
			}
			values = append(values, add...)
		}
		if len(values) == 0 {
			continue
		}
		groups = append(groups, FilterGroup{Filters: []Filter{{PropertyName: g.property, Operator: OpIN, Values: values}}})
	}
	return groups
}

// renderAll renders every number in one form, skipping empty values and
// values already in seen (which it updates).
func renderAll(render form, e164s []string, seen map[string]bool) []string {
	var out []string
	for _, n := range e164s {
		v := render(strings.TrimSpace(n))
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}
