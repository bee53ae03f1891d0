package hubspot_test

import (
	"testing"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

func TestSetNamesWritesOnlyGivenFields(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	ids := srv.Seed(
		hubspottest.SeedContact{Phone: "+14155550001"},
		hubspottest.SeedContact{Phone: "+14155550002"},
		hubspottest.SeedContact{Phone: "+14155550003", LastName: "Kept"},
	)
	res, err := c.SetNames(ctxT(t), []crm.NameUpdate{
		{Ref: "a", ID: ids[0], Name: "Ana Maria Lima"},
		{Ref: "b", ID: ids[1], Name: "Cher"},
		{Ref: "c", ID: ids[2], FirstName: "Only"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.ID != ids[i] || r.Ref != []string{"a", "b", "c"}[i] {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	recs := srv.Records()
	want := [][2]string{{"Ana Maria", "Lima"}, {"Cher", ""}, {"Only", "Kept"}}
	for i, w := range want {
		p := recs[i].Properties
		if p[hubspot.PropFirstName] != w[0] || p[hubspot.PropLastName] != w[1] {
			t.Errorf("record %d names = %q %q, want %q %q", i, p[hubspot.PropFirstName], p[hubspot.PropLastName], w[0], w[1])
		}
	}
}

func TestSetNamesMissingAndRefused(t *testing.T) {
	srv, c := setup(t, hubspottest.Options{})
	ids := srv.Seed(hubspottest.SeedContact{Phone: "+14155550001"})
	res, err := c.SetNames(ctxT(t), []crm.NameUpdate{
		{Ref: "ok", ID: ids[0], Name: "Ana"},
		{Ref: "gone", ID: "999999", Name: "Bo"},
		{Ref: "twice", ID: ids[0], Name: "Ana Again"},
		{Ref: "noname", ID: "123"},
		{Ref: "noid", Name: "X"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantReason := []crm.Reason{"", crm.ReasonNotFound, crm.ReasonValidation, crm.ReasonValidation, crm.ReasonValidation}
	for i, r := range res {
		got := crm.Reason("")
		if r.Err != nil {
			got = r.Err.Reason
		}
		if got != wantReason[i] {
			t.Errorf("item %d (%s) = %+v, want reason %q", i, r.Ref, r, wantReason[i])
		}
	}
	// All ids missing: a whole 404 whose context names them.
	res, err = c.SetNames(ctxT(t), []crm.NameUpdate{{Ref: "x", ID: "424242", Name: "Nobody"}})
	if err != nil || res[0].Err == nil || res[0].Err.Reason != crm.ReasonNotFound {
		t.Errorf("err=%v res=%+v, want an item not_found", err, res)
	}
}
