package hubspot_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"coexsync/crm"
	"coexsync/crm/crmtest"
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
	t.Parallel()
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

// TestCreateConflicts runs against both answers a duplicate may get: the
// whole-batch 409 naming one existing id (seen from the real API) and
// per-item 207 errors (documented shape, behaviour unverified).
func TestCreateConflicts(t *testing.T) {
	t.Parallel()
	for _, perItem := range []bool{false, true} {
		t.Run(fmt.Sprintf("perItem=%v", perItem), func(t *testing.T) {
			srv, c := setup(t, hubspottest.Options{UniquePhones: true, PerItemErrors: perItem})
			existing := srv.Seed(hubspottest.SeedContact{Phone: "(415) 555-0005"}, hubspottest.SeedContact{Phone: "+1 415 555 0007"})

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
			if n := len(srv.Records()); n != 10 {
				t.Errorf("%d records, want the 2 seeded + 8 created", n)
			}
			// Whole-batch mode: each 409 costs one read of the record it
			// names and one re-send without the input holding it.
			calls := srv.Calls()
			wantCreates, wantReads := 3, 2
			if perItem {
				wantCreates, wantReads = 1, 0
			}
			if calls[hubspottest.EndpointCreate] != wantCreates || calls[hubspottest.EndpointRead] != wantReads {
				t.Errorf("calls %v, want %d creates and %d reads", calls, wantCreates, wantReads)
			}
		})
	}
}

// TestCreateConflictUnmatched: a 409 naming a record whose phones match
// no input (another unique property collided) is isolated by halving,
// within the call budget, and the others are created.
func TestCreateConflictUnmatched(t *testing.T) {
	var srv *hubspottest.Server
	refused := "+14155550003"
	_, c := setupOn(t, hubspottest.Options{}, false, crmtest.MemTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == hubspot.PathBatchCreate && bytes.Contains(body, []byte(refused)) {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			w.WriteHeader(http.StatusConflict)
			// the record named holds none of the batch's phones
			_, _ = io.WriteString(w, `{"status":"error","message":"Contact already exists. Existing ID: 999","correlationId":"x","category":"CONFLICT"}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		srv.ServeHTTP(w, r)
	})))
	srv = hubspottest.New(hubspottest.Options{Token: testToken, Window: testWindow, SearchWindow: testSearchWn})
	t.Cleanup(srv.Close)
	in := newContacts(8, 0)
	in[3].Phone = refused
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if i == 3 {
			if r.Err == nil || r.Err.Reason != crm.ReasonConflict || r.ExistingID != "999" {
				t.Errorf("item 3 = %+v, want conflict with 999", r)
			}
		} else if r.Err != nil || r.ID == "" {
			t.Errorf("item %d = %+v, want created", i, r)
		}
	}
	if n := len(srv.Records()); n != 7 {
		t.Errorf("%d records, want 7", n)
	}
}

// TestCreateInvalidPhones: the real API fails the whole batch with a 400
// whose message embeds INVALID_PHONE_NUMBER; the client halves the batch
// until each bad number stands alone and creates the rest. The per-item
// mode gives the same outcome in one call.
func TestCreateInvalidPhones(t *testing.T) {
	for _, perItem := range []bool{false, true} {
		t.Run(fmt.Sprintf("perItem=%v", perItem), func(t *testing.T) {
			srv, c := setup(t, hubspottest.Options{ValidatePhones: true, PerItemErrors: perItem})
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
			// 4 items, 2 bad: the batch, both halves, all four singles
			// but the good single of the half that was all good (7 is
			// the bound of a full bisection, 2n-1).
			calls, limit := srv.Calls()[hubspottest.EndpointCreate], 2*len(in)-1
			if perItem {
				limit = 1
			}
			if calls > limit {
				t.Errorf("%d create calls, want at most %d", calls, limit)
			}
		})
	}
}

// TestCreateIsolationIsBounded: a batch whose every subset is refused
// (the fault is not in one item) costs at most 2n calls, and every item
// carries the refusal.
func TestCreateIsolationIsBounded(t *testing.T) {
	t.Parallel()
	calls := 0
	_, c := setupOn(t, hubspottest.Options{}, false, crmtest.MemTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"status":"error","message":"Property values were not valid: [{\"isValid\":false,\"message\":\"x\",\"error\":\"INVALID_PHONE_NUMBER\",\"name\":\"phone\"}]","correlationId":"x","category":"VALIDATION_ERROR"}`)
	})))
	in := newContacts(hubspot.MaxBatchInputs, 0)
	res, err := c.Create(ctxT(t), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err == nil || r.Err.Reason != crm.ReasonInvalidPhone {
			t.Fatalf("item %d = %+v, want invalid_phone", i, r)
		}
	}
	if calls > 2*len(in) {
		t.Errorf("%d calls for %d items", calls, len(in))
	}
}

func TestCreateMoreThanOneBatch(t *testing.T) {
	t.Parallel()
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
