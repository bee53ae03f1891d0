package phoneindex

import (
	"slices"
	"testing"

	"coexsync/crm"
	"coexsync/sync/normalize"
)

func TestFoldJoinsOverlappingCandidates(t *testing.T) {
	got := Fold([][]string{
		{"+5491123456789", "+541123456789"}, // 0
		{"+14155552671"},                    // 1
		nil,                                 // 2: invalid, alone
		{"+541123456789", "+5491123456789"}, // 3: same as 0
		{"+525512345678", "+5215512345678"}, // 4
		{"+14155552671"},                    // 5: same as 1
		{"+5215512345678"},                  // 6: same as 4
		nil,                                 // 7
	})
	want := []int{0, 1, 2, 0, 4, 1, 4, 7}
	if !slices.Equal(got, want) {
		t.Fatalf("Fold = %v, want %v", got, want)
	}
}

func TestFoldRootIsLowestIndexAcrossChains(t *testing.T) {
	// 2 links 0 and 1, which share nothing directly.
	got := Fold([][]string{{"a"}, {"b"}, {"b", "a"}})
	if !slices.Equal(got, []int{0, 0, 0}) {
		t.Fatalf("Fold = %v, want all 0", got)
	}
}

func indexOf(recs ...crm.IndexedRecord) *Index {
	ix := New(0)
	for _, r := range recs {
		ix.AddRecord(r, "US")
	}
	return ix
}

func TestMatchStatuses(t *testing.T) {
	ix := indexOf(
		crm.IndexedRecord{ID: "1", Phones: []crm.PhoneValue{{Property: "phone", Raw: "(415) 555-2671"}, {Property: "mobilephone", Raw: "+1 415 555 2671"}}},
		crm.IndexedRecord{ID: "2", Phones: []crm.PhoneValue{{Property: "phone", Raw: "+1 415 555 0100"}}},
		crm.IndexedRecord{ID: "3", Phones: []crm.PhoneValue{{Property: "mobilephone", Raw: "415.555.0100"}}},
		crm.IndexedRecord{ID: "4", Archived: true, Phones: []crm.PhoneValue{{Property: "phone", Raw: "+1 415 555 0199"}}},
	)
	v := ix.Match([]string{"+14155552671"})
	if v.Status != StatusExists || v.Hit.RecordID != "1" || v.Hit.Property != "mobilephone" || len(v.Hits) != 2 {
		t.Errorf("one record, two values: %+v", v)
	}
	if v := ix.Match([]string{"+14155550100"}); v.Status != StatusAmbiguous || !slices.Equal(v.Records, []string{"2", "3"}) {
		t.Errorf("two records: %+v", v)
	}
	if v := ix.Match([]string{"+14155550199"}); v.Status != StatusCreate || v.Hits != nil {
		t.Errorf("archived only: %+v", v)
	}
}

func TestDecideLooksUpTheWholeGroup(t *testing.T) {
	// The stored value only carries the first contact's form; the second
	// contact folds into it.
	ix := indexOf(crm.IndexedRecord{ID: "r", Phones: []crm.PhoneValue{{Property: "phone", Raw: "+54 9 11 2345-6789"}}})
	nums := []normalize.Result{
		normalize.Number("541123456789", "AR"),
		normalize.Number("5491123456789", "AR"),
		normalize.Number("@jane", "AR"),
	}
	v := Decide(ix, nums)
	if v[0].Status != StatusExists || v[0].Hit.RecordID != "r" {
		t.Errorf("primary: %+v", v[0])
	}
	if v[1].Status != StatusDuplicate || v[1].DuplicateOf != 0 {
		t.Errorf("folded: %+v", v[1])
	}
	if v[2].Status != StatusInvalid || v[2].Reason != normalize.ReasonNoPhoneNumber || v[2].DuplicateOf != -1 {
		t.Errorf("invalid: %+v", v[2])
	}
}

func TestAddRecordReportsUnreadableNotEmpty(t *testing.T) {
	ix := New(0)
	bad := ix.AddRecord(crm.IndexedRecord{ID: "1", Phones: []crm.PhoneValue{
		{Property: "phone", Raw: ""}, {Property: "mobilephone", Raw: "+1 415 555 2671 ext 9"},
		{Property: "hs_whatsapp_phone_number", Raw: "+14155552671"},
	}}, "US")
	if len(bad) != 1 || bad[0].Reason != ReasonExtension || bad[0].Property != "mobilephone" {
		t.Fatalf("unreadable = %+v", bad)
	}
	if ix.Keys() != 1 {
		t.Fatalf("keys = %d, want 1", ix.Keys())
	}
}
