package intercom_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

func TestFindByPhonesMatchesStoredSpellings(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	ids := srv.Seed(
		intercomtest.Contact{Phone: "+14155550001", Name: "E164"},
		intercomtest.Contact{Phone: "14155550002", Name: "Digits"},
		intercomtest.Contact{Phone: "+1 415-555-0003", Name: "International"},
		intercomtest.Contact{Phone: "(415) 555-0004"}, // no name
		intercomtest.Contact{Phone: "415.555.0005 ext 2", Name: "Unfindable"},
		intercomtest.Contact{Phone: "+14155550006", Name: "Shared A"},
		intercomtest.Contact{Phone: "14155550006", Name: "Shared B"},
		intercomtest.Contact{Phone: "+14155559999", Name: "Not asked"},
	)
	got, err := c.FindByPhones(context.Background(), []string{phone(1), phone(2), phone(3), phone(4), phone(5), phone(6)})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].ID < got[j].ID })
	want := []crm.Record{
		{ID: ids[0], Name: "E164", Phones: []string{"+14155550001"}},
		{ID: ids[1], Name: "Digits", Phones: []string{"14155550002"}},
		{ID: ids[2], Name: "International", Phones: []string{"+1 415-555-0003"}},
		{ID: ids[3], Phones: []string{"(415) 555-0004"}},
		{ID: ids[5], Name: "Shared A", Phones: []string{"+14155550006"}},
		{ID: ids[6], Name: "Shared B", Phones: []string{"14155550006"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Name != want[i].Name || !slices.Equal(got[i].Phones, want[i].Phones) {
			t.Errorf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[3].HasName() {
		t.Error("a record without a name reports one")
	}
	if n := srv.Calls()["search"]; n != 1 {
		t.Errorf("%d search calls, want 1", n)
	}
	noRateLimits(t, srv)
}

func TestFindByPhonesFullBatchIsOneQuery(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, intercomtest.Options{})
	numbers := make([]string, intercom.FindBatch)
	for i := range numbers {
		numbers[i] = phone(i)
		if i%3 == 0 {
			srv.Seed(intercomtest.Contact{Phone: phone(i)})
		}
	}
	got, err := c.FindByPhones(context.Background(), numbers)
	if err != nil {
		t.Fatalf("a full batch must stay within the fake's search limits: %v", err)
	}
	if want := (intercom.FindBatch + 2) / 3; len(got) != want {
		t.Fatalf("found %d, want %d", len(got), want)
	}
	// 125 matches fit one page of MaxPerPage.
	if n := srv.Calls()["search"]; n != 1 {
		t.Errorf("%d search calls, want 1", n)
	}
}

func TestFindByPhonesFollowsPages(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	const stored = 2*intercom.MaxPerPage + 10
	for i := 0; i < stored; i++ {
		srv.Seed(intercomtest.Contact{Phone: phone(1)})
	}
	got, err := c.FindByPhones(context.Background(), []string{phone(1)})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range got {
		seen[r.ID] = true
	}
	if len(got) != stored || len(seen) != stored {
		t.Fatalf("got %d records (%d distinct), want %d", len(got), len(seen), stored)
	}
	if n := srv.Calls()["search"]; n != 3 {
		t.Errorf("%d search calls, want 3 pages", n)
	}
}

func TestFindByPhonesRefusesBadInputWithoutCalling(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	tooMany := make([]string, intercom.FindBatch+1)
	for i := range tooMany {
		tooMany[i] = phone(i)
	}
	for _, in := range [][]string{tooMany, {"+14155550001", "4155550002"}, {"+0123"}} {
		_, err := c.FindByPhones(context.Background(), in)
		wantReason(t, err, crm.ReasonValidation)
	}
	if got, err := c.FindByPhones(context.Background(), nil); err != nil || got != nil {
		t.Fatalf("empty input: %v %v", got, err)
	}
	if n := srv.Calls()["search"]; n != 0 {
		t.Fatalf("%d calls for refused input", n)
	}
}

func TestFindByPhonesIgnoresSearchLag(t *testing.T) {
	// Documented vendor behaviour the engine plans around: what this run
	// created is not searchable yet.
	srv, c := setup(t, intercomtest.Options{SearchLag: time24h})
	if _, err := c.Create(context.Background(), newContacts(1)); err != nil {
		t.Fatal(err)
	}
	got, err := c.FindByPhones(context.Background(), []string{phone(0)})
	if err != nil || len(got) != 0 {
		t.Fatalf("found %v (%v) during the search lag", got, err)
	}
	if len(srv.Records()) != 1 {
		t.Fatal("contact not created")
	}
}
