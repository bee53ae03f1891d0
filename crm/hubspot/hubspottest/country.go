package hubspottest

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// HubSpot works out a free-text phone's calculated E.164 this way: a '+'
// (or a leading 00) carries the country; else the record's country places
// it; else the account's default region, unless NoAccountRegion says
// HubSpot would leave it unplaced.

// regionFor is the region a value of a record in country is read in.
func (s *Server) regionFor(country string) string {
	region := regionOf(country)
	if region == "" && !s.opts.NoAccountRegion {
		region = s.opts.DefaultRegion
	}
	return region
}

// parseIn reads a trimmed value in region ("" reads only international
// forms, "00" taken as "+").
func parseIn(raw, region string) (*phonenumbers.PhoneNumber, bool) {
	if raw == "" {
		return nil, false
	}
	if rest, ok := strings.CutPrefix(raw, "00"); ok && region == "" {
		raw = "+" + rest
	}
	num, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return nil, false
	}
	return num, true
}

var (
	regionsOnce sync.Once
	regionNames map[string]string // lower-case English name or code → region
)

// countryAliases are common spellings that are not the English names.
var countryAliases = map[string]string{
	"usa": "US", "united states of america": "US", "america": "US",
	"uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
	"españa": "ES", "deutschland": "DE", "brasil": "BR", "méxico": "MX", "italia": "IT",
}

// regionOf maps HubSpot's free-text country to a region code: an ISO code
// or an English country name, ignoring case; "" when it names none.
func regionOf(country string) string {
	regionsOnce.Do(func() {
		regionNames = map[string]string{}
		names := display.English.Regions()
		for code := range phonenumbers.GetSupportedRegions() {
			regionNames[strings.ToLower(code)] = code
			if r, err := language.ParseRegion(code); err == nil {
				if n := names.Name(r); n != "" {
					regionNames[strings.ToLower(n)] = code
				}
			}
		}
		for k, v := range countryAliases {
			regionNames[k] = v
		}
	})
	return regionNames[strings.ToLower(strings.TrimSpace(country))]
}
