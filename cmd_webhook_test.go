package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"coexsync/store"
	"coexsync/whatsapp"
)

func TestWebhookCommandNeedsItsSecrets(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "c.db")
	if _, code := run(t, "", "webhook", "--db", db, "--listen", "127.0.0.1:0"); code != 2 {
		t.Fatalf("exit %d without app secret and verify token, want 2", code)
	}
}

// serveWebhook answers Meta's handshake and a signed delivery on its path,
// stores the contacts, and stops when the context ends.
func TestServeWebhookHandshakeDeliveryAndShutdown(t *testing.T) {
	t.Parallel()
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	hook := &whatsapp.Webhook{AppSecret: "s3cret", VerifyToken: "vt", Sink: db}
	go func() { done <- serveWebhook(ctx, ln, "/webhook", hook, slog.New(slog.DiscardHandler)) }()
	base := "http://" + ln.Addr().String() + "/webhook"

	resp, err := http.Get(base + "?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=42")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "42" {
		t.Fatalf("handshake: %d %q", resp.StatusCode, body)
	}

	payload := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"smb_app_state_sync","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"777"},"state_sync":[{"type":"contact","contact":{"full_name":"Ana Lima","phone_number":"5511987654321"},"action":"add","metadata":{"timestamp":"1732450000"}}]}}]}]}`
	req, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(payload))
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign("s3cret", []byte(payload)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n, _ := db.CountContacts(context.Background(), "777"); resp.StatusCode != 200 || n != 1 {
		t.Fatalf("delivery: %d, %d contacts stored", resp.StatusCode, n)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// The receiver the command serves logs a refused delivery on one line
// with its status, and never the app secret or the signature.
func TestWebhookCommandLogsRejections(t *testing.T) {
	t.Parallel()
	db, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	hook := newWebhookHandler(&config{appSecret: "s3cret-app", verifyToken: "vt-123"}, db, logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveWebhook(ctx, ln, "/webhook", hook, logger) }()
	base := "http://" + ln.Addr().String() + "/webhook"

	body := `{"object":"whatsapp_business_account","entry":[]}`
	forged := whatsapp.Sign("guessed", []byte(body))
	req, _ := http.NewRequest(http.MethodPost, base, strings.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", forged)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(base + "?hub.mode=subscribe&hub.verify_token=wrong-guess&hub.challenge=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var rejected []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "rejected") {
			rejected = append(rejected, line)
		}
	}
	if len(rejected) != 2 || !strings.Contains(rejected[0], "status=401") || !strings.Contains(rejected[1], "status=403") {
		t.Fatalf("want a 401 line and a 403 line:\n%s", logs.String())
	}
	for _, secret := range []string{"s3cret-app", "vt-123", "wrong-guess", forged} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log holds %q:\n%s", secret, logs.String())
		}
	}
}
