package hubspottest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
)

// TestCalculatedPhonesFromCountry: HubSpot places a national number by
// the record's country; without a country or a '+' it cannot, and an
// extension is not part of the E.164.
func TestCalculatedPhonesFromCountry(t *testing.T) {
	srv := New(Options{Token: token, NoAccountRegion: true})
	defer srv.Close()
	ids := srv.SeedRecords(
		Record{Country: "Spain", Phone: "612 34 56 78"},
		Record{Phone: "612 34 56 78"},
		Record{Country: "Spain", Phone: "612 34 56 78 ext. 12", Mobile: "+34 699 11 12 22 ext 3"},
		Record{Country: "ES", Mobile: "699111222"},
		Record{Country: "united kingdom", Phone: "020 7946 0958"},
		Record{Country: "Narnia", Phone: "020 7946 0958"},
		Record{Country: "Spain", Phone: "+1 415 555 2671"}, // the '+' wins over the country
		Record{Phone: "0034 612 345 678"},                  // an international prefix
	)
	want := []struct{ phone, mobile string }{
		{"+34612345678", ""},
		{"", ""},
		{"+34612345678", "+34699111222"},
		{"", "+34699111222"},
		{"+442079460958", ""},
		{"", ""},
		{"+14155552671", ""},
		{"+34612345678", ""},
	}
	recs := srv.Records()
	for i, w := range want {
		p := recs[i].Properties
		if recs[i].ID != ids[i] || p[hubspot.PropCalculatedPhone] != w.phone || p[hubspot.PropCalculatedMobile] != w.mobile {
			t.Errorf("record %d (%q, %q): calculated %q / %q, want %q / %q", i,
				p[hubspot.PropCountry], p[hubspot.PropPhone], p[hubspot.PropCalculatedPhone], p[hubspot.PropCalculatedMobile], w.phone, w.mobile)
		}
	}
	// An edit of the country recalculates, as HubSpot does.
	srv.Modify(ids[1], map[string]string{hubspot.PropCountry: "Spain"}, time.Time{})
	if got := srv.Records()[1].Properties[hubspot.PropCalculatedPhone]; got != "+34612345678" {
		t.Errorf("after setting the country: %q", got)
	}
}

func TestCalculatedPhonesAccountRegionByDefault(t *testing.T) {
	srv := New(Options{Token: token})
	defer srv.Close()
	srv.SeedRecords(Record{Phone: "(415) 555-2671"}, Record{Country: "Spain", Phone: "612 34 56 78"})
	recs := srv.Records()
	if got := recs[0].Properties[hubspot.PropCalculatedPhone]; got != "+14155552671" {
		t.Errorf("no country, account region US: %q", got)
	}
	if got := recs[1].Properties[hubspot.PropCalculatedPhone]; got != "+34612345678" {
		t.Errorf("the record's country comes before the account's: %q", got)
	}
}

func get(t *testing.T, srv *Server, path string) (int, []byte) {
	t.Helper()
	rt := crmtest.ContractTransport(t, crmtest.SpecPath(t, "hubspot-contacts-v3.openapi.json"), nil)
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Transport: rt, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&b)
	return resp.StatusCode, b
}

func TestBatchArchiveAndListArchived(t *testing.T) {
	srv := New(Options{Token: token})
	defer srv.Close()
	ids := srv.SeedRecords(Record{Phone: "+14155550001"}, Record{Phone: "+14155550002"}, Record{Phone: "+14155550003"})
	status, _, body := exchange(t, srv, true, hubspot.PathBatchArchive,
		hubspot.BatchIDsRequest{Inputs: []hubspot.ObjectID{{ID: ids[1]}, {ID: "424242"}}})
	if status != http.StatusNoContent || len(body) != 0 {
		t.Fatalf("archive: %d %s", status, body)
	}
	if !srv.IsArchived(ids[1]) || srv.IsArchived(ids[0]) {
		t.Fatal("archive did not mark exactly the record named")
	}
	list := func(q string) []hubspot.Object {
		status, body := get(t, srv, hubspot.PathList+q)
		if status != http.StatusOK {
			t.Fatalf("list %s: %d %s", q, status, body)
		}
		var resp struct{ Results []hubspot.Object }
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		return resp.Results
	}
	if got := list("?limit=100"); len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[2] {
		t.Errorf("active listing %+v", got)
	}
	got := list("?archived=true&properties=phone&properties=hs_calculated_phone_number")
	if len(got) != 1 || got[0].ID != ids[1] || !got[0].Archived || got[0].ArchivedAt == "" ||
		got[0].Properties[hubspot.PropCalculatedPhone] != "+14155550002" {
		t.Errorf("archived listing %+v", got)
	}
	// Archived records leave search and refuse updates.
	status, _, body = exchange(t, srv, true, hubspot.PathSearch, search([]hubspot.FilterGroup{in(hubspot.PropPhone, "+14155550002")}, 10, ""))
	var sr hubspot.SearchResponse
	if err := json.Unmarshal(body, &sr); err != nil || status != http.StatusOK || sr.Total != 0 {
		t.Errorf("search found the archived record: %d %s", status, body)
	}
	status, _, _ = exchange(t, srv, true, hubspot.PathBatchUpdate,
		hubspot.BatchUpdateRequest{Inputs: []hubspot.UpdateInput{{ID: ids[1], Properties: map[string]string{"firstname": "X"}}}})
	if status != http.StatusNotFound {
		t.Errorf("update of an archived record: %d, want 404", status)
	}
	if status, _ := get(t, srv, hubspot.PathList+"?limit=101"); status != http.StatusBadRequest {
		t.Errorf("limit 101: %d, want 400", status)
	}
}

func TestSearchModifiedSinceAscending(t *testing.T) {
	srv := New(Options{Token: token})
	defer srv.Close()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := srv.SeedRecords(
		Record{Phone: "+14155550001", Modified: t0.Add(3 * time.Hour)},
		Record{Phone: "+14155550002", Modified: t0.Add(-time.Hour)},
		Record{Phone: "+14155550003", Modified: t0.Add(time.Hour)},
		Record{Phone: "+14155550004", Modified: t0},
	)
	req := search([]hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: hubspot.PropLastModifiedDate, Operator: hubspot.OpGTE, Value: "1767225600000"}}}}, 10, "")
	req.Sorts = []hubspot.Sort{{PropertyName: hubspot.PropLastModifiedDate, Direction: hubspot.SortAscending}}
	status, _, body := exchange(t, srv, true, hubspot.PathSearch, req)
	var sr hubspot.SearchResponse
	if err := json.Unmarshal(body, &sr); err != nil || status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	var got []string
	for _, o := range sr.Results {
		got = append(got, o.ID)
	}
	if want := []string{ids[3], ids[2], ids[0]}; sr.Total != 3 || len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("got %v (total %d), want %v", got, sr.Total, want)
	}
}
