package hubspottest

import (
	"maps"
	"strings"
	"testing"

	"coexsync/crm/hubspot"
)

// Packed properties give back exactly the map they were packed from:
// known and custom keys, values set to "", values longer than one
// length byte holds.
func TestPropsRoundTrip(t *testing.T) {
	for _, m := range []map[string]string{
		{},
		{hubspot.PropFirstName: "Ana", hubspot.PropPhone: "+55 11 98765-4321", hubspot.PropCountry: ""},
		{"custom_field": "x", "": "empty key", hubspot.PropSearchableMobile: strings.Repeat("9", 300)},
		{strings.Repeat("k", 200): strings.Repeat("é", 100_000), hubspot.PropLastName: "Lima"},
	} {
		p := packProps(m)
		if got := p.toMap(); !maps.Equal(got, m) {
			t.Errorf("packed %v, unpacked %v", m, got)
		}
		for k, v := range m {
			if got, ok := p.get(k); !ok || got != v {
				t.Errorf("get(%q) = %q, %v; want %q", k, got, ok, v)
			}
		}
		if _, ok := p.get("absent"); ok {
			t.Errorf("%v holds a property it was not given", m)
		}
		if packProps(p.toMap()) != p {
			t.Errorf("%v packs two ways", m)
		}
	}
}
