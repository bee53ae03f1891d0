package whatsapp_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"coexsync/bizapp"
	"coexsync/whatsapp"
)

const testSecret = "app-secret-xyz"

func newHook(sink whatsapp.Sink) *whatsapp.Webhook {
	return &whatsapp.Webhook{AppSecret: testSecret, VerifyToken: "verify-me", Sink: sink}
}

// post sends body to h signed with sig ("" for no header).
func post(h http.Handler, body []byte, sig string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWebhookHandshake(t *testing.T) {
	h := newHook(newMemSink())
	cases := []struct {
		name, mode, token string
		want              int
	}{
		{"match", "subscribe", "verify-me", 200},
		{"wrong token", "subscribe", "verify-you", 403},
		{"prefix of token", "subscribe", "verify", 403},
		{"wrong mode", "unsubscribe", "verify-me", 403},
		{"no token", "subscribe", "", 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := url.Values{"hub.mode": {c.mode}, "hub.verify_token": {c.token}, "hub.challenge": {"1158201444"}}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhook?"+q.Encode(), nil))
			if rec.Code != c.want {
				t.Fatalf("status %d, want %d", rec.Code, c.want)
			}
			if c.want == 200 {
				if rec.Body.String() != "1158201444" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
					t.Errorf("challenge not echoed as text: %q %q", rec.Body.String(), rec.Header().Get("Content-Type"))
				}
			} else if strings.Contains(rec.Body.String(), "1158201444") {
				t.Error("challenge echoed on a refused handshake")
			}
		})
	}
	unset := &whatsapp.Webhook{AppSecret: testSecret}
	rec := httptest.NewRecorder()
	unset.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?hub.mode=subscribe&hub.verify_token=&hub.challenge=1", nil))
	if rec.Code != 403 {
		t.Errorf("empty configured verify token accepted: %d", rec.Code)
	}
}

func TestWebhookSignatures(t *testing.T) {
	body := stateSyncBody(anaItem)
	cases := []struct {
		name string
		sig  string
		want int
	}{
		{"good", whatsapp.Sign(testSecret, body), 200},
		{"missing", "", 401},
		{"wrong secret", whatsapp.Sign("other", body), 401},
		{"other body", whatsapp.Sign(testSecret, append([]byte(" "), body...)), 401},
		{"no prefix", strings.TrimPrefix(whatsapp.Sign(testSecret, body), "sha256="), 401},
		{"sha1 prefix", "sha1=" + strings.TrimPrefix(whatsapp.Sign(testSecret, body), "sha256="), 401},
		{"not hex", "sha256=zz", 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := newMemSink()
			rec := post(newHook(sink), body, c.sig)
			if rec.Code != c.want {
				t.Fatalf("status %d, want %d", rec.Code, c.want)
			}
			if stored := sink.bodyCount(); (c.want == 200) != (stored == 1) {
				t.Errorf("status %d but %d bodies stored", rec.Code, stored)
			}
		})
	}
}

func TestWebhookStoresBeforeAnswering(t *testing.T) {
	sink := newMemSink()
	var saved []bizapp.SaveResult
	h := newHook(sink)
	h.OnSaved = func(r bizapp.SaveResult) { saved = append(saved, r) }
	body := stateSyncBody(anaItem)
	if rec := post(h, body, whatsapp.Sign(testSecret, body)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if got := sink.current(); len(got) != 1 || got["PN1|5511987654321"].FullName != "Ana Lima" {
		t.Fatalf("stored %+v", got)
	}
	if src := sink.bodies[string(body)]; src != whatsapp.SourceWebhook {
		t.Errorf("saved under source %q", src)
	}
	// Meta retries: the same body again must change nothing.
	if rec := post(h, body, whatsapp.Sign(testSecret, body)); rec.Code != 200 {
		t.Fatalf("replay status %d", rec.Code)
	}
	if len(saved) != 2 || saved[0].Added != 1 || !saved[1].Duplicate || sink.bodyCount() != 1 {
		t.Errorf("replay changed the store: results %+v, bodies %d", saved, sink.bodyCount())
	}
}

func TestWebhookRemoveAfterAdd(t *testing.T) {
	sink := newMemSink()
	h := newHook(sink)
	add := stateSyncBody(anaItem)
	remove := stateSyncBody(`{"type":"contact","contact":{"phone_number":"5511987654321"},"action":"remove","metadata":{"timestamp":"1732450100"}}`)
	for _, b := range [][]byte{add, remove} {
		if rec := post(h, b, whatsapp.Sign(testSecret, b)); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if got := sink.current(); len(got) != 0 {
		t.Errorf("contact still current after remove: %+v", got)
	}
}

func TestWebhookRefusesBadBodies(t *testing.T) {
	cases := []struct {
		name    string
		maxBody int64
		body    []byte
		want    int
	}{
		{"malformed json", 0, []byte(`{"object":"whatsapp_business_account","entry":[`), 400},
		{"not whatsapp", 0, []byte(`{"object":"instagram","entry":[]}`), 400},
		{"oversize", 64, bytes.Repeat([]byte("a"), 65), 413},
		{"at limit is read", 64, bytes.Repeat([]byte("a"), 64), 400},
		{"oversize default", 0, append(stateSyncBody(anaItem), bytes.Repeat([]byte(" "), whatsapp.DefaultMaxBody)...), 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := newMemSink()
			h := newHook(sink)
			h.MaxBody = c.maxBody
			if rec := post(h, c.body, whatsapp.Sign(testSecret, c.body)); rec.Code != c.want {
				t.Fatalf("status %d, want %d", rec.Code, c.want)
			}
			if sink.bodyCount() != 0 {
				t.Error("a refused body was stored")
			}
		})
	}
}

func TestWebhookOversizeWithoutContentLength(t *testing.T) {
	sink := newMemSink()
	h := newHook(sink)
	h.MaxBody = 100
	body := append(stateSyncBody(anaItem), ' ')
	req := httptest.NewRequest(http.MethodPost, "/webhook", io.MultiReader(bytes.NewReader(body)))
	req.ContentLength = -1 // chunked: only reading tells the size
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(testSecret, body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 || sink.bodyCount() != 0 {
		t.Errorf("status %d, %d stored; want 413 and nothing", rec.Code, sink.bodyCount())
	}
}

func TestWebhookIgnoresOtherFields(t *testing.T) {
	sink := newMemSink()
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"x"}]}}]}]}`)
	if rec := post(newHook(sink), body, whatsapp.Sign(testSecret, body)); rec.Code != 200 {
		t.Fatalf("status %d, want 200 so Meta stops retrying", rec.Code)
	}
	if sink.bodyCount() != 0 {
		t.Error("a messages body was stored")
	}
}

func TestWebhookSinkErrorAsksForRetry(t *testing.T) {
	sink := newMemSink()
	sink.setErr(errors.New("disk full"))
	body := stateSyncBody(anaItem)
	rec := post(newHook(sink), body, whatsapp.Sign(testSecret, body))
	if rec.Code != 500 {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "disk full") {
		t.Error("internal error text sent to the caller")
	}
}

func TestWebhookUnconfiguredAndMethods(t *testing.T) {
	body := stateSyncBody(anaItem)
	noSecret := &whatsapp.Webhook{Sink: newMemSink()}
	if rec := post(noSecret, body, whatsapp.Sign("", body)); rec.Code != 500 {
		t.Errorf("webhook without app secret answered %d, want 500", rec.Code)
	}
	rec := httptest.NewRecorder()
	newHook(newMemSink()).ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") == "" {
		t.Errorf("PUT answered %d allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestWebhookStampsUndatedEvents(t *testing.T) {
	sink := newMemSink()
	h := newHook(sink)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h.Now = func() time.Time { return now }
	body := stateSyncBody(`{"type":"contact","contact":{"phone_number":"4915112345678"},"action":"add"}`)
	post(h, body, whatsapp.Sign(testSecret, body))
	if got := sink.current()["PN1|4915112345678"].Timestamp; !got.Equal(now) {
		t.Errorf("undated event stamped %v, want %v", got, now)
	}
}

func TestWebhookLogsHoldNoSecret(t *testing.T) {
	var logs bytes.Buffer
	sink := newMemSink()
	h := newHook(sink)
	h.Log = slog.New(slog.NewTextHandler(&logs, nil))
	body := stateSyncBody(anaItem)
	post(h, body, whatsapp.Sign("wrong", body))
	post(h, []byte(`{"object":`), whatsapp.Sign(testSecret, []byte(`{"object":`)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?hub.mode=subscribe&hub.verify_token=guess", nil))
	sink.setErr(errors.New("locked"))
	post(h, body, whatsapp.Sign(testSecret, body))
	if logs.Len() == 0 {
		t.Fatal("refusals were not logged")
	}
	for _, secret := range []string{testSecret, "verify-me", whatsapp.Sign(testSecret, body)} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log holds %q:\n%s", secret, logs.String())
		}
	}
}
