package intercom_test

import (
	"context"
	"testing"

	"coexsync/crm"
	"coexsync/crm/intercom/intercomtest"
)

// Archive sends one POST /contacts/{id}/archive per id and answers each
// in input order: an unknown id fails with not_found, an empty one is not
// sent, and archiving twice is harmless.
func TestArchiveEachContact(t *testing.T) {
	srv, c := setup(t, intercomtest.Options{})
	ids := srv.Seed(
		intercomtest.Contact{Role: "lead", Name: "A", Phone: "+14155550100"},
		intercomtest.Contact{Role: "lead", Name: "B", Phone: "+14155550101"},
		intercomtest.Contact{Role: "lead", Name: "C", Phone: "+14155550102"},
	)
	in := []string{ids[0], "", "6762f0dd0000000000000bad", ids[1]}
	res, err := c.Archive(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(in) {
		t.Fatalf("%d results for %d ids", len(res), len(in))
	}
	for _, i := range []int{0, 3} {
		if res[i].Err != nil || res[i].ID != in[i] || res[i].Ref != in[i] {
			t.Errorf("result %d: %+v", i, res[i])
		}
	}
	if res[1].Err == nil || res[1].Err.Reason != crm.ReasonValidation {
		t.Errorf("empty id: %+v", res[1])
	}
	if res[2].Err == nil || res[2].Err.Reason != crm.ReasonNotFound {
		t.Errorf("unknown id: %+v", res[2])
	}
	archived := map[string]bool{}
	for _, r := range srv.Records() {
		archived[r.ID] = r.Archived
	}
	if !archived[ids[0]] || !archived[ids[1]] || archived[ids[2]] {
		t.Fatalf("archived %v", archived)
	}
	if res, err := c.Archive(context.Background(), ids[:1]); err != nil || res[0].Err != nil {
		t.Fatalf("archive twice: %+v %v", res, err)
	}
}
