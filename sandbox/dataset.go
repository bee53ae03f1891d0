package sandbox

import (
	"math/rand/v2"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"coexsync/crm"
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

// existing is a contact the CRM already holds before the first sync.
type existing struct {
	first, last string
	phone       string // as a person typed it
}

// existingRecords picks about 30 % of the valid contacts as already in the
// CRM, spelled as people type numbers (or in the old WhatsApp form the
// normalizer lists as a candidate), a quarter of them without a name, and
// about 2 % stored twice so the preview shows ambiguous matches. norm is
// contacts normalized, index for index (done once for both CRMs).
func existingRecords(r *rand.Rand, contacts []whatsapptest.Contact, norm []normalize.Result, spell func(*phonenumbers.PhoneNumber, *rand.Rand) string) []existing {
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
		rec := existing{phone: spell(num, r)}
		if r.IntN(4) > 0 {
			rec.first, rec.last = crm.SplitName(c.FullName, c.FirstName)
		}
		out = append(out, rec)
		if r.IntN(50) == 0 {
			out = append(out, existing{first: "Duplicate", last: "Entry", phone: phonenumbers.Format(num, phonenumbers.E164)})
		}
	}
	return out
}

// hubspotSpelling is free text as people type it: HubSpot reads national
// formats with the account's country (US), so other countries are typed
// internationally.
func hubspotSpelling(num *phonenumbers.PhoneNumber, r *rand.Rand) string {
	if phonenumbers.GetRegionCodeForNumber(num) == "US" && r.IntN(2) == 0 {
		return phonenumbers.Format(num, phonenumbers.NATIONAL)
	}
	switch r.IntN(3) {
	case 0:
		return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	case 1:
		return strings.ReplaceAll(phonenumbers.Format(num, phonenumbers.INTERNATIONAL), " ", "-")
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

// intercomSpelling: Intercom keeps the phone field verbatim and searches it
// exactly, so records use the spellings people use most.
func intercomSpelling(num *phonenumbers.PhoneNumber, r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	case 1:
		return strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+")
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}
