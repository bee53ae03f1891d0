package crm

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestObserveUntilIgnoresBookingsLeavingEarly: a booking that leaves our
// window before the server's window ends does not stand for one of the
// calls the server says are spent, or its slot would open too early.
func TestObserveUntilIgnoresBookingsLeavingEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWindow(10, time.Second)
		for range 8 {
			if d := w.reserve(time.Now()); d != 0 {
				t.Fatal("the window should have room")
			}
		}
		time.Sleep(900 * time.Millisecond)
		// The server: 2 calls left until its window ends in 500 ms. Our 8
		// bookings leave in 100 ms; without them we must still hold 8.
		w.ObserveUntil(2, time.Now().Add(500*time.Millisecond))
		time.Sleep(200 * time.Millisecond) // the old bookings are gone
		for i := range 2 {
			if d := w.reserve(time.Now()); d != 0 {
				t.Fatalf("call %d had to wait %v; 2 calls remain", i+1, d)
			}
		}
		if d := w.reserve(time.Now()); d <= 0 {
			t.Fatal("a third call went out before the server's window ended")
		}

		w2 := NewWindow(10, time.Second)
		w2.ObserveUntil(-3, time.Now()) // more in flight than remain: all held
		if d := w2.reserve(time.Now()); d <= 0 {
			t.Fatal("a call allowed with nothing remaining")
		}
	})
}

// TestObserveUntilFreesAtTheServersReset: when the server says its window
// is spent until a reset 1 s away, calls go out again right after that
// reset, not a whole window of ours (10 s) later.
func TestObserveUntilFreesAtTheServersReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWindow(5, 10*time.Second)
		reset := time.Now().Add(time.Second)
		w.ObserveUntil(0, reset)
		if d := w.reserve(time.Now()); d <= 0 {
			t.Fatal("a call allowed while the server says none remain")
		}
		time.Sleep(time.Until(reset) + 2*time.Millisecond)
		for i := range 5 {
			if d := w.reserve(time.Now()); d != 0 {
				t.Fatalf("call %d after the reset waited %v", i+1, d)
			}
		}
		if d := w.reserve(time.Now()); d <= 0 {
			t.Fatal("a sixth call within our own window")
		}
	})
}
