package whatsapp_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// syncThroughWebhook runs the whole Meta side: a sync request to the fake,
// its signed deliveries into a Webhook, into an in-memory sink.
func syncThroughWebhook(t *testing.T, contacts []whatsapptest.Contact, faults whatsapptest.Faults) (*memSink, *whatsapptest.Server) {
	t.Helper()
	fake := newFake(t, 1)
	fake.SetContacts("1000", contacts)
	fake.SetFaults(faults)
	sink := newMemSink()
	hook := httptest.NewServer(&whatsapp.Webhook{AppSecret: leakSecret, Sink: sink})
	t.Cleanup(hook.Close)
	fake.SetWebhook(hook.URL)
	if _, err := clientFor(fake, leakToken, leakSecret).RequestContactSync(context.Background(), "1000"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitDelivered(ctx); err != nil {
		t.Fatal(err)
	}
	return sink, fake
}

func distinctKeys(contacts []whatsapptest.Contact) (keyed int, keys map[string]bool) {
	keys = map[string]bool{}
	for _, c := range contacts {
		for _, k := range []string{c.Phone, c.UserID, c.Username} {
			if k = strings.TrimSpace(k); k != "" {
				keyed++
				keys["1000|"+k] = true
				break
			}
		}
	}
	return keyed, keys
}

func TestEndToEndSyncDeliversEveryContactOnce(t *testing.T) {
	contacts := whatsapptest.SampleContacts(7, 250, "BR")
	// The first delivery attempt fails: Meta's retry must not double anything.
	sink, fake := syncThroughWebhook(t, contacts, whatsapptest.Faults{WebhookFailNext: 1})
	keyed, keys := distinctKeys(contacts)
	if fake.Delivered() != 3 || fake.Undelivered() != 0 || sink.bodyCount() != 3 {
		t.Fatalf("delivered %d, undelivered %d, stored bodies %d; want 3 bodies of ≤100", fake.Delivered(), fake.Undelivered(), sink.bodyCount())
	}
	if calls := fake.Calls()[whatsapptest.CallWebhook]; calls != 4 {
		t.Errorf("%d webhook attempts, want 3 bodies + 1 retry", calls)
	}
	if sink.events != keyed {
		t.Errorf("sink got %d events, want one per contact with an identifier (%d)", sink.events, keyed)
	}
	current := sink.current()
	if len(current) != len(keys) {
		t.Errorf("%d current contacts, want %d", len(current), len(keys))
	}
	for k := range keys {
		if _, ok := current[k]; !ok {
			t.Errorf("contact %q missing", k)
		}
	}
}

func TestEndToEndRemoveAfterAdd(t *testing.T) {
	contacts := []whatsapptest.Contact{
		{Phone: "5511987654321", FullName: "Ana"},
		{Phone: "447700900123", FullName: "Bob"},
		{Phone: "5511987654321", Action: "remove"},
	}
	sink, _ := syncThroughWebhook(t, contacts, whatsapptest.Faults{})
	current := sink.current()
	if _, ok := current["1000|5511987654321"]; ok || len(current) != 1 {
		t.Errorf("current %v, want only Bob", current)
	}
}

func TestEndToEndBadSignatureStoresNothing(t *testing.T) {
	sink, fake := syncThroughWebhook(t, whatsapptest.SampleContacts(1, 20, "US"), whatsapptest.Faults{BadSignature: true})
	if sink.bodyCount() != 0 || fake.Delivered() != 0 || fake.Undelivered() != 1 {
		t.Errorf("stored %d, delivered %d, undelivered %d", sink.bodyCount(), fake.Delivered(), fake.Undelivered())
	}
	if calls := fake.Calls()[whatsapptest.CallWebhook]; calls != 3 {
		t.Errorf("%d attempts, want 3 (Meta-style retries)", calls)
	}
}
