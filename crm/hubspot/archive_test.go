package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// Archive sends at most MaxBatchInputs ids per batch/archive call, reads
// HubSpot's bodiless 204 as success, and answers every id in input order:
// an empty id fails alone, a repeated one is sent once.
func TestArchiveBatchesAndReadsNoContent(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, hubspottest.Options{})
	recs := make([]hubspottest.Record, hubspot.MaxBatchInputs+20)
	for i := range recs {
		recs[i] = hubspottest.Record{FirstName: fmt.Sprint("R", i), Phone: fmt.Sprintf("+1415555%04d", i)}
	}
	ids := srv.SeedRecords(recs...)
	in := append([]string{"", ids[0]}, ids...)
	res, err := c.Archive(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(in) || res[0].Err == nil || res[0].Err.Reason != crm.ReasonValidation {
		t.Fatalf("%d results, first %+v", len(res), res[0])
	}
	for i, r := range res[1:] {
		if r.Err != nil || r.ID != in[i+1] || r.Ref != in[i+1] {
			t.Fatalf("result %d: %+v", i+1, r)
		}
	}
	for _, id := range ids {
		if !srv.IsArchived(id) {
			t.Fatalf("%s not archived", id)
		}
	}
	if n := srv.Calls()[hubspottest.EndpointArchive]; n != 2 {
		t.Fatalf("%d batch/archive calls, want 2", n)
	}
	// Archiving is idempotent at HubSpot: archived or unknown ids answer 204 too.
	res, err = c.Archive(context.Background(), []string{ids[0], "999999"})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("archive again: %+v %v", res, err)
	}
}

// A refused token fails the whole call: nothing was archived.
func TestArchiveRefusedToken(t *testing.T) {
	srv, _ := setup(t, hubspottest.Options{})
	ids := srv.SeedRecords(hubspottest.Record{FirstName: "A", Phone: "+14155550100"})
	bad := hubspot.New(hubspot.Config{BaseURL: srv.URL, Token: "wrong", Retry: fastRetry})
	_, err := bad.Archive(context.Background(), ids)
	var ce *crm.Error
	if !errors.As(err, &ce) || ce.Reason != crm.ReasonUnauthorized || srv.IsArchived(ids[0]) {
		t.Fatalf("archive with a refused token: %v", err)
	}
}
