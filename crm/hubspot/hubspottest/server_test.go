package hubspottest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"coexsync/crm/crmtest"
	"coexsync/crm/hubspot"
)

const token = "fake-token"

// exchange posts body to path with the token and returns the answer. In
// strict mode the request and answer are checked against the spec.
func exchange(t *testing.T, srv *Server, strict bool, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rt http.RoundTripper = http.DefaultTransport
	if strict {
		rt = crmtest.ContractTransport(t, crmtest.SpecPath(t, "hubspot-contacts-v3.openapi.json"), nil)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(string(payload)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Transport: rt, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func search(groups []hubspot.FilterGroup, limit int, after string) hubspot.SearchRequest {
	if groups == nil {
		groups = []hubspot.FilterGroup{} // the spec does not allow null
	}
	return hubspot.SearchRequest{FilterGroups: groups, Properties: []string{"phone"}, Sorts: []hubspot.Sort{}, Limit: limit, After: after}
}

func in(prop string, values ...string) hubspot.FilterGroup {
	return hubspot.FilterGroup{Filters: []hubspot.Filter{{PropertyName: prop, Operator: hubspot.OpIN, Values: values}}}
}

func TestCalculatedPhones(t *testing.T) {
	srv := New(Options{Token: token})
	defer srv.Close()
	srv.Seed(
		SeedContact{Phone: "(415) 555-2671"},
		SeedContact{Phone: "+44 20 7946 0958", Mobile: "+44 7911 123456"},
		SeedContact{Phone: "call me maybe"},
	)
	recs := srv.Records()
	want := []map[string]string{
		{hubspot.PropCalculatedPhone: "+14155552671", hubspot.PropSearchablePhone: "4155552671"},
		{hubspot.PropCalculatedPhone: "+442079460958", hubspot.PropSearchablePhone: "2079460958",
			hubspot.PropCalculatedMobile: "+447911123456", hubspot.PropSearchableMobile: "7911123456"},
		{hubspot.PropCalculatedPhone: "", hubspot.PropSearchablePhone: ""},
	}
	for i, w := range want {
		for k, v := range w {
			if got := recs[i].Properties[k]; got != v {
				t.Errorf("record %d %s = %q, want %q", i, k, got, v)
			}
		}
	}
}

func TestSearchMatchesAndValidatesAgainstSpec(t *testing.T) {
	srv := New(Options{Token: token, SearchLag: time.Hour})
	defer srv.Close()
	srv.Seed(SeedContact{Phone: "(415) 555-2671"}, SeedContact{Mobile: "4155552671"}, SeedContact{Phone: "+1 212 555 0100"})
	status, _, body := exchange(t, srv, true, hubspot.PathBatchCreate, hubspot.BatchCreateRequest{Inputs: []hubspot.CreateInput{
		{Properties: map[string]string{"phone": "+14155552671"}, Associations: []any{}},
	}})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	status, h, body := exchange(t, srv, true, hubspot.PathSearch, search([]hubspot.FilterGroup{
		in(hubspot.PropCalculatedPhone, "+14155552671"),
		in(hubspot.PropSearchableMobile, "4155552671"),
	}, 10, ""))
	if status != http.StatusOK {
		t.Fatalf("search: %d %s", status, body)
	}
	var resp hubspot.SearchResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Total != 2 || len(resp.Results) != 2 {
		t.Errorf("got %d/%d results, want the 2 seeded (the created one is not indexed yet)", len(resp.Results), resp.Total)
	}
	if h.Get(hubspot.HeaderRemaining) != "" {
		t.Errorf("search answers carry no budget headers")
	}
}

func TestRequestLimits(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	sixGroups := make([]hubspot.FilterGroup, hubspot.MaxFilterGroups+1)
	for i := range sixGroups {
		sixGroups[i] = in("phone", "1")
	}
	wideGroup := hubspot.FilterGroup{}
	for range hubspot.MaxFiltersPerGroup + 1 {
		wideGroup.Filters = append(wideGroup.Filters, hubspot.Filter{PropertyName: "phone", Operator: hubspot.OpEQ, Value: "1"})
	}
	// Three groups of MaxFiltersPerGroup and one more: each group is
	// allowed, the total is not.
	full := hubspot.FilterGroup{Filters: wideGroup.Filters[:hubspot.MaxFiltersPerGroup]}
	threeWide := []hubspot.FilterGroup{full, full, full, in("phone", "1")}
	inputs := func(n int) hubspot.BatchCreateRequest {
		r := hubspot.BatchCreateRequest{Inputs: make([]hubspot.CreateInput, n)}
		for i := range r.Inputs {
			r.Inputs[i] = hubspot.CreateInput{Properties: map[string]string{"phone": "+1"}, Associations: []any{}}
		}
		return r
	}
	cases := []struct {
		name string
		path string
		body any
		want string // in the message
	}{
		{"too many groups", hubspot.PathSearch, search(sixGroups, 10, ""), "filter groups"},
		{"too many filters in a group", hubspot.PathSearch, search([]hubspot.FilterGroup{wideGroup}, 10, ""), "1 to 6 filters"},
		{"too many filters in all", hubspot.PathSearch, search(threeWide, 10, ""), "the limit is 18"},
		{"too many IN values", hubspot.PathSearch, search([]hubspot.FilterGroup{in("phone", many(hubspot.MaxInValues+1)...)}, 10, ""), "IN on phone"},
		{"page too large", hubspot.PathSearch, search(nil, hubspot.MaxSearchLimit+1, ""), "limit"},
		{"beyond 10,000", hubspot.PathSearch, search(nil, 200, "9900"), "beyond 10000"},
		{"bad cursor", hubspot.PathSearch, search(nil, 10, "x"), "cursor"},
		{"batch too large", hubspot.PathBatchCreate, inputs(hubspot.MaxBatchInputs + 1), "1 to 100"},
		{"empty batch", hubspot.PathBatchCreate, inputs(0), "1 to 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := New(Options{Token: token})
			defer srv.Close()
			status, _, body := exchange(t, srv, true, tc.path, tc.body)
			var eb hubspot.ErrorBody
			if status != http.StatusBadRequest || json.Unmarshal(body, &eb) != nil || eb.Category != hubspot.CategoryValidation {
				t.Fatalf("got %d %s, want a 400 VALIDATION_ERROR", status, body)
			}
			if !strings.Contains(eb.Message, tc.want) {
				t.Errorf("message %q does not say %q", eb.Message, tc.want)
			}
		})
	}
}

// TestRateLimits: searches are charged to the search budget only (the
// spec exempts them from the ten-secondly one) and their 429 has the
// recorded shape; other calls spend the general budget.
func TestRateLimits(t *testing.T) {
	var throttled []string
	srv := New(Options{Token: token, GeneralPer10s: 3, SearchPerSecond: 2, Window: time.Hour, SearchWindow: time.Hour,
		DailyLimit: 1000, OnThrottle: func(p string) { throttled = append(throttled, p) }})
	defer srv.Close()
	update := hubspot.BatchUpdateRequest{Inputs: []hubspot.UpdateInput{{ID: "1", Properties: map[string]string{}}}}
	wantStatus := []int{200, 200, 429} // searches: 2 allowed, then the secondly limit
	for i, want := range wantStatus {
		status, h, body := exchange(t, srv, true, hubspot.PathSearch, search(nil, 10, ""))
		if status != want {
			t.Fatalf("search %d: %d %s", i, status, body)
		}
		if h.Get(hubspot.HeaderRemaining) != "" || h.Get(hubspot.HeaderMax) != "" || h.Get(hubspot.HeaderDailyRemaining) == "" {
			t.Errorf("search %d carries %v, want the daily pair only", i, h)
		}
		if status == 429 {
			var eb hubspot.ErrorBody
			_ = json.Unmarshal(body, &eb)
			if eb.PolicyName != "" || eb.Message != "You have reached your secondly limit." || eb.Category != hubspot.CategoryRateLimits || h.Get("Retry-After") != "" {
				t.Errorf("search 429: %s %v", body, h)
			}
		}
	}
	// The searches spent none of the general budget: three updates get
	// through (404: no such id), the fourth meets the ten-secondly policy.
	for i := range 3 {
		status, h, _ := exchange(t, srv, true, hubspot.PathBatchUpdate, update)
		if status != http.StatusNotFound || h.Get(hubspot.HeaderRemaining) != fmt.Sprint(2-i) || h.Get(hubspot.HeaderMax) != "3" {
			t.Errorf("update %d: %d headers %v", i, status, h)
		}
	}
	status, h, body := exchange(t, srv, true, hubspot.PathBatchUpdate, update)
	var eb hubspot.ErrorBody
	_ = json.Unmarshal(body, &eb)
	if status != 429 || eb.PolicyName != hubspot.PolicyTenSecondly || h.Get(hubspot.HeaderRemaining) != "0" {
		t.Errorf("over budget: %d %s %v", status, body, h)
	}
	if fmt.Sprint(throttled) != "[SECONDLY TEN_SECONDLY_ROLLING]" || srv.Throttled() != 2 {
		t.Errorf("throttle reports %v / %d, want 2", throttled, srv.Throttled())
	}
	if c := srv.Calls(); c[EndpointSearch] != 3 || c[EndpointUpdate] != 4 {
		t.Errorf("calls %v", c)
	}
}

func TestDailyLimitAndAuth(t *testing.T) {
	srv := New(Options{Token: token, DailyLimit: 1})
	defer srv.Close()
	exchange(t, srv, true, hubspot.PathSearch, search(nil, 10, ""))
	status, _, body := exchange(t, srv, true, hubspot.PathSearch, search(nil, 10, ""))
	if status != 429 || !strings.Contains(string(body), hubspot.PolicyDaily) {
		t.Errorf("second call of the day: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+hubspot.PathSearch, strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
}

// TestFaultsAreSeeded: the same seed gives the same faults, so fault
// tests are reproducible.
func TestFaultsAreSeeded(t *testing.T) {
	run := func() []int {
		srv := New(Options{Token: token, Seed: 42})
		defer srv.Close()
		srv.SetFaults(Faults{Rate429: 0.3, Rate5xx: 0.3})
		var out []int
		for range 20 {
			status, _, _ := exchange(t, srv, false, hubspot.PathSearch, search(nil, 10, ""))
			out = append(out, status)
		}
		return out
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	seen := map[int]bool{}
	for _, s := range a {
		seen[s] = true
	}
	if !seen[200] || !seen[429] || !seen[502] {
		t.Errorf("statuses %v: want a mix of 200, 429 and 502", a)
	}
}
