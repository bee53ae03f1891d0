package intercom_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// TestLimiterKeepsTheFakeHappy drives searches, creates and updates at
// once, almost two windows' worth, and expects not a single 429. It runs
// in a synctest bubble with the fake served in memory: a call arrives the
// instant it leaves, so the test proves the limiter's arithmetic against
// the fake's fixed windows, not how busy the machine is.
func TestLimiterKeepsTheFakeHappy(t *testing.T) {
	t.Parallel()
	srv, c := setupBubble(t, intercomtest.Options{PerMinute: 900, Window: time.Second})
	ids := srv.Seed(intercomtest.Contact{Phone: phone(9999)})
	synctest.Test(t, func(t *testing.T) {
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
	})
}
