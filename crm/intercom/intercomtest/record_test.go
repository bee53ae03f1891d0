package intercomtest

import (
	"fmt"
	"testing"
	"time"
)

// A record gives back the contact it packs, with the fake's own ids
// written as they always were.
func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	c := Contact{Role: "user", Name: "Zoë", Phone: "+55 11 98765-4321", Email: "z@example.com",
		ExternalID: "ext", Country: "Brasil", CreatedAt: at, UpdatedAt: at.Add(time.Hour), ViaAPI: true, Archived: true}
	for _, seq := range []uint64{1, 0xabc, 1 << 63} {
		want := c
		want.ID = fmt.Sprintf("6762f0dd%016x", seq)
		if got := newRecord(c, seq, nil).contact(); got != want {
			t.Errorf("seq %d: got %+v, want %+v", seq, got, want)
		}
	}
	seeded := c
	seeded.ID, seeded.Name, seeded.Country = "custom-id", "", ""
	if got := newRecord(seeded, 0, nil).contact(); got != seeded {
		t.Errorf("seeded id: got %+v, want %+v", got, seeded)
	}
}

// Ids compare as the strings they are, whoever gave them.
func TestRecordCompareID(t *testing.T) {
	r := newRecord(Contact{}, 0x10, nil)
	for id, want := range map[string]int{
		"6762f0dd0000000000000010": 0, "6762f0dd0000000000000011": -1, "6762f0dd000000000000000f": 1,
		"": 1, "7": -1, "6762f0dd00000000000000100": -1,
	} {
		if got := r.compareID(id); got != want {
			t.Errorf("compareID(%q) = %d, want %d", id, got, want)
		}
	}
	if got := newRecord(Contact{ID: "b"}, 0, nil).compareID("a"); got != 1 {
		t.Errorf("seeded id b against a: %d", got)
	}
}
