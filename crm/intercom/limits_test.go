package intercom_test

import (
	"sync"
	"testing"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// TestLimiterKeepsTheFakeHappy drives searches, creates and updates at
// once, almost two windows' worth, and expects not a single 429.
func TestLimiterKeepsTheFakeHappy(t *testing.T) {
	// 150 calls per one-second window: long enough that scheduling jitter
	// on a busy machine stays within the client's margin.
	srv, c := setup(t, intercomtest.Options{PerMinute: 900, Window: time.Second})
	ids := srv.Seed(intercomtest.Contact{Phone: phone(9999)})
	var log notices
	ctx := log.ctx()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			if _, err := c.FindByPhones(ctx, []string{phone(9999)}); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		all := newContacts(3 * intercom.CreateBatch)
		for i := 0; i < len(all); i += intercom.CreateBatch {
			if _, err := c.Create(ctx, all[i:i+intercom.CreateBatch]); err != nil {
				errs <- err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		u := make([]crm.NameUpdate, intercom.UpdateBatch)
		for i := range u {
			u[i] = crm.NameUpdate{Ref: "u", ID: ids[0], Name: "Ana"}
		}
		if _, err := c.SetNames(ctx, u); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if calls["search"] != 50 || calls["create"] != 150 || calls["update"] != 50 {
		t.Fatalf("calls = %v", calls)
	}
	noRateLimits(t, srv)
	if log.count(crm.NoticeWait, crm.ReasonRateLimited) == 0 {
		t.Fatal("250 calls against 150 per window never waited")
	}
}
