// Package crmtest holds test helpers shared by the CRM clients: a
// RoundTripper that checks every request a client sends and every response
// a fake serves against the vendor's published OpenAPI document.
package crmtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecDir is where the vendor documents live, relative to the directory
// that holds go.mod (the repository root). They are part of the
// repository (see its README) so a fresh clone runs every contract test.
const SpecDir = "crm/crmtest/testdata"

// SpecPath locates a vendor OpenAPI document by walking up from the test's
// package directory to the module root. A missing document fails the
// test: a skipped contract check would let the fakes drift unnoticed.
func SpecPath(t testing.TB, file string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("contract: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("contract: no go.mod above the package; cannot find %s/%s", SpecDir, file)
		}
		dir = parent
	}
	p := filepath.Join(dir, filepath.FromSlash(SpecDir), file)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("contract: vendor spec %s missing from %s: %v", file, SpecDir, err)
	}
	return p
}

// spec is one loaded document with its router; loading the Intercom
// document takes a while, so each path is loaded once per test binary.
type spec struct {
	router routers.Router
	err    error
}

var (
	specsMu sync.Mutex
	specs   = map[string]*spec{}
)

func loadSpec(path string) (routers.Router, error) {
	specsMu.Lock()
	defer specsMu.Unlock()
	if s, ok := specs[path]; ok {
		return s.router, s.err
	}
	s := &spec{}
	s.router, s.err = buildRouter(path)
	specs[path] = s
	return s.router, s.err
}

func buildRouter(path string) (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", filepath.Base(path), err)
	}
	fixKnownSpecErrors(doc)
	// Keep only each server's path: the fakes listen on a loopback port,
	// so the vendor host must not take part in routing.
	var servers openapi3.Servers
	seen := map[string]bool{}
	for _, s := range doc.Servers {
		u, err := url.Parse(s.URL)
		if err != nil || seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		servers = append(servers, &openapi3.Server{URL: u.Path})
	}
	doc.Servers = servers
	return gorillamux.NewRouter(doc)
}

// ContractTransport wraps base (http.DefaultTransport when nil). Each
// request must be an operation of the spec with a valid body, and each
// response must match that operation's documented responses; every
// mismatch is reported with t.Errorf. Requests to a host that is not
// loopback are refused. Do not use it for fault-injection tests: a
// deliberately garbled body is a contract failure by design.
func ContractTransport(t testing.TB, specPath string, base http.RoundTripper) http.RoundTripper {
	t.Helper()
	router, err := loadSpec(specPath)
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &contractTransport{t: t, router: router, base: base}
}

type contractTransport struct {
	t      testing.TB
	router routers.Router
	base   http.RoundTripper
}

var errNotLoopback = errors.New("contract: request to a non-loopback host refused")

func (c *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !isLoopback(req.URL.Hostname()) {
		c.t.Errorf("contract: %s %s: host is not loopback", req.Method, req.URL.Redacted())
		return nil, errNotLoopback
	}
	reqBody, err := drain(req.Body)
	if err != nil {
		return nil, err
	}
	op := req.Method + " " + req.URL.Path
	input := c.checkRequest(req, reqBody, op)

	sent := req.Clone(req.Context())
	sent.Body = io.NopCloser(bytes.NewReader(reqBody))
	resp, err := c.base.RoundTrip(sent)
	if err != nil || input == nil {
		return resp, err
	}
	respBody, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if readErr != nil {
		// The connection broke mid-body: hand the client what arrived and
		// the same error, without judging a body that never completed.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(respBody), errReader{readErr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	c.checkResponse(input, resp, respBody, op)
	return resp, nil
}

// checkRequest validates req and returns the input for response
// validation, or nil when the request matches no operation.
func (c *contractTransport) checkRequest(req *http.Request, body []byte, op string) *openapi3filter.RequestValidationInput {
	probe := req.Clone(context.Background())
	probe.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(probe)
	if err != nil {
		c.t.Errorf("contract: %s: not an operation of the spec: %v", op, err)
		return nil
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    probe,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:    requireBearer,
			MultiError:            true,
			IncludeResponseStatus: true,
		},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), input); err != nil {
		c.t.Errorf("contract: request %s does not match the spec: %v", op, err)
	}
	return input
}

func (c *contractTransport) checkResponse(input *openapi3filter.RequestValidationInput, resp *http.Response, body []byte, op string) {
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                input.Options,
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.t.Errorf("contract: response %d to %s does not match the spec: %v", resp.StatusCode, op, err)
	}
}

// requireBearer accepts any security scheme as long as the request carries
// a bearer token: both vendors take private tokens that way, whatever the
// spec names the scheme.
func requireBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if strings.HasPrefix(h, "Bearer ") && len(h) > len("Bearer ") {
		return nil
	}
	return errors.New("no bearer token in Authorization")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func drain(body io.ReadCloser) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	defer body.Close()
	return io.ReadAll(body)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
