package phoneindex

import (
	"cmp"
	"slices"

	"coexsync/crm"
)

// Hit is one stored phone value found under a looked-up key.
type Hit struct {
	RecordID string
	Property string
	Raw      string // the value exactly as the CRM stores it
	E164     string // the value's own E.164
}

// Index maps every E.164 key of a CRM account's phone values to the
// values that carry it. Build it once, then look up; not safe for
// concurrent writes.
type Index struct {
	byKey map[string][]Hit
}

// New is an empty index; sizeHint is the expected number of keys.
func New(sizeHint int) *Index {
	return &Index{byKey: make(map[string][]Hit, sizeHint)}
}

// Put files h under key: for loaders that keep one row per key.
func (ix *Index) Put(key string, h Hit) {
	ix.byKey[key] = append(ix.byKey[key], h)
}

// Add files a readable entry of recordID under each of its candidates.
func (ix *Index) Add(recordID string, e Entry) {
	if !e.Readable() {
		return
	}
	h := Hit{RecordID: recordID, Property: e.Property, Raw: e.Raw, E164: e.E164}
	for _, k := range e.Candidates {
		ix.Put(k, h)
	}
}

// Entries reads every phone value of rec (see Read).
func Entries(rec crm.IndexedRecord, defaultRegion string) []Entry {
	out := make([]Entry, 0, len(rec.Phones))
	for _, v := range rec.Phones {
		out = append(out, Read(v, rec.Country, defaultRegion)...)
	}
	return out
}

// AddRecord reads and files every phone value of rec and returns the
// values that gave no key (empty ones left out). An archived record is
// not a live contact and is not filed.
func (ix *Index) AddRecord(rec crm.IndexedRecord, defaultRegion string) (unreadable []Entry) {
	for _, e := range Entries(rec, defaultRegion) {
		switch {
		case e.Reason == ReasonEmpty:
		case !e.Readable():
			unreadable = append(unreadable, e)
		case !rec.Archived:
			ix.Add(rec.ID, e)
		}
	}
	return unreadable
}

// Keys is the number of distinct keys.
func (ix *Index) Keys() int { return len(ix.byKey) }

// Lookup returns the distinct values filed under any of candidates, in
// the order Verdict reports them: by record, then best first (see
// better).
func (ix *Index) Lookup(candidates []string) []Hit {
	var out []Hit
	for _, k := range candidates {
		for _, h := range ix.byKey[k] {
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	primary := ""
	if len(candidates) > 0 {
		primary = candidates[0]
	}
	slices.SortFunc(out, func(a, b Hit) int {
		if c := cmp.Compare(a.RecordID, b.RecordID); c != 0 {
			return c
		}
		return better(a, b, primary)
	})
	return out
}

// better orders two values of one record: the one stored under the
// contact's own E.164 first, then the WhatsApp property, then mobile,
// then the rest by name.
func better(a, b Hit, primary string) int {
	if c := cmp.Compare(boolRank(a.E164 != primary), boolRank(b.E164 != primary)); c != 0 {
		return c
	}
	if c := cmp.Compare(propertyRank(a.Property), propertyRank(b.Property)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.Property, b.Property), cmp.Compare(a.Raw, b.Raw))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func propertyRank(p string) int {
	switch p {
	case "hs_whatsapp_phone_number":
		return 0
	case "mobilephone":
		return 1
	case "phone":
		return 2
	}
	return 3
}
