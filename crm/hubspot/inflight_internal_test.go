package hubspot

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// X-HubSpot-RateLimit-Remaining counts the calls that reached HubSpot; our
// own calls still on their way are booked here but not there yet. With 10
// per window, 2 of ours in flight and 5 spent by another integration,
// HubSpot says 5 remain while only 3 calls may go out.
func TestRemainingLeavesOutOurCallsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(Config{GeneralMax: 10, GeneralInterval: 10 * time.Second})
		ctx := context.Background()
		for range 2 { // our two calls in flight
			if _, err := c.general.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		h := http.Header{}
		h.Set(HeaderRemaining, "5")
		c.observe(h, 2)
		free := 0
		for {
			waited, err := c.general.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if waited > 0 {
				break
			}
			free++
		}
		if free != 3 {
			t.Fatalf("%d calls went out at once, want 3", free)
		}
	})
}
