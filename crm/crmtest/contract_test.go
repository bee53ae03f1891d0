package crmtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that keeps Errorf calls instead of failing, so
// the test can assert that a contract violation is reported.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Helper() {}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errors, "\n")
}

const (
	validSearch   = `{"after":"0","limit":10,"sorts":[],"properties":["phone"],"filterGroups":[{"filters":[{"propertyName":"phone","operator":"IN","values":["+14155552671"]}]}]}`
	validResponse = `{"total":1,"results":[{"id":"1","archived":false,"createdAt":"2026-01-02T03:04:05Z","updatedAt":"2026-01-02T03:04:05Z","properties":{"phone":"+14155552671"}}]}`
	searchPath    = "/crm/v3/objects/contacts/search"
)

func serveJSON(status int, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
}

func post(t *testing.T, rt http.RoundTripper, url, body, auth string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return rt.RoundTrip(req)
}

func TestContractTransport(t *testing.T) {
	spec := SpecPath(t, "hubspot-contacts-v3.openapi.json")
	cases := []struct {
		name     string
		path     string
		body     string
		auth     string
		status   int
		response string
		wantErr  string // substring of the recorded failure; "" for none
	}{
		{"valid exchange", searchPath, validSearch, "Bearer x", 200, validResponse, ""},
		{"request misses required sorts", searchPath, strings.Replace(validSearch, `"sorts":[],`, "", 1), "Bearer x", 200, validResponse, "request POST " + searchPath},
		{"request without token", searchPath, validSearch, "", 200, validResponse, "bearer"},
		{"response misses total", searchPath, validSearch, "Bearer x", 200, `{"results":[]}`, "response 200"},
		{"error body per spec", searchPath, validSearch, "Bearer x", 429, `{"status":"error","message":"slow down","correlationId":"aeb5f871-7f07-4993-9211-075dc63e7cbf","category":"RATE_LIMITS"}`, ""},
		{"error body without category", searchPath, validSearch, "Bearer x", 500, `{"message":"boom"}`, "response 500"},
		{"unknown operation", "/crm/v3/objects/nothing", `{}`, "Bearer x", 200, `{}`, "not an operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveJSON(tc.status, tc.response)
			defer srv.Close()
			rec := &recorder{TB: t}
			rt := ContractTransport(rec, spec, nil)
			resp, err := post(t, rt, srv.URL+tc.path, tc.body, tc.auth)
			if err != nil {
				t.Fatalf("round trip: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			got := rec.all()
			switch {
			case tc.wantErr == "" && got != "":
				t.Errorf("unexpected contract failure:\n%s", got)
			case tc.wantErr != "" && !strings.Contains(got, tc.wantErr):
				t.Errorf("want a failure containing %q, got:\n%s", tc.wantErr, got)
			}
		})
	}
}

func TestContractTransportKeepsBodies(t *testing.T) {
	spec := SpecPath(t, "hubspot-contacts-v3.openapi.json")
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen = string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(validResponse))
	}))
	defer srv.Close()
	rt := ContractTransport(t, spec, nil)
	resp, err := post(t, rt, srv.URL+searchPath, validSearch, "Bearer x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if seen != validSearch {
		t.Errorf("server saw %q, want the request body unchanged", seen)
	}
	if string(got) != validResponse {
		t.Errorf("client read %q, want the response body unchanged", got)
	}
}

func TestContractTransportRefusesNonLoopback(t *testing.T) {
	spec := SpecPath(t, "hubspot-contacts-v3.openapi.json")
	rec := &recorder{TB: t}
	called := false
	base := roundTripFunc(func(*http.Request) (*http.Response, error) {
		called = true
		return nil, fmt.Errorf("must not be called")
	})
	rt := ContractTransport(rec, spec, base)
	_, err := post(t, rt, "https://api.hubapi.com"+searchPath, validSearch, "Bearer x")
	if err == nil || called {
		t.Fatalf("err=%v called=%v: want the request refused before it leaves", err, called)
	}
	if !strings.Contains(rec.all(), "not loopback") {
		t.Errorf("want a loopback failure, got %q", rec.all())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
