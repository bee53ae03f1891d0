package whatsapp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"coexsync/whatsapp"
	"coexsync/whatsapp/whatsapptest"
)

func TestSubscriptionEdges(t *testing.T) {
	fake := whatsapptest.New(whatsapptest.Options{Token: "tok", AppSecret: "sec"})
	defer fake.Close()
	ctx := context.Background()
	c := whatsapp.NewClient(whatsapp.Config{BaseURL: fake.URL(), Token: "tok", AppSecret: "sec"})

	apps, err := c.SubscribedApps(ctx, fake.WABAID())
	if err != nil || len(apps) != 1 || apps[0].ID != fake.AppID() {
		t.Fatalf("subscribed apps %+v %v", apps, err)
	}
	fake.SetAppSubscribed(false)
	if apps, err := c.SubscribedApps(ctx, fake.WABAID()); err != nil || len(apps) != 0 {
		t.Fatalf("unsubscribed: %+v %v", apps, err)
	}

	subs, err := c.AppSubscriptions(ctx, fake.AppID())
	if err != nil || len(subs) != 1 || subs[0].Object != whatsapp.WebhookObject || !subs[0].Has(whatsapp.FieldContactsSync) {
		t.Fatalf("app subscriptions %+v %v", subs, err)
	}
	fake.SetFieldSubscribed(false)
	if subs, err := c.AppSubscriptions(ctx, fake.AppID()); err != nil || subs[0].Has(whatsapp.FieldContactsSync) {
		t.Fatalf("field unsubscribed: %+v %v", subs, err)
	}

	// A wrong app secret makes a wrong app token: refused, and neither
	// the secret nor the token shows in the error.
	bad := whatsapp.NewClient(whatsapp.Config{BaseURL: fake.URL(), Token: "tok", AppSecret: "wrong-secret"})
	if _, err := bad.AppSubscriptions(ctx, fake.AppID()); err == nil || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("wrong app secret: %v", err)
	}
	none := whatsapp.NewClient(whatsapp.Config{BaseURL: fake.URL(), Token: "tok"})
	if _, err := none.AppSubscriptions(ctx, fake.AppID()); !errors.Is(err, whatsapp.ErrNoAppSecret) {
		t.Fatalf("no app secret: %v", err)
	}
	for m := range fake.Methods() {
		if m != "GET" {
			t.Errorf("a %s request was sent", m)
		}
	}
}
