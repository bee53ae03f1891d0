package intercom_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/crmtest"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

const specFile = "intercom-2.14.openapi.yaml"

// TestContract runs every operation the client uses through a transport
// that checks each request and each fake response against Intercom's
// published OpenAPI document. Only documented statuses are exercised
// (the spec lists 200 and 401 for these operations; 4xx/429 answers are
// covered by the other tests).
func TestContract(t *testing.T) {
	t.Parallel()
	spec := crmtest.SpecPath(t, specFile)
	srv, c := setup(t, intercomtest.Options{}, func(cfg *intercom.Config) {
		cfg.HTTP = &http.Client{Timeout: 5 * time.Second, Transport: crmtest.ContractTransport(t, spec, nil)}
	})
	ids := srv.Seed(
		intercomtest.Contact{Phone: "+14155550001", Name: "Ana"},
		intercomtest.Contact{Phone: "(415) 555-0002"},
		intercomtest.Contact{Email: "bo@example.com", ExternalID: "e1", Role: "user"},
	)
	for i := 0; i < intercom.MaxPerPage; i++ { // a second page
		srv.Seed(intercomtest.Contact{Phone: "14155550003"})
	}
	ctx := context.Background()
	got, err := c.FindByPhones(ctx, []string{phone(1), phone(2), phone(3)})
	if err != nil || len(got) != intercom.MaxPerPage+2 {
		t.Fatalf("search: %d records, %v", len(got), err)
	}
	res, err := c.Create(ctx, newContacts(3))
	if err != nil || res[0].Err != nil {
		t.Fatalf("create: %+v %v", res, err)
	}
	res, err = c.SetNames(ctx, []crm.NameUpdate{{Ref: "n", ID: ids[1], Name: "Cy"}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("update: %+v %v", res, err)
	}
	bad := intercom.New(intercom.Config{BaseURL: srv.URL(), Token: "wrong", Retry: fastRetry,
		HTTP: &http.Client{Transport: crmtest.ContractTransport(t, spec, nil)}})
	if _, err := bad.FindByPhones(ctx, []string{phone(1)}); err == nil {
		t.Fatal("a wrong token was accepted")
	}
}
