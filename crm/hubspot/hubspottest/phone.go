package hubspottest

import (
	"strings"
	"sync"

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
	r := readingOf(strings.TrimSpace(props[from]), s.regionFor(props[hubspot.PropCountry]))
	if !r.ok {
		return
	}
	props[e164Prop] = r.e164
	props[searchProp] = r.national
}

// A reading is what a value is calculated to in a region.
type reading struct {
	e164, national string
	ok             bool
}

// readings keeps the readings made in this process: every fake a process
// starts (the sandbox's, the tests') is seeded with the same values, and
// parsing them was most of seeding. Bounded: a huge dataset only fills it.
var readings = struct {
	sync.Mutex
	m map[[2]string]reading
}{m: make(map[[2]string]reading)}

const maxReadings = 1 << 14

func readingOf(raw, region string) reading {
	key := [2]string{raw, region}
	readings.Lock()
	r, ok := readings.m[key]
	readings.Unlock()
	if ok {
		return r
	}
	if num, ok := parseIn(raw, region); ok {
		r = reading{phonenumbers.Format(num, phonenumbers.E164), phonenumbers.GetNationalSignificantNumber(num), true}
	}
	readings.Lock()
	if len(readings.m) < maxReadings {
		readings.m[key] = r
	}
	readings.Unlock()
	return r
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
