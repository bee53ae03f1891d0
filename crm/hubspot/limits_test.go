package hubspot_test

import (
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"coexsync/crm"
	"coexsync/crm/hubspot"
	"coexsync/crm/hubspot/hubspottest"
)

// TestLimiterKeepsUnderLimits runs concurrent searches and creates
// against tight limits: the fake fails the test on any 429, so only the
// client's limiter keeps this run clean. It runs in a synctest bubble
// with the fake in memory, so the windows are counted on one clock and
// the machine's load cannot move a call from one window to the next.
func TestLimiterKeepsUnderLimits(t *testing.T) {
	srv, c := setupBubble(t, hubspottest.Options{GeneralPer10s: 12})
	synctest.Test(t, func(t *testing.T) {
		const workers, rounds = 4, 5
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for r := range rounds {
					in := newContacts(3, (w*rounds+r)*10)
					if _, err := c.FindByPhones(ctxT(t), []string{in[0].Phone}); err != nil {
						t.Error(err)
						return
					}
					res, err := c.Create(ctxT(t), in)
					if err != nil {
						t.Error(err)
						return
					}
					for _, ir := range res {
						if ir.Err != nil {
							t.Errorf("create %s: %v", ir.Ref, ir.Err)
						}
					}
				}
			})
		}
		wg.Wait()
		if got := srv.Throttled(); got != 0 {
			t.Errorf("%d 429s in a normal run", got)
		}
		calls := srv.Calls()
		if calls[hubspottest.EndpointSearch] != workers*rounds || calls[hubspottest.EndpointCreate] != workers*rounds {
			t.Errorf("calls %v, want %d of each", calls, workers*rounds)
		}
		if n := len(srv.Records()); n != workers*rounds*3 {
			t.Errorf("%d records, want %d", n, workers*rounds*3)
		}
	})
}

func TestLimitsAndTarget(t *testing.T) {
	c := hubspot.New(hubspot.Config{Token: "secret"})
	if got := c.Target(); got != "hubspot "+hubspot.DefaultBaseURL {
		t.Errorf("Target() = %q", got)
	}
	want := crm.Limits{FindBatch: hubspot.MaxInValues, CreateBatch: hubspot.MaxBatchInputs, UpdateBatch: hubspot.MaxBatchInputs, SearchLag: hubspot.CreateSearchLag,
		RequestTimeout: hubspot.DefaultTimeout}
	if got := c.Limits(); got != want {
		t.Errorf("Limits() = %+v, want %+v", got, want)
	}
	short := hubspot.New(hubspot.Config{Token: "secret", HTTP: &http.Client{Timeout: 3 * time.Second}})
	if got := short.Limits().RequestTimeout; got != 3*time.Second {
		t.Errorf("RequestTimeout with a 3 s client = %v", got)
	}
	if c.Name() != "hubspot" {
		t.Errorf("Name() = %q", c.Name())
	}
}
