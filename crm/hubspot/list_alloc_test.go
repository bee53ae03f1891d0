package hubspot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"coexsync/crm"
)

// listBody is a full list page as HubSpot sends it: every requested
// property present, null where a record has no value.
func listBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","properties":{"firstname":"Ana","lastname":"Lima","country":"Spain",`+
			`"lastmodifieddate":"2026-03-01T10:00:00.123Z","phone":"612 34 %02d %02d","mobilephone":null,`+
			`"hs_whatsapp_phone_number":"34612%06d","hs_calculated_phone_number":"+3461234%04d",`+
			`"hs_calculated_mobile_number":null,"hs_object_id":"%d","createdate":"2026-01-01T00:00:00Z"},`+
			`"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-03-01T10:00:00.123Z","archived":false}`,
			1000+i, i%100, i/100, i, i, 1000+i)
	}
	b.WriteString(`],"paging":{"next":{"after":"1100","link":"?after=1100"}}}`)
	return []byte(b.String())
}

func decodeListPage(c *Client, body []byte) int {
	var resp listResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		panic(err)
	}
	return len(c.indexRecords(resp.Results))
}

// TestListDecodeAllocationsPerRecord keeps a listing of a million records
// cheap: a record costs its strings, not a map and a slice of its own.
func TestListDecodeAllocationsPerRecord(t *testing.T) {
	c := New(Config{})
	body := listBody(MaxListLimit)
	if n := decodeListPage(c, body); n != MaxListLimit {
		t.Fatalf("decoded %d records", n)
	}
	perRecord := testing.AllocsPerRun(20, func() { decodeListPage(c, body) }) / MaxListLimit
	// Nine strings decoded and the names joined; a map per record would
	// add well over ten more.
	if perRecord > 11 {
		t.Errorf("%.1f allocations per record, want at most 11", perRecord)
	}
}

func BenchmarkListDecode(b *testing.B) {
	c := New(Config{})
	body := listBody(MaxListLimit)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		decodeListPage(c, body)
	}
}

func TestCleanTextFastPathMatchesCleanText(t *testing.T) {
	for _, s := range []string{"", "Ana", "Ana Lima", " Ana", "Ana ", "Ana  Lima", "A\tB", "Zoë", "a\x00b", "x\u200by", " ", "United States"} {
		if got, want := cleanText(s), crm.CleanText(s); got != want {
			t.Errorf("cleanText(%q) = %q, crm.CleanText gives %q", s, got, want)
		}
	}
}
