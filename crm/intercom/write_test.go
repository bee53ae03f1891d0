package intercom_test

import (
	"context"
	"strings"
	"testing"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

func TestCreateKeepsInputOrder(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, intercomtest.Options{})
	in := newContacts(intercom.CreateBatch)
	in[3].Name, in[3].FirstName, in[3].LastName = "", "Ana", "Lima"
	in[4].Name = ""
	res, err := c.Create(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]intercomtest.Contact{}
	for _, r := range srv.Records() {
		byID[r.ID] = r
	}
	if len(res) != len(in) || len(byID) != len(in) {
		t.Fatalf("%d results, %d records for %d inputs", len(res), len(byID), len(in))
	}
	for i, r := range res {
		rec := byID[r.ID]
		if r.Err != nil || r.Ref != in[i].Ref || rec.Phone != in[i].Phone || rec.Role != "lead" {
			t.Fatalf("result %d = %+v, stored %+v, want ref/phone %s", i, r, rec, in[i].Phone)
		}
	}
	if got := byID[res[3].ID].Name; got != "Ana Lima" {
		t.Errorf("name from parts = %q", got)
	}
	if got := byID[res[4].ID].Name; got != "" {
		t.Errorf("contact without a name got %q", got)
	}
	if n := srv.Calls()["create"]; n != len(in) {
		t.Errorf("%d create calls for %d contacts", n, len(in))
	}
	noRateLimits(t, srv)
}

func TestCreateRoleAndBatchLimit(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{}, func(cfg *intercom.Config) { cfg.Role = "user" })
	if _, err := c.Create(context.Background(), newContacts(1)); err != nil {
		t.Fatal(err)
	}
	if role := srv.Records()[0].Role; role != "user" {
		t.Fatalf("role = %q, want user", role)
	}
	_, err := c.Create(context.Background(), newContacts(intercom.CreateBatch+1))
	wantReason(t, err, crm.ReasonValidation)
	if n := srv.Calls()["create"]; n != 1 {
		t.Fatalf("%d create calls, want 1", n)
	}
}

func TestCreateItemErrors(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	in := []crm.NewContact{
		{Ref: "a", Phone: "+1234"},      // E.164-shaped, refused by the server (400, field phone)
		{Ref: "b", Phone: "4155550100"}, // not E.164: refused before any call
		{Ref: "c", Phone: phone(7)},     // fine
		{Ref: "d", Phone: phone(7)},     // same phone again: Intercom makes a second contact
	}
	res, err := c.Create(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err == nil || res[0].Err.Reason != crm.ReasonInvalidPhone || res[0].Err.Status != 400 {
		t.Errorf("server-refused phone: %+v", res[0])
	}
	if res[1].Err == nil || res[1].Err.Reason != crm.ReasonInvalidPhone || res[1].Err.Status != 0 {
		t.Errorf("non-E.164 phone: %+v", res[1])
	}
	if res[2].Err != nil || res[3].Err != nil || res[2].ID == res[3].ID {
		t.Errorf("duplicate phone creates: %+v %+v", res[2], res[3])
	}
	if n := srv.Calls()["create"]; n != 3 {
		t.Errorf("%d create calls, want 3", n)
	}
}

func TestSetNames(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	ids := srv.Seed(intercomtest.Contact{Phone: phone(1)}, intercomtest.Contact{Phone: phone(2)})
	res, err := c.SetNames(context.Background(), []crm.NameUpdate{
		{Ref: "1", ID: ids[0], Name: "Ana Lima"},
		{Ref: "2", ID: ids[1], FirstName: "Bo"},
		{Ref: "3", ID: ids[1]},            // nothing to write
		{Ref: "4", Name: "x"},             // no id
		{Ref: "5", ID: "gone", Name: "x"}, // deleted in the CRM
	})
	if err != nil {
		t.Fatal(err)
	}
	recs := srv.Records()
	if recs[0].Name != "Ana Lima" || recs[1].Name != "Bo" {
		t.Fatalf("stored names %q %q", recs[0].Name, recs[1].Name)
	}
	wantReasons := []crm.Reason{"", "", crm.ReasonValidation, crm.ReasonValidation, crm.ReasonNotFound}
	for i, r := range res {
		got := crm.Reason("")
		if r.Err != nil {
			got = r.Err.Reason
		}
		if got != wantReasons[i] || r.Ref != string(rune('1'+i)) {
			t.Errorf("result %d = %+v, want reason %q", i, r, wantReasons[i])
		}
	}
	if n := srv.Calls()["update"]; n != 3 {
		t.Errorf("%d update calls, want 3 (invalid items are not sent)", n)
	}
}

func TestConflictReportsExistingContact(t *testing.T) {
	// Intercom only answers 409 for email/external_id collisions, which
	// the sync never sends; this fake answers 409 to every create so the
	// client's handling is exercised.
	for _, tc := range []struct {
		name, message, want string
	}{
		{"id in message", "A contact matching those details already exists with id=abc123", "abc123"},
		{"found by phone", "Conflict", "found-by-search"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := conflictClient(t, tc.message)
			res, err := c.Create(context.Background(), []crm.NewContact{{Ref: "r", Phone: phone(1)}})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Err == nil || res[0].Err.Reason != crm.ReasonConflict || res[0].ExistingID != tc.want {
				t.Fatalf("result = %+v (err %v), want conflict with existing %q", res[0], res[0].Err, tc.want)
			}
		})
	}
}

func TestEmptyNamesAreNotSent(t *testing.T) {
	_, c := setup(t, intercomtest.Options{})
	res, err := c.SetNames(context.Background(), []crm.NameUpdate{{Ref: "x", ID: "1", Name: "  "}})
	if err != nil || res[0].Err == nil || !strings.Contains(res[0].Err.Message, "no name") {
		t.Fatalf("blank name: %+v %v", res, err)
	}
}
