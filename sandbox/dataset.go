package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/nyaruka/phonenumbers"

	"coexsync/crm"
	"coexsync/crm/hubspot/hubspottest"
	"coexsync/crm/intercom/intercomtest"
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

// addressBook is how a number's Business App contacts are generated: the
// same list every time, so it can be generated again instead of kept.
type addressBook struct {
	seed   int64
	size   int
	region string
}

func (a addressBook) contacts() []whatsapptest.Contact {
	return whatsapptest.SampleContacts(a.seed, a.size, a.region)
}

// numberBook is a number of the dataset and its address book (size 0
// when it has none).
type numberBook struct {
	number whatsapp.PhoneNumber
	book   addressBook
}

// layout is the dataset of seed before anything is generated: the numbers
// and the size of their address books; perNumber > 0 replaces every
// address book's size.
func layout(seed int64, perNumber int) ([]numberBook, error) {
	out := make([]numberBook, len(businesses))
	for i, b := range businesses {
		out[i].number = b.number
		size := b.contacts
		if size > 0 && perNumber > 0 {
			size = perNumber
		}
		if size == 0 {
			continue
		}
		region := normalize.RegionOf(b.number.DisplayPhoneNumber)
		if region == "" {
			return nil, fmt.Errorf("sandbox: no region for %s", b.number.DisplayPhoneNumber)
		}
		out[i].book = addressBook{seed: seed + int64(i), size: size, region: region}
	}
	return out, nil
}

// loader takes the dataset as generate makes it; a nil field takes
// nothing of its kind (the random draws are the same either way).
type loader struct {
	hubspot  func([]hubspottest.Record)   // a chunk of HubSpot records
	intercom func([]intercomtest.Contact) // a chunk of Intercom records
	number   func(numberBook)             // a number, once its records are in
}

// loadChunk is how many records a loader takes at once: loading holds no
// more of them than that.
const loadChunk = 1024

// generate makes the dataset one number at a time, in order: the CRM
// records of its contacts in chunks, then the number itself. Nothing of a
// number is kept once it is handed on. The random draws are those of
// generating every number at once, so a seed always gives one dataset.
func generate(seed int64, books []numberBook, to loader) {
	r := rand.New(rand.NewPCG(uint64(seed), 0xc0e))
	for _, nb := range books {
		if nb.book.size > 0 {
			generateRecords(r, nb.book, to)
		}
		if to.number != nil {
			to.number(nb)
		}
	}
}

// generateRecords generates the address book and hands on the CRM
// records that hold some of its contacts: HubSpot's draws first, then
// Intercom's.
func generateRecords(r *rand.Rand, book addressBook, to loader) {
	contacts := book.contacts()
	forms := candidates(contacts, book.region)
	hub := chunker[hubspottest.Record]{send: to.hubspot}
	existingRecords(r, contacts, forms, book.region, true, func(e existing) { hub.add(hubspotRecord(e)) })
	hub.flush()
	icom := chunker[intercomtest.Contact]{send: to.intercom}
	existingRecords(r, contacts, forms, book.region, false, func(e existing) {
		icom.add(intercomtest.Contact{Role: "lead", Name: joinName(e.first, e.last), Phone: e.value.raw, Country: e.value.country})
	})
	icom.flush()
}

// candidates are, for each contact, the forms a CRM may hold its number
// under (normalize.Result.Candidates), nil when the number is not valid:
// all existingRecords reads of a result, without holding the results.
func candidates(contacts []whatsapptest.Contact, region string) [][]string {
	out := make([][]string, len(contacts))
	normalize.Each(len(contacts), region, func(i int) string { return contacts[i].Phone }, func(i int, res normalize.Result) {
		if res.Valid {
			out[i] = res.Candidates
		}
	})
	return out
}

// chunker hands on items loadChunk at a time, reusing its buffer.
type chunker[T any] struct {
	buf  []T
	send func([]T)
}

func (c *chunker[T]) add(item T) {
	if c.send == nil {
		return // nobody takes these: the draws that made item still count
	}
	c.buf = append(c.buf, item)
	if len(c.buf) == loadChunk {
		c.flush()
	}
}

func (c *chunker[T]) flush() {
	if len(c.buf) > 0 {
		c.send(c.buf)
		c.buf = c.buf[:0]
	}
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
// number with no country. account is the business number's region; forms
// are the contacts' candidates, index for index. Each record goes to emit.
func existingRecords(r *rand.Rand, contacts []whatsapptest.Contact, forms [][]string, account string, withMobile bool, emit func(existing)) {
	for i, c := range contacts {
		if c.Phone == "" || r.IntN(100) >= 30 {
			continue
		}
		if forms[i] == nil { // not valid
			continue
		}
		stored := forms[i][r.IntN(len(forms[i]))]
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
				emit(existing{first: "Stranger", last: "Abroad", value: d})
			}
		}
		if r.IntN(4) > 0 {
			rec.first, rec.last = crm.SplitName(c.FullName, c.FirstName)
		}
		emit(rec)
		if r.IntN(50) == 0 {
			emit(existing{first: "Duplicate", last: "Entry", value: storedValue{property: "phone", raw: phonenumbers.Format(num, phonenumbers.E164)}})
		}
	}
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
