package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/sync/phoneindex"
)

func phones(values ...string) []crm.PhoneValue {
	out := make([]crm.PhoneValue, 0, len(values)/2)
	for i := 0; i+1 < len(values); i += 2 {
		out = append(out, crm.PhoneValue{Property: values[i], Raw: values[i+1]})
	}
	return out
}

func TestIndexPageLookupAndReplace(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	page := []crm.IndexedRecord{
		{ID: "1", Name: "Ana", Country: "Argentina", Phones: phones("phone", "011 15 2345-6789"), UpdatedAt: at(1)},
		{ID: "2", FirstName: "Bo", LastName: "Li", Phones: phones("phone", "(207) 946-0958", "mobilephone", "+1 415 555 2671 x9")},
		{ID: "3", Phones: phones("phone", "+1 415 555 2671")},
		{ID: "4", Archived: true, Phones: phones("phone", "+1 415 555 2671")},
	}
	if err := db.UpsertIndexPage(ctx, "hubspot:1", "US", page); err != nil {
		t.Fatal(err)
	}
	// Another account's index never answers for this one.
	if err := db.UpsertIndexPage(ctx, "hubspot:2", "US", page[2:3]); err != nil {
		t.Fatal(err)
	}
	got, err := db.LookupIndex(ctx, "hubspot:1", []string{"+541123456789", "+12079460958", "+14155552671", "+442079460958"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]phoneindex.Hit{
		"+541123456789": {{RecordID: "1", Property: "phone", Raw: "011 15 2345-6789", E164: "+5491123456789"}},
		"+12079460958":  {{RecordID: "2", Property: "phone", Raw: "(207) 946-0958", E164: "+12079460958"}},
		"+14155552671":  {{RecordID: "3", Property: "phone", Raw: "+1 415 555 2671", E164: "+14155552671"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lookup = %v\nwant %v", got, want)
	}

	// A new version of a record replaces all of its phone rows.
	page[0].Phones = phones("mobilephone", "+54 9 351 234-5678")
	if err := db.UpsertIndexPage(ctx, "hubspot:1", "US", page[:1]); err != nil {
		t.Fatal(err)
	}
	got, err = db.LookupIndex(ctx, "hubspot:1", []string{"+5491123456789", "+5493512345678"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["+5493512345678"][0].Property != "mobilephone" {
		t.Fatalf("after replace = %v", got)
	}

	bad, err := db.UnreadableValues(ctx, "hubspot:1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[0] != (UnreadableValue{RecordID: "2", RecordName: "Bo Li", Property: "mobilephone",
		Raw: "+1 415 555 2671 x9", Reason: phoneindex.ReasonExtension}) {
		t.Fatalf("unreadable = %+v", bad)
	}
}

func TestIndexStateCountsAndRoundTrip(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	st, err := db.IndexState(ctx, "intercom:w")
	if err != nil || st != (IndexState{Target: "intercom:w"}) {
		t.Fatalf("never built = %+v, %v", st, err)
	}
	page := []crm.IndexedRecord{
		{ID: "a", Phones: phones("phone", "+44 20 7946 0958")},
		{ID: "b", Phones: phones("phone", "ext 12")},
		{ID: "c", Archived: true, Phones: phones("phone", "+44 20 7946 0959")},
	}
	if err := db.UpsertIndexPage(ctx, "intercom:w", "GB", page); err != nil {
		t.Fatal(err)
	}
	set := IndexState{Target: "intercom:w", DefaultRegion: "GB", BuiltAt: at(10), Watermark: at(9),
		Complete: true, RecordCount: 99, Unreadable: 99}
	if err := db.SetIndexState(ctx, set); err != nil {
		t.Fatal(err)
	}
	st, err = db.IndexState(ctx, "intercom:w")
	if err != nil {
		t.Fatal(err)
	}
	set.RecordCount, set.Unreadable = 2, 1 // counted, not taken from the caller
	if !st.BuiltAt.Equal(set.BuiltAt) || !st.Watermark.Equal(set.Watermark) {
		t.Fatalf("times = %v %v", st.BuiltAt, st.Watermark)
	}
	st.BuiltAt, st.Watermark, set.BuiltAt, set.Watermark = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if st != set {
		t.Fatalf("state = %+v, want %+v", st, set)
	}

	if err := db.DeleteIndexRecords(ctx, "intercom:w", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LookupIndex(ctx, "intercom:w", []string{"+442079460958"}); len(got) != 0 {
		t.Fatalf("deleted record still found: %v", got)
	}
	// A sweep drops what no listing wrote since the rebuild started.
	if err := db.UpsertIndexPage(ctx, "intercom:w", "GB", []crm.IndexedRecord{{ID: "c", Phones: phones("phone", "+44 20 7946 0959")}}); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	if err := db.UpsertIndexPage(ctx, "intercom:w", "GB", []crm.IndexedRecord{{ID: "d", Phones: phones("phone", "+44 20 7946 0960")}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SweepIndex(ctx, "intercom:w", started); err != nil {
		t.Fatal(err)
	}
	got, err := db.LookupIndex(ctx, "intercom:w", []string{"+442079460959", "+442079460960"})
	if err != nil || len(got["+442079460959"]) != 0 || len(got["+442079460960"]) != 1 {
		t.Fatalf("after the sweep: %v %v, want only the record listed since it started", got, err)
	}
	if bad, _ := db.UnreadableValues(ctx, "intercom:w", 0); len(bad) != 0 {
		t.Fatalf("after the sweep: unreadable values %v of swept records", bad)
	}
}

func TestLoadIndexMatchesLikeMemory(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	recs := []crm.IndexedRecord{
		{ID: "1", Phones: phones("phone", "+52 1 55 1234 5678")},
		{ID: "2", Country: "México", Phones: phones("mobilephone", "55 1234 5678")},
		{ID: "3", Country: "Brasil", Phones: phones("phone", "(11) 8765-4321")},
	}
	if err := db.UpsertIndexPage(ctx, "t", "US", recs); err != nil {
		t.Fatal(err)
	}
	ix, err := db.LoadIndex(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	mem := phoneindex.New(0)
	for _, r := range recs {
		mem.AddRecord(r, "US")
	}
	for _, keys := range [][]string{{"+525512345678", "+5215512345678"}, {"+5511987654321", "+551187654321"}, {"+14155552671"}} {
		a, b := ix.Match(keys), mem.Match(keys)
		if a.Status != b.Status || !slices.Equal(a.Hits, b.Hits) {
			t.Errorf("%v: stored %+v, memory %+v", keys, a, b)
		}
	}
	if v := ix.Match([]string{"+525512345678"}); v.Status != phoneindex.StatusAmbiguous {
		t.Errorf("MX forms on two records = %+v, want ambiguous", v)
	}
}

func TestIndexPageRejectsMissingIDs(t *testing.T) {
	db := openTemp(t)
	if err := db.UpsertIndexPage(context.Background(), "t", "US", []crm.IndexedRecord{{}}); err == nil {
		t.Fatal("a record without id was written")
	}
	if err := db.UpsertIndexPage(context.Background(), "", "US", nil); err == nil {
		t.Fatal("a page without target was written")
	}
}

// benchRecords is n records with a phone and a mobile each, a third of
// them national with a record country.
func benchRecords(n int) []crm.IndexedRecord {
	recs := make([]crm.IndexedRecord, n)
	for i := range recs {
		r := crm.IndexedRecord{ID: fmt.Sprint(i), Name: "Contact", UpdatedAt: at(int64(i))}
		r.Phones = []crm.PhoneValue{{Property: "phone", Raw: fmt.Sprintf("+55 11 9%04d-%04d", i/10000, i%10000)}}
		if i%3 == 0 {
			r.Country = "United States"
			r.Phones = append(r.Phones, crm.PhoneValue{Property: "mobilephone", Raw: fmt.Sprintf("(415) 7%02d-%04d", i/10000, i%10000)})
		}
		recs[i] = r
	}
	return recs
}

// BenchmarkUpsertIndex100k writes 100k records in pages of 100, as a full
// listing does.
func BenchmarkUpsertIndex100k(b *testing.B) {
	const total, page = 100_000, 100
	recs := benchRecords(total)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := openTemp(b)
		b.StartTimer()
		for lo := 0; lo < total; lo += page {
			if err := db.UpsertIndexPage(ctx, "hubspot:1", "US", recs[lo:lo+page]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLoadIndex100k loads the index of 100k records for a plan.
func BenchmarkLoadIndex100k(b *testing.B) {
	const total = 100_000
	db := openTemp(b)
	ctx := context.Background()
	recs := benchRecords(total)
	for lo := 0; lo < total; lo += 1000 {
		if err := db.UpsertIndexPage(ctx, "hubspot:1", "US", recs[lo:lo+1000]); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		ix, err := db.LoadIndex(ctx, "hubspot:1")
		if err != nil || ix.Keys() < total {
			b.Fatalf("loaded %d keys, %v", ix.Keys(), err)
		}
	}
}

func TestIndexRecordsReturnsLiveRecordsOfTheAccount(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	page := []crm.IndexedRecord{
		{ID: "1", Name: "Ana", Country: "Argentina", UpdatedAt: at(1)},
		{ID: "2", FirstName: "Bo", LastName: "Li"},
		{ID: "3", Archived: true},
	}
	if err := db.UpsertIndexPage(ctx, "hubspot:1", "US", page); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertIndexPage(ctx, "hubspot:2", "US", []crm.IndexedRecord{{ID: "9", Name: "Other"}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.IndexRecords(ctx, "hubspot:1", []string{"1", "2", "3", "9", "404"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["1"].Name != "Ana" || got["1"].Country != "Argentina" || !got["1"].UpdatedAt.Equal(at(1)) ||
		got["2"].FirstName != "Bo" || !got["2"].HasName() {
		t.Fatalf("records %+v", got)
	}
}
