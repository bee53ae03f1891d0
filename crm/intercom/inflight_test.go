package intercom_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/intercom"
	"coexsync/crm/intercom/intercomtest"
)

// TestServerRemainingWithCallsInFlight is the optimistic client of
// TestServerRemainingPacesAnOptimisticClient with the pipeline's full
// concurrency: X-RateLimit-Remaining does not count the calls still on
// their way, so the client must take them off what remains itself.
func TestServerRemainingWithCallsInFlight(t *testing.T) {
	t.Parallel()
	srv, c := setupBubble(t, intercomtest.Options{PerMinute: 300, Window: time.Second}, func(cfg *intercom.Config) {
		cfg.PerMinute, cfg.Concurrency = 6000, intercom.DefaultConcurrency
		// Each call takes a while to reach the fake, as over a network:
		// while one answer is read, the others are on their way.
		cfg.HTTP.Transport = delayed{cfg.HTTP.Transport, 5 * time.Millisecond}
	})
	synctest.Test(t, func(t *testing.T) {
		var log notices
		all := newContacts(4 * intercom.CreateBatch)
		for i := 0; i < len(all); i += intercom.CreateBatch {
			mustCreate(t, log.ctx(), c, all[i:i+intercom.CreateBatch])
		}
		noRateLimits(t, srv)
		if log.count(crm.NoticeWait, crm.ReasonRateLimited) == 0 {
			t.Fatal("200 calls against a budget of 50 per window went through without waiting")
		}
	})
}

// delayed holds every request for d before handing it on.
type delayed struct {
	next http.RoundTripper
	d    time.Duration
}

func (t delayed) RoundTrip(req *http.Request) (*http.Response, error) {
	time.Sleep(t.d)
	return t.next.RoundTrip(req)
}
