package intercomtest

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func dateSearch(field, op string, value any) string {
	return fmt.Sprintf(`{"query":{"field":%q,"operator":%q,"value":%v}}`, field, op, value)
}

func ids(r reply) []string {
	var out []string
	data, _ := r.body["data"].([]any)
	for _, d := range data {
		out = append(out, d.(map[string]any)["id"].(string))
	}
	return out
}

// TestDateSearchByCalendarDay: Intercom compares timestamps by day in the
// workspace's zone and refuses >=, <=, != on them.
func TestDateSearchByCalendarDay(t *testing.T) {
	s := newServer(t, Options{})
	s.SetTimezone(time.FixedZone("UTC+2", 2*3600))
	day := time.Date(2026, 5, 1, 12, 0, 0, 0, time.FixedZone("UTC+2", 2*3600)) // noon local
	at := func(d time.Duration) Contact { return Contact{Phone: "1", CreatedAt: day, UpdatedAt: day.Add(d)} }
	got := s.Seed(at(-13*time.Hour), at(-time.Hour), at(11*time.Hour), at(12*time.Hour)) // prev day, same, same, next day
	cases := []struct {
		op   string
		want []string
	}{
		{">", []string{got[3]}},
		{"<", []string{got[0]}},
		{"=", []string{got[1], got[2]}},
	}
	for _, c := range cases {
		r := do(t, s, http.MethodPost, "/contacts/search", dateSearch("updated_at", c.op, day.Unix()), nil)
		if r.status != http.StatusOK || fmt.Sprint(ids(r)) != fmt.Sprint(c.want) {
			t.Errorf("updated_at %s noon: %d %v, want %v", c.op, r.status, ids(r), c.want)
		}
	}
	for _, op := range []string{">=", "<=", "!=", "IN"} {
		if r := do(t, s, http.MethodPost, "/contacts/search", dateSearch("updated_at", op, day.Unix()), nil); r.status != http.StatusBadRequest {
			t.Errorf("operator %s on a date: %d, want 400", op, r.status)
		}
	}
	if r := do(t, s, http.MethodPost, "/contacts/search", dateSearch("updated_at", ">", `"soon"`), nil); r.status != http.StatusBadRequest {
		t.Errorf("a date that is not a timestamp: %d, want 400", r.status)
	}
}

func TestArchiveDeleteAndList(t *testing.T) {
	s := newServer(t, Options{})
	got := s.Seed(Contact{Phone: "+14155550001", Country: "Ireland"}, Contact{Phone: "+14155550002"}, Contact{Phone: "+14155550003"})
	if r := do(t, s, http.MethodPost, "/contacts/"+got[0]+"/archive", "", nil); r.status != http.StatusOK || r.body["archived"] != true {
		t.Fatalf("archive: %d %s", r.status, r.raw)
	}
	if r := do(t, s, http.MethodDelete, "/contacts/"+got[1], "", nil); r.status != http.StatusOK || r.body["deleted"] != true {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	r := do(t, s, http.MethodGet, "/contacts?per_page=10", "", nil)
	if r.status != http.StatusOK || fmt.Sprint(ids(r)) != fmt.Sprint([]string{got[2]}) || r.body["total_count"] != 1.0 {
		t.Errorf("list: %d %s", r.status, r.raw)
	}
	for _, id := range got[:2] {
		if r := do(t, s, http.MethodGet, "/contacts/"+id, "", nil); r.status != http.StatusNotFound {
			t.Errorf("read %s: %d, want 404", id, r.status)
		}
	}
	s.SetArchivedReadable(true)
	r = do(t, s, http.MethodGet, "/contacts/"+got[0], "", nil)
	if loc, _ := r.body["location"].(map[string]any); r.status != http.StatusOK || loc["country"] != "Ireland" {
		t.Errorf("read archived, readable: %d %s", r.status, r.raw)
	}
	if r := do(t, s, http.MethodPost, "/contacts/search", searchPhones("+14155550001"), nil); len(ids(r)) != 0 {
		t.Errorf("search found an archived contact: %s", r.raw)
	}
	if r := do(t, s, http.MethodGet, "/contacts?per_page=151", "", nil); r.status != http.StatusBadRequest {
		t.Errorf("per_page 151: %d, want 400", r.status)
	}
	s.SetFaults(Faults{DenyWrites: true})
	if r := do(t, s, http.MethodDelete, "/contacts/"+got[2], "", nil); r.status != http.StatusForbidden {
		t.Errorf("delete without write permission: %d, want 403", r.status)
	}
	if r := do(t, s, http.MethodGet, "/contacts/"+got[2], "", nil); r.status != http.StatusOK {
		t.Errorf("read without write permission: %d, want 200", r.status)
	}
}
