package crm

import (
	"context"
	"testing"
	"time"
)

func TestSettleMovesABookingToNow(t *testing.T) {
	w := NewWindow(2, 80*time.Millisecond)
	ctx := context.Background()
	if _, err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	booked := time.Now()
	time.Sleep(40 * time.Millisecond) // the call is slow to arrive
	w.Settle(booked)
	if _, err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if len(w.sent) != 2 {
		t.Fatalf("%d bookings, want 2: Settle moves one, it adds none", len(w.sent))
	}
	// The window now frees 80 ms after the settle, not after the booking.
	start := time.Now()
	if _, err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 70*time.Millisecond {
		t.Errorf("third call waited %v; the settled call still counts until 80 ms after it arrived", waited)
	}
}

func TestSettleWithoutBookingStillCounts(t *testing.T) {
	w := NewWindow(1, time.Hour)
	w.Settle(time.Now().Add(-2 * time.Hour)) // booking long gone from the window
	if d := w.reserve(time.Now()); d <= 0 {
		t.Errorf("a settled call must count even when its booking had expired")
	}
}
