package intercom_test

import (
	"testing"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// TestCreateAsUser: users are created with an external_id derived from
// the number (Intercom refuses a user without one), so a second create of
// the same number meets a 409 naming the first.
func TestCreateAsUser(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{}, func(cfg *intercom.Config) { cfg.Role = intercom.RoleUser })
	in := newContacts(2)
	res, err := c.Create(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.ID == "" {
			t.Fatalf("item %d = %+v", i, r)
		}
	}
	for _, rec := range srv.Records() {
		if rec.Role != intercom.RoleUser || rec.ExternalID != intercom.ExternalIDPrefix+rec.Phone {
			t.Errorf("stored %+v, want a user with external_id from its phone", rec)
		}
	}
	again, err := c.Create(t.Context(), in[:1])
	if err != nil {
		t.Fatal(err)
	}
	if r := again[0]; r.Err == nil || r.Err.Reason != crm.ReasonConflict || r.ExistingID != res[0].ID {
		t.Errorf("second create = %+v, want a conflict with %s", r, res[0].ID)
	}
}
