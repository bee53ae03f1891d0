package crm

import (
	"context"
	"testing"
	"time"
)

func TestSettleMovesTheCallersBooking(t *testing.T) {
	w := NewWindow(2, 80*time.Millisecond)
	ctx := context.Background()
	if _, err := w.Wait(ctx); err != nil { // an earlier call
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	booked := time.Now()
	first := w.sent[0]
	time.Sleep(40 * time.Millisecond) // the call is slow to arrive
	w.Settle(booked)
	if len(w.sent) != 2 || !w.sent[0].Equal(first) || w.sent[1].Sub(booked) < 40*time.Millisecond {
		t.Fatalf("bookings %v: want the earlier call kept and ours moved to its arrival", w.sent)
	}
	// The earlier call frees its slot on time; ours only 80 ms after it
	// arrived.
	start := time.Now()
	if _, err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited > 40*time.Millisecond {
		t.Errorf("waited %v for the earlier call's slot", waited)
	}
	start = time.Now()
	if _, err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("waited %v; the settled call still counts until 80 ms after it arrived", waited)
	}
}

func TestSettleWithoutBookingStillCounts(t *testing.T) {
	w := NewWindow(1, time.Hour)
	w.Settle(time.Now().Add(-2 * time.Hour)) // booking long gone from the window
	if d := w.reserve(time.Now()); d <= 0 {
		t.Errorf("a settled call must count even when its booking had expired")
	}
}
