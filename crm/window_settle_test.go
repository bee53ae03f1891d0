package crm

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestSettleMovesTheCallersBooking runs in a synctest bubble: the sleeps
// stand for a slow arrival and take exactly as long as they say.
func TestSettleMovesTheCallersBooking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWindow(2, 80*time.Millisecond)
		ctx := context.Background()
		if _, err := w.Wait(ctx); err != nil { // an earlier call, at 0
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if _, err := w.Wait(ctx); err != nil { // ours, booked at 20 ms
			t.Fatal(err)
		}
		booked := time.Now()
		first := w.sent[0]
		time.Sleep(40 * time.Millisecond) // the call is slow to arrive: at 60 ms
		w.Settle(booked)
		if len(w.sent) != 2 || !w.sent[0].Equal(first) || w.sent[1].Sub(booked) != 40*time.Millisecond {
			t.Fatalf("bookings %v: want the earlier call kept and ours moved to its arrival", w.sent)
		}
		// The earlier call frees its slot at 80 ms (+1 ms margin); ours only
		// 80 ms after it arrived, at 140 ms (+1 ms).
		waited, err := w.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if waited != 21*time.Millisecond {
			t.Errorf("waited %v for the earlier call's slot, want 21ms", waited)
		}
		waited, err = w.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if waited != 60*time.Millisecond {
			t.Errorf("waited %v; the settled call counts until 80 ms after it arrived (want 60ms)", waited)
		}
	})
}

func TestSettleWithoutBookingStillCounts(t *testing.T) {
	w := NewWindow(1, time.Hour)
	w.Settle(time.Now().Add(-2 * time.Hour)) // booking long gone from the window
	if d := w.reserve(time.Now()); d <= 0 {
		t.Errorf("a settled call must count even when its booking had expired")
	}
}
