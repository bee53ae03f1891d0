package whatsapp_test

import (
	"testing"

	"coexsync/bizapp"
	"coexsync/whatsapp"
)

func FuzzParsePayload(f *testing.F) {
	f.Add(stateSyncBody(anaItem))
	f.Add(stateSyncBody(`{"type":"contact","contact":{"user_id":"US.1"},"action":"remove","metadata":{"timestamp":1.5e9}}`))
	f.Add(stateSyncBody(`{"type":"contact","contact":{"phone_number":" "},"action":"add"}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{}}]}]}`))
	f.Add([]byte(`{"object":"page"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := whatsapp.ParsePayload(body)
		if err != nil && events != nil {
			t.Fatalf("events returned with error %v", err)
		}
		for _, ev := range events {
			if ev.Key() == "" {
				t.Fatalf("event without key: %+v", ev)
			}
			if ev.Action != bizapp.ActionAdd && ev.Action != bizapp.ActionRemove {
				t.Fatalf("invalid action %q", ev.Action)
			}
			if ev.NumberID == "" || len(ev.Raw) == 0 {
				t.Fatalf("event without number id or raw: %+v", ev)
			}
		}
	})
}
