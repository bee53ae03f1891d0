package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestNumbersUpsertKeepsSyncRequest(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	seen := time.Unix(1_750_000_000, 0)
	if err := db.UpsertNumbers(ctx, []Number{
		{ID: "2", DisplayPhoneNumber: "+55 11 90000-0000", OnBizApp: true, PlatformType: "CLOUD_API", SeenAt: seen},
		{ID: "1", DisplayPhoneNumber: "+1 555 000 1111", VerifiedName: "Shop"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSyncRequested(ctx, "2", "req-7"); err != nil {
		t.Fatal(err)
	}
	// A later listing from the Graph API must not forget the request.
	if err := db.UpsertNumbers(ctx, []Number{{ID: "2", DisplayPhoneNumber: "+55 11 90000-0000", Status: "CONNECTED"}}); err != nil {
		t.Fatal(err)
	}
	ns, err := db.Numbers(ctx)
	if err != nil || len(ns) != 2 {
		t.Fatalf("Numbers = %+v, %v", ns, err)
	}
	if ns[0].ID != "1" || ns[0].VerifiedName != "Shop" || ns[0].SeenAt.IsZero() {
		t.Errorf("first by display number = %+v", ns[0])
	}
	n := ns[1]
	if n.Status != "CONNECTED" || n.OnBizApp || n.SyncRequestID != "req-7" || n.SyncRequestedAt.IsZero() || n.SeenAt.Equal(seen) {
		t.Errorf("updated number = %+v", n)
	}
	if err := db.MarkSyncRequested(ctx, "nope", "r"); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkSyncRequested unknown = %v", err)
	}
	// What the pre-flight checks read: the request, or zero for a number
	// never requested or never stored.
	for id, requested := range map[string]bool{"2": true, "1": false, "nope": false} {
		at, err := db.SyncRequestedAt(ctx, id)
		if err != nil || at.IsZero() == requested || (requested && !at.Equal(n.SyncRequestedAt)) {
			t.Errorf("SyncRequestedAt(%s) = %v, %v", id, at, err)
		}
	}
	if err := db.UpsertNumbers(ctx, []Number{{DisplayPhoneNumber: "x"}}); err == nil {
		t.Error("accepted a number without id")
	}
}
