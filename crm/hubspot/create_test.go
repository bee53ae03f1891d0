package hubspot_test

import (
	"fmt"
	"testing"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

func newContacts(n int, offset int) []crm.NewContact {
	out := make([]crm.NewContact, n)
	for i := range out {
		phone := fmt.Sprintf("+1415555%04d", i+offset)
		out[i] = crm.NewContact{Ref: phone, Phone: phone, Name: fmt.Sprintf("Person %d Smith", i+offset)}
	}
	return out
}

// byRecordPhone indexes the fake's records by their phone property.
func byRecordPhone(srv *hubspottest.Server) map[string]hubspottest.Contact {
	out := map[string]hubspottest.Contact{}
	for _, r := range srv.Records() {
		out[r.Properties[hubspot.PropPhone]] = r
	}
	return out
}

func TestCreateMapsShuffledResultsBack(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{Seed: 7})
	in := newContacts(hubspot.MaxBatchInputs, 0)
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	stored := byRecordPhone(srv)
	for i, r := range res {
		if r.Ref != in[i].Ref || r.Err != nil {
			t.Fatalf("result %d = %+v", i, r)
		}
		rec, ok := stored[in[i].Phone]
		if !ok || rec.ID != r.ID {
			t.Errorf("result %d has id %s; the record holding %s is %s", i, r.ID, in[i].Phone, rec.ID)
		}
	}
	if got := srv.Calls()[hubspottest.EndpointCreate]; got != 1 {
		t.Errorf("%d create calls for one full batch, want 1", got)
	}
	first := stored[in[3].Phone]
	if first.Properties[hubspot.PropFirstName] != "Person 3" || first.Properties[hubspot.PropLastName] != "Smith" {
		t.Errorf("name split wrong: %v", first.Properties)
	}
}

func TestCreateRefusesUnsendableItems(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	in := []crm.NewContact{
		{Ref: "a", Phone: "+14155550001", Name: "Solo"},
		{Ref: "b", Phone: "+14155550001", Name: "Twin"},
		{Ref: "c", Phone: "  ", Name: "Nobody"},
		{Ref: "d", Phone: "+14155550002"},
	}
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].ID == "" || res[3].Err != nil || res[3].ID == "" {
		t.Errorf("sendable items failed: %+v", res)
	}
	for _, i := range []int{1, 2} {
		if res[i].Err == nil || res[i].Err.Reason != crm.ReasonValidation || res[i].ID != "" {
			t.Errorf("item %d = %+v, want a validation error", i, res[i])
		}
	}
	if n := len(srv.Records()); n != 2 {
		t.Errorf("%d records created, want 2", n)
	}
	rec := byRecordPhone(srv)["+14155550001"]
	if rec.Properties[hubspot.PropFirstName] != "Solo" || rec.Properties[hubspot.PropLastName] != "" {
		t.Errorf("single-word name must be a first name only: %v", rec.Properties)
	}
}

func TestCreateConflicts(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{UniquePhones: true})
	existing := srv.Seed(hubspottest.SeedContact{Phone: "(415) 555-0005"}, hubspottest.SeedContact{Phone: "+1 415 555 0007"})

	// Some items conflict: 207, the others are created.
	in := newContacts(10, 0)
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		switch i {
		case 5, 7:
			want := existing[0]
			if i == 7 {
				want = existing[1]
			}
			if r.Err == nil || r.Err.Reason != crm.ReasonConflict || r.ExistingID != want || r.ID != "" {
				t.Errorf("item %d = %+v, want conflict with %s", i, r, want)
			}
		default:
			if r.Err != nil || r.ID == "" {
				t.Errorf("item %d = %+v, want created", i, r)
			}
		}
	}

	// Every item conflicts: a whole-batch 409 that names one id; the
	// client halves the batch until each conflict stands alone.
	before := srv.Calls()[hubspottest.EndpointCreate]
	res, err = c.Create(ctxT(t), []crm.NewContact{in[0], in[5], in[7]})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{res[0].ExistingID, existing[0], existing[1]} {
		if res[i].Err == nil || res[i].Err.Reason != crm.ReasonConflict || res[i].ExistingID != want || want == "" {
			t.Errorf("item %d = %+v, want conflict with %s", i, res[i], want)
		}
	}
	if calls := srv.Calls()[hubspottest.EndpointCreate] - before; calls > 5 {
		t.Errorf("%d calls to isolate 3 conflicts", calls)
	}
	if n := len(srv.Records()); n != 10 {
		t.Errorf("%d records, want the 2 seeded + 8 created", n)
	}
}

func TestCreateInvalidPhones(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{ValidatePhones: true})
	in := newContacts(4, 0)
	in[1].Phone, in[1].Ref = "+1555", "bad1"
	in[3].Phone, in[3].Ref = "+99912", "bad2"
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		bad := i == 1 || i == 3
		switch {
		case bad && (r.Err == nil || r.Err.Reason != crm.ReasonInvalidPhone):
			t.Errorf("item %d = %+v, want invalid_phone", i, r)
		case !bad && (r.Err != nil || r.ID == ""):
			t.Errorf("item %d = %+v, want created after the bad ones were dropped", i, r)
		}
	}
	if n := len(srv.Records()); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
	if calls := srv.Calls()[hubspottest.EndpointCreate]; calls != 2 {
		t.Errorf("%d create calls, want 2 (refused batch, then the valid items)", calls)
	}
}

func TestCreateMoreThanOneBatch(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	in := newContacts(2*hubspot.MaxBatchInputs+1, 0)
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.ID == "" {
			t.Fatalf("item %d = %+v", i, r)
		}
	}
	if calls := srv.Calls()[hubspottest.EndpointCreate]; calls != 3 {
		t.Errorf("%d calls for 201 contacts, want 3", calls)
	}
}
