package whatsapp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"coexsync/bizapp"
	"coexsync/whatsapp"
)

// stateSyncBody wraps state_sync items in a webhook body for number "PN1".
func stateSyncBody(items ...string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{
	"field":"smb_app_state_sync","value":{"messaging_product":"whatsapp",
	"metadata":{"display_phone_number":"15550001111","phone_number_id":"PN1"},
	"state_sync":[` + strings.Join(items, ",") + `]}}]}]}`)
}

const anaItem = `{"type":"contact","contact":{"full_name":"Ana Lima","first_name":"Ana","phone_number":"5511987654321"},"action":"add","metadata":{"timestamp":"1732450000"}}`

func TestParsePayloadDocumentedExample(t *testing.T) {
	events, err := whatsapp.ParsePayload(stateSyncBody(anaItem))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("got %d events, want 1", len(events))
	}
	ev := events[0]
	if ev.NumberID != "PN1" || ev.Phone != "5511987654321" || ev.FullName != "Ana Lima" || ev.FirstName != "Ana" {
		t.Errorf("event fields wrong: %+v", ev)
	}
	if ev.Action != bizapp.ActionAdd || ev.Key() != "5511987654321" {
		t.Errorf("action %q key %q", ev.Action, ev.Key())
	}
	if want := time.Unix(1732450000, 0); !ev.Timestamp.Equal(want) {
		t.Errorf("timestamp %v, want %v", ev.Timestamp, want)
	}
	if string(ev.Raw) != anaItem {
		t.Errorf("raw is not the item verbatim:\n%s", ev.Raw)
	}
}

func TestParseIdentifiersAndSkips(t *testing.T) {
	body := stateSyncBody(
		`{"type":"contact","contact":{"user_id":"US.1349","username":"ana"},"action":"add","metadata":{"timestamp":1732450001}}`,
		`{"type":"contact","contact":{"username":" bob_1 "},"action":"remove"}`,
		`{"type":"contact","contact":{"full_name":"Nobody"},"action":"add"}`,
		`{"type":"contact","contact":{"phone_number":"551100"},"action":"edit"}`,
		`{"type":"label","label":{"name":"VIP"},"action":"add"}`,
		`{"type":"contact","contact":{"phone_number":"44"},"action":"add","metadata":{"timestamp":"soon"}}`,
		`"not an object"`,
	)
	p, err := whatsapp.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ev := range p.Events {
		keys = append(keys, ev.Key()+":"+string(ev.Action))
	}
	if got, want := strings.Join(keys, ","), "US.1349:add,bob_1:remove,44:add"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if !p.Events[0].Timestamp.Equal(time.Unix(1732450001, 0)) {
		t.Errorf("numeric timestamp not read: %v", p.Events[0].Timestamp)
	}
	if !p.Events[2].Timestamp.IsZero() {
		t.Errorf("unreadable timestamp should leave zero time, got %v", p.Events[2].Timestamp)
	}
	wantWarnings := []string{"item 2: contact without", "item 3: unknown action", "item 5: unreadable metadata.timestamp", "item 6: unreadable item"}
	if len(p.Warnings) != len(wantWarnings) {
		t.Fatalf("warnings %q, want %d", p.Warnings, len(wantWarnings))
	}
	for i, w := range wantWarnings {
		if !strings.Contains(p.Warnings[i], w) {
			t.Errorf("warning %d = %q, want it to contain %q", i, p.Warnings[i], w)
		}
	}
}

func TestParseRejectsBadBodies(t *testing.T) {
	cases := map[string]string{
		"not json":        `{"object":`,
		"other object":    `{"object":"page","entry":[]}`,
		"no object":       `{"entry":[]}`,
		"array":           `[1,2]`,
		"entry not array": `{"object":"whatsapp_business_account","entry":"x"}`,
		"no number id":    `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"smb_app_state_sync","value":{"state_sync":[]}}]}]}`,
		"bad value":       `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"smb_app_state_sync","value":{"metadata":7}}]}]}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			events, err := whatsapp.ParsePayload([]byte(body))
			if err == nil || events != nil {
				t.Fatalf("want an error and no events, got %v, %v", events, err)
			}
		})
	}
	_, err := whatsapp.ParsePayload([]byte(`{"object":"page"}`))
	if !errors.Is(err, whatsapp.ErrNotWhatsApp) {
		t.Errorf("other object: %v, want ErrNotWhatsApp", err)
	}
}

func TestParseIgnoresOtherFieldsAndUnknownKeys(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","extra":{"x":1},"entry":[{"id":"W","time":1,"changes":[
	{"field":"messages","value":{"messages":[{"from":"1555","text":{"body":"hi"}}]}},
	{"field":"history","value":[1,2,3]},
	{"field":"smb_app_state_sync","value":{"metadata":{"phone_number_id":"PN9"},"new_thing":true,
	 "state_sync":[{"type":"contact","contact":{"phone_number":"15551234567","nickname":"x"},"action":"add","extra":[]}]}}]}]}`)
	p, err := whatsapp.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if p.StateSyncChanges != 1 || len(p.Events) != 1 || p.Events[0].NumberID != "PN9" {
		t.Fatalf("got %+v", p)
	}
	onlyMessages := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{}}]}]}`)
	p, err = whatsapp.Parse(onlyMessages)
	if err != nil || p.StateSyncChanges != 0 || len(p.Events) != 0 {
		t.Fatalf("messages-only body: %+v, %v", p, err)
	}
}

func TestSignMatchesKnownHMAC(t *testing.T) {
	// HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC-style test vector.
	got := whatsapp.Sign("key", []byte("The quick brown fox jumps over the lazy dog"))
	want := "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
