package intercom

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode"
	"unicode/utf8"

	"coexsync/crm"
)

func TestPhoneSpellings(t *testing.T) {
	tests := map[string][]string{
		"+14155552671":   {"+14155552671", "14155552671", "+1 415-555-2671", "(415) 555-2671"},
		"+5511987654321": {"+5511987654321", "5511987654321", "+55 11 98765-4321", "(11) 98765-4321"},
		"+447911123456":  {"+447911123456", "447911123456", "+44 7911 123456", "07911 123456"},
	}
	for in, want := range tests {
		if got := PhoneSpellings(in); !slices.Equal(got, want) {
			t.Errorf("PhoneSpellings(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneQueryStaysWithinSearchLimits(t *testing.T) {
	t.Parallel()
	numbers := make([]string, FindBatch)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", i)
	}
	q, err := phoneQuery(numbers)
	if err != nil {
		t.Fatal(err)
	}
	if q.Operator != "OR" || len(q.Value) > MaxFiltersPerGroup {
		t.Fatalf("group %s with %d filters", q.Operator, len(q.Value))
	}
	all := map[string]bool{}
	for _, f := range q.Value {
		if f.Field != "phone" || f.Operator != "IN" || len(f.Value) > MaxInValues {
			t.Fatalf("filter %s %s with %d values", f.Field, f.Operator, len(f.Value))
		}
		for _, v := range f.Value {
			all[v] = true
		}
	}
	for _, n := range numbers {
		for _, v := range PhoneSpellings(n) {
			if !all[v] {
				t.Fatalf("spelling %q of %s not searched", v, n)
			}
		}
	}
}

func TestIsE164(t *testing.T) {
	for s, want := range map[string]bool{
		"+14155552671": true, "+999999999999999": true, "+12": true,
		"14155552671": false, "+0123": false, "+1 415": false, "+": false, "+1234567890123456": false, "": false,
	} {
		if got := isE164(s); got != want {
			t.Errorf("isE164(%q) = %v", s, got)
		}
	}
}

func TestClientBudgetStaysUnderTheServer(t *testing.T) {
	for _, perMinute := range []int{1, 6, 60, 600, 1000, DefaultPerMinute} {
		b, server := clientBudget(perMinute), WindowBudget(perMinute)
		if b < 1 || (server > 1 && b >= server) {
			t.Errorf("perMinute %d: client %d, server %d", perMinute, b, server)
		}
	}
	if got := WindowBudget(DefaultPerMinute); got != 1666 {
		t.Errorf("WindowBudget(%d) = %d, want 1666", DefaultPerMinute, got)
	}
}

// TestStatusError runs in a synctest bubble: the 429's reset is whole
// seconds from now, and on a real clock the time between building the
// header and reading it could push the wait under the asserted bound.
func TestStatusError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(Config{Token: "dG9rOmFiY2RlZg==", Window: 2 * time.Second})
		body := func(code, msg, field string) []byte {
			return fmt.Appendf(nil, `{"type":"error.list","errors":[{"code":%q,"message":%q,"field":%q}]}`, code, msg, field)
		}
		reset := strconv.FormatInt(time.Now().Add(time.Second).Unix()+1, 10)
		tests := []struct {
			status int
			body   []byte
			header http.Header
			reason crm.Reason
			msg    string
		}{
			{401, body("unauthorized", "Access Token Invalid", ""), nil, crm.ReasonUnauthorized, "Access Token Invalid"},
			{403, body("token_unauthorized", "", ""), nil, crm.ReasonForbidden, "token_unauthorized"},
			{404, body("not_found", "User Not Found", ""), nil, crm.ReasonNotFound, "User Not Found"},
			{409, body("conflict", "exists with id=1", ""), nil, crm.ReasonConflict, "exists with id=1"},
			{400, body("parameter_invalid", "bad", "phone"), nil, crm.ReasonInvalidPhone, "bad"},
			{422, body("invalid_phone_number", "bad", ""), nil, crm.ReasonInvalidPhone, "bad"},
			{400, body("parameter_invalid", "bad", "email"), nil, crm.ReasonValidation, "bad"},
			{418, []byte("teapot"), nil, crm.ReasonValidation, ""},
			{503, []byte("<html>"), nil, crm.ReasonServerError, ""},
			{302, nil, nil, crm.ReasonBadResponse, "unexpected status 302"},
			{429, body("rate_limit_exceeded", "Exceeded rate limit of 166 in 10_seconds", ""), http.Header{"X-Ratelimit-Reset": {reset}}, crm.ReasonRateLimited, "Exceeded rate limit of 166 in 10_seconds"},
		}
		for _, tc := range tests {
			e := c.statusError(&http.Response{StatusCode: tc.status, Header: tc.header}, tc.body)
			if e.Reason != tc.reason || e.Message != tc.msg || e.Status != tc.status {
				t.Errorf("%d %s: got %+v, want %s %q", tc.status, tc.body, e, tc.reason, tc.msg)
			}
			if tc.status == 429 && (e.RetryAfter <= time.Second || e.RetryAfter > 2*time.Second) {
				t.Errorf("429 RetryAfter = %v, want the reset capped at the 2 s window", e.RetryAfter)
			}
		}
	})
}

func TestCleanMessage(t *testing.T) {
	long := strings.Repeat("é", maxMessage+10)
	if got := cleanMessage(long, ""); utf8.RuneCountInString(got) != maxMessage+1 {
		t.Errorf("long message kept %d runes", utf8.RuneCountInString(got))
	}
	if got := cleanMessage("a\x1b[31mred\nsecret-tok \xff", "secret-tok"); got != "ared [redacted]" {
		t.Errorf("cleanMessage = %q", got)
	}
}

// FuzzStatusError: whatever a server answers, the client turns it into a
// typed error with a bounded, printable message and never panics.
func FuzzStatusError(f *testing.F) {
	f.Add(429, []byte(`{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded"}]}`), "1700000000")
	f.Add(400, []byte(`{"errors":[{"code":"x","field":"phone"}]}`), "")
	f.Add(500, []byte(`<html>`), "nan")
	f.Add(409, []byte(`{"errors":[{"message":"id=\u0000abc"}]}`), "-1")
	c := New(Config{Token: "dG9rOmFiY2RlZg==", Window: time.Second})
	f.Fuzz(func(t *testing.T, status int, body []byte, reset string) {
		if status < 300 || status > 599 {
			return
		}
		e := c.statusError(&http.Response{StatusCode: status, Header: http.Header{"X-Ratelimit-Reset": {reset}}}, body)
		if e.Reason == "" || e.RetryAfter < 0 || e.RetryAfter > time.Second {
			t.Fatalf("status %d: %+v", status, e)
		}
		if utf8.RuneCountInString(e.Message) > maxMessage+1 || strings.IndexFunc(e.Message, unicode.IsControl) >= 0 || strings.Contains(e.Message, "dG9rOmFiY2RlZg==") {
			t.Fatalf("message %q", e.Message)
		}
	})
}
