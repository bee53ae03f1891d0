package intercomtest

import (
	"strconv"
	"strings"
	"time"
)

// record is a contact as the fake stores it; Contact is how it shows one.
// A seeded workspace holds tens of thousands of contacts, so a record
// packs its text into one string and shares its times with the contacts
// seeded along with it, and the fake's own ids are kept as their number.
type record struct {
	seq      uint64                 // the number in an id the fake gave; 0 for a seeded id
	text     string                 // the fields below, back to back
	ends     [fieldCount - 1]uint32 // the last field ends with text
	times    *times                 // never changed: a write gives the record new ones
	viaAPI   bool
	archived bool
}

// The text fields of a record, in packing order.
const (
	fieldRole = iota
	fieldName
	fieldPhone
	fieldEmail
	fieldExternalID
	fieldCountry
	fieldID // an id a seed gave, "" for the fake's own
	fieldCount
)

// times are a contact's created_at and updated_at.
type times struct{ created, updated time.Time }

// idPrefix starts every id the fake gives; 16 hex digits follow.
const idPrefix = "6762f0dd"

// newRecord packs c; seq > 0 gives it the fake's id of that number. st
// are its times (shared), nil to take them from c.
func newRecord(c Contact, seq uint64, st *times) *record {
	if st == nil {
		st = &times{c.CreatedAt, c.UpdatedAt}
	}
	r := &record{seq: seq, times: st, viaAPI: c.ViaAPI, archived: c.Archived}
	id := c.ID
	if seq > 0 {
		id = ""
	}
	var b strings.Builder
	for i, v := range [fieldCount]string{c.Role, c.Name, c.Phone, c.Email, c.ExternalID, c.Country, id} {
		b.WriteString(v)
		if i < len(r.ends) {
			r.ends[i] = uint32(b.Len())
		}
	}
	r.text = b.String()
	return r
}

// field is one text field of r.
func (r *record) field(f int) string {
	start, end := 0, len(r.text)
	if f > 0 {
		start = int(r.ends[f-1])
	}
	if f < len(r.ends) {
		end = int(r.ends[f])
	}
	return r.text[start:end]
}

// ID is the contact's id.
func (r *record) ID() string {
	if r.seq == 0 {
		return r.field(fieldID)
	}
	var buf [len(idPrefix) + 16]byte
	return string(r.appendID(buf[:0]))
}

// appendID appends a fake-given id as fmt's "6762f0dd%016x" writes it.
func (r *record) appendID(b []byte) []byte {
	b = append(b, idPrefix...)
	hex := strconv.AppendUint(make([]byte, 0, 16), r.seq, 16)
	for range 16 - len(hex) {
		b = append(b, '0')
	}
	return append(b, hex...)
}

// compareID compares r's id with id as strings, without making r's.
func (r *record) compareID(id string) int {
	if r.seq == 0 {
		return strings.Compare(r.field(fieldID), id)
	}
	var buf [len(idPrefix) + 16]byte
	b := r.appendID(buf[:0])
	switch {
	case string(b) < id:
		return -1
	case string(b) > id:
		return 1
	}
	return 0
}

// contact unpacks r.
func (r *record) contact() Contact {
	return Contact{
		ID: r.ID(), Role: r.field(fieldRole), Name: r.field(fieldName), Phone: r.field(fieldPhone),
		Email: r.field(fieldEmail), ExternalID: r.field(fieldExternalID), Country: r.field(fieldCountry),
		CreatedAt: r.times.created, UpdatedAt: r.times.updated, ViaAPI: r.viaAPI, Archived: r.archived,
	}
}

// repack stores c's text in r, keeping its id, times and flags.
func (r *record) repack(c Contact) {
	packed := newRecord(c, r.seq, r.times)
	packed.viaAPI, packed.archived = r.viaAPI, r.archived
	*r = *packed
}

// touch sets r's updated_at.
func (r *record) touch(at time.Time) {
	r.times = &times{r.times.created, at}
}
