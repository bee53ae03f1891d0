package hubspottest

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"coexsync/crm/hubspot"
)

// calculate fills HubSpot's calculated phone properties from phone and
// mobilephone, the way HubSpot derives them: E.164 when the country can be
// worked out (the account's country when the value has no '+'), and the
// national digits for search. Unparseable values get no calculated value.
func (s *Server) calculate(props map[string]string) {
	s.derive(props, hubspot.PropPhone, hubspot.PropCalculatedPhone, hubspot.PropSearchablePhone)
	s.derive(props, hubspot.PropMobile, hubspot.PropCalculatedMobile, hubspot.PropSearchableMobile)
}

func (s *Server) derive(props map[string]string, from, e164Prop, searchProp string) {
	delete(props, e164Prop)
	delete(props, searchProp)
	num, ok := parseIn(strings.TrimSpace(props[from]), s.regionFor(props[hubspot.PropCountry]))
	if !ok {
		return
	}
	props[e164Prop] = phonenumbers.Format(num, phonenumbers.E164)
	props[searchProp] = phonenumbers.GetNationalSignificantNumber(num)
}

// parse reads a free-text phone with the account's default country.
func (s *Server) parse(raw string) (*phonenumbers.PhoneNumber, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, false
	}
	num, err := phonenumbers.Parse(raw, s.opts.DefaultRegion)
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return nil, false
	}
	return num, true
}

// validPhone is the account's phone validation: a real number.
func (s *Server) validPhone(raw string) bool {
	num, ok := s.parse(raw)
	return ok && phonenumbers.IsValidNumber(num)
}
