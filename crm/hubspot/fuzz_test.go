package hubspot

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"coexsync/crm"
)

func TestExistingID(t *testing.T) {
	cases := map[string]string{
		"Contact already exists. Existing ID: 12345":  "12345",
		"Contact already exists. Existing ID:  77. x": "77",
		"Existing ID: abc":                            "",
		"no id here":                                  "",
		"Existing ID: ":                               "",
	}
	for msg, want := range cases {
		if got := existingID(msg); got != want {
			t.Errorf("existingID(%q) = %q, want %q", msg, got, want)
		}
	}
}

func FuzzExistingID(f *testing.F) {
	f.Add("Contact already exists. Existing ID: 12345")
	f.Add("Existing ID: 99999999999999999999999")
	f.Add("Existing ID:")
	f.Fuzz(func(t *testing.T, msg string) {
		id := existingID(msg)
		if id == "" {
			return
		}
		if _, err := strconv.ParseUint(id, 10, 64); err != nil || !strings.Contains(msg, id) {
			t.Fatalf("existingID(%q) = %q: not a number from the message", msg, id)
		}
	})
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"2":                             2 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-1":                            0,
		"86400":                         0, // absurd: ignored
		"soon":                          0,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
	}
	for v, want := range cases {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "0.25", "NaN", "Inf", "1e300", "Fri, 02 Jan 2026 03:04:15 GMT", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d := retryAfter(v, time.Now()); d < 0 || d > time.Hour {
			t.Fatalf("retryAfter(%q) = %v, outside [0, 1h]", v, d)
		}
	})
}

// FuzzBatchApply feeds arbitrary batch answers to the matcher: every
// item ends with exactly one of an id or an error, ids only ever come
// from the answer, and nothing panics.
func FuzzBatchApply(f *testing.F) {
	f.Add([]byte(`{"status":"COMPLETE","results":[{"id":"1","objectWriteTraceId":"0","properties":{"phone":"+14155550000"}},{"id":"2","properties":{"phone":"14155550001"}}]}`), 3)
	f.Add([]byte(`{"results":[],"errors":[{"category":"CONFLICT","message":"Existing ID: 5","context":{"objectWriteTraceId":["1","9","x"]}},{"category":"VALIDATION_ERROR","message":"bad","context":{"index":["0","-1"]}}]}`), 2)
	f.Add([]byte(`{"results":[{"id":"","objectWriteTraceId":"0"},{"id":"7","objectWriteTraceId":"0"}]}`), 1)
	f.Fuzz(func(t *testing.T, body []byte, n int) {
		if n < 1 || n > 20 {
			return
		}
		var resp BatchResponse
		if json.Unmarshal(body, &resp) != nil {
			return
		}
		contacts := make([]crm.NewContact, n)
		pos := make([]int, n)
		for i := range contacts {
			contacts[i].Phone = "+1415555" + strconv.Itoa(1000+i)
			pos[i] = i
		}
		b := &batch{
			c:       New(Config{Token: "t"}),
			results: make([]crm.ItemResult, n),
			locate:  func(o Object, open []int) (int, bool) { return byPhone(o, open, contacts) },
		}
		b.apply(200, resp, pos)
		ids := map[string]bool{}
		for _, o := range resp.Results {
			ids[o.ID] = true
		}
		for i, r := range b.results {
			if (r.ID == "") == (r.Err == nil) {
				t.Fatalf("item %d = %+v: want exactly one of id and error", i, r)
			}
			if r.ID != "" && !ids[r.ID] {
				t.Fatalf("item %d got id %q that is not in the answer", i, r.ID)
			}
		}
	})
}
