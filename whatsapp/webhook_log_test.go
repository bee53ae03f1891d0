package whatsapp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"coexsync/whatsapp"
)

// Every refused request leaves exactly one structured line saying which
// status Meta got and why, and none of them holds the app secret, the
// verify token (the real one or the one a caller tried), the signature or
// the contacts.
func TestWebhookLogsEveryRejectionOnce(t *testing.T) {
	body := stateSyncBody(anaItem)
	goodSig := whatsapp.Sign(testSecret, body)
	badSig := whatsapp.Sign("guessed-secret", body)
	malformed := []byte(`{"object":`)
	cases := []struct {
		name   string
		hook   func(h *whatsapp.Webhook, sink *memSink)
		req    func() *http.Request
		status int
		reason string
	}{
		{"wrong verify token", nil, func() *http.Request {
			return httptest.NewRequest(http.MethodGet, "/webhook?hub.mode=subscribe&hub.verify_token=tried-token-123&hub.challenge=7", nil)
		}, 403, "verify token does not match"},
		{"no signature", nil, func() *http.Request { return signed(body, "") }, 401, "signature missing"},
		{"wrong signature", nil, func() *http.Request { return signed(body, badSig) }, 401, "signature wrong"},
		{"too large", func(h *whatsapp.Webhook, _ *memSink) { h.MaxBody = 10 }, func() *http.Request { return signed(body, goodSig) }, 413, "body too large"},
		{"malformed", nil, func() *http.Request { return signed(malformed, whatsapp.Sign(testSecret, malformed)) }, 400, "malformed body"},
		{"store fails", func(_ *whatsapp.Webhook, s *memSink) { s.setErr(errors.New("database is locked")) },
			func() *http.Request { return signed(body, goodSig) }, 500, "not saved; Meta will retry"},
		{"not configured", func(h *whatsapp.Webhook, _ *memSink) { h.AppSecret = "" },
			func() *http.Request { return signed(body, goodSig) }, 500, "not configured: app secret or store missing; Meta will retry"},
		{"method", nil, func() *http.Request { return httptest.NewRequest(http.MethodPut, "/webhook", nil) }, 405, "method not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			sink := newMemSink()
			h := newHook(sink)
			h.Log = slogJSON(&logs)
			if c.hook != nil {
				c.hook(h, sink)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.req())
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("want one log line, got %d:\n%s", len(lines), logs.String())
			}
			var entry map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
				t.Fatalf("log line is not structured: %v: %s", err, lines[0])
			}
			if entry["status"] != float64(c.status) || entry["reason"] != c.reason || entry["msg"] != "webhook request rejected" {
				t.Errorf("log line %s, want status %d reason %q", lines[0], c.status, c.reason)
			}
			wantLevel := "WARN"
			if c.status >= 500 {
				wantLevel = "ERROR"
			}
			if entry["level"] != wantLevel {
				t.Errorf("level %v, want %s", entry["level"], wantLevel)
			}
			for _, secret := range []string{testSecret, "verify-me", "tried-token-123", goodSig, badSig, "5511987654321", "Ana Lima"} {
				if strings.Contains(lines[0], secret) {
					t.Errorf("log holds %q: %s", secret, lines[0])
				}
			}
		})
	}
}

// A delivery that is stored is not a rejection: nothing is logged.
func TestWebhookLogsNothingOnSuccess(t *testing.T) {
	var logs bytes.Buffer
	h := newHook(newMemSink())
	h.Log = slogJSON(&logs)
	body := stateSyncBody(anaItem)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signed(body, whatsapp.Sign(testSecret, body)))
	if rec.Code != 200 || logs.Len() != 0 {
		t.Fatalf("status %d, logs %q", rec.Code, logs.String())
	}
}

func signed(body []byte, sig string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	return req
}

func slogJSON(w *bytes.Buffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
