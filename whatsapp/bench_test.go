package whatsapp_test

import (
	"context"
	"testing"
	"time"

	"coexsync/bizapp"
	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

// hundredContactBody is one full webhook page, as Meta sends them.
func hundredContactBody() []byte {
	contacts := whatsapptest.SampleContacts(5, 100, "BR")
	return whatsapptest.WebhookBodies("W", whatsapp.PhoneNumber{ID: "1000"}, contacts, 100, time.Unix(1_800_000_000, 0))[0]
}

func BenchmarkParsePayload100(b *testing.B) {
	body := hundredContactBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := whatsapp.ParsePayload(body); err != nil {
			b.Fatal(err)
		}
	}
}

type discardSink struct{}

func (discardSink) SaveContactEvents(context.Context, string, []byte, []bizapp.ContactEvent) (bizapp.SaveResult, error) {
	return bizapp.SaveResult{}, nil
}

func BenchmarkWebhookPost100(b *testing.B) {
	body := hundredContactBody()
	h := &whatsapp.Webhook{AppSecret: testSecret, Sink: discardSink{}}
	sig := whatsapp.Sign(testSecret, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if rec := post(h, body, sig); rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
