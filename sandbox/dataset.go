package sandbox

import (
	"math/rand/v2"
	"strconv"

	"github.com/nyaruka/phonenumbers"

	"coexsync/crm"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/sync/normalize"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// business is one number of the sandbox account and the size of its
// Business App address book.
type business struct {
	number   whatsapp.PhoneNumber
	contacts int
}

// businesses: three Coexistence numbers in countries whose WhatsApp ids
// have quirks, and one Cloud-API-only number the console must refuse.
var businesses = []business{
	{whatsapp.PhoneNumber{ID: "100000000000001", DisplayPhoneNumber: "+55 11 4003-3939", VerifiedName: "Padaria Lima",
		QualityRating: "GREEN", Status: "CONNECTED", PlatformType: "CLOUD_API", IsOnBizApp: true, CodeVerificationStatus: "VERIFIED"}, 1200},
	{whatsapp.PhoneNumber{ID: "100000000000002", DisplayPhoneNumber: "+52 55 5093 1200", VerifiedName: "Taquería El Sol",
		QualityRating: "GREEN", Status: "CONNECTED", PlatformType: "CLOUD_API", IsOnBizApp: true, CodeVerificationStatus: "VERIFIED"}, 800},
	{whatsapp.PhoneNumber{ID: "100000000000003", DisplayPhoneNumber: "+1 415-555-0132", VerifiedName: "Acme Support",
		QualityRating: "GREEN", Status: "CONNECTED", PlatformType: "CLOUD_API", IsOnBizApp: false, CodeVerificationStatus: "VERIFIED"}, 0},
	{whatsapp.PhoneNumber{ID: "100000000000004", DisplayPhoneNumber: "+44 20 7946 0321", VerifiedName: "Camden Bikes",
		QualityRating: "YELLOW", Status: "CONNECTED", PlatformType: "CLOUD_API", IsOnBizApp: true, CodeVerificationStatus: "VERIFIED"}, 300},
}

// existing is a record the CRM already holds before the first sync.
type existing struct {
	first, last string
	value       storedValue
}

// existingRecords picks about 30 % of the valid contacts as already in the
// CRM, written the messy ways people type numbers (messyValue), or in the
// old WhatsApp form the normalizer lists as a candidate; a quarter without
// a name; about 2 % stored twice (ambiguous in the preview). A few are
// traps the matcher must not fall into: a stranger abroad holding the same
// national digits, a desk line with an extension, a foreign national
// number with no country. account is the business number's region; norm is
// contacts normalized, index for index.
func existingRecords(r *rand.Rand, contacts []whatsapptest.Contact, norm []normalize.Result, account string, withMobile bool) []existing {
	var out []existing
	for i, c := range contacts {
		if c.Phone == "" || r.IntN(100) >= 30 {
			continue
		}
		res := norm[i]
		if !res.Valid {
			continue
		}
		stored := res.Candidates[r.IntN(len(res.Candidates))]
		num, err := phonenumbers.Parse(stored, "")
		if err != nil {
			continue
		}
		rec := existing{value: messyValue(num, r, account, withMobile)}
		switch trap := r.IntN(100); {
		case trap < 2:
			rec.value = storedValue{property: "phone", raw: phonenumbers.Format(num, phonenumbers.INTERNATIONAL) + " x" + strconv.Itoa(100+r.IntN(900))}
		case trap < 4 && phonenumbers.GetRegionCodeForNumber(num) != account:
			rec.value = storedValue{property: "phone", raw: phonenumbers.Format(num, phonenumbers.NATIONAL)}
		case trap < 7:
			if d, ok := decoy(num, r); ok {
				out = append(out, existing{first: "Stranger", last: "Abroad", value: d})
			}
		}
		if r.IntN(4) > 0 {
			rec.first, rec.last = crm.SplitName(c.FullName, c.FirstName)
		}
		out = append(out, rec)
		if r.IntN(50) == 0 {
			out = append(out, existing{first: "Duplicate", last: "Entry", value: storedValue{property: "phone", raw: phonenumbers.Format(num, phonenumbers.E164)}})
		}
	}
	return out
}

// hubspotRecord seeds e into HubSpot's property for it.
func hubspotRecord(e existing) hubspottest.Record {
	rec := hubspottest.Record{FirstName: e.first, LastName: e.last, Country: e.value.country}
	switch e.value.property {
	case "mobile":
		rec.Mobile = e.value.raw
	case "whatsapp":
		rec.WhatsApp = e.value.raw
	default:
		rec.Phone = e.value.raw
	}
	return rec
}
