package main

import "testing"

// The sandbox console's soft memory limit against what was measured (see
// limitMemory): the live heap is about 25 MB plus 520 bytes a contact, and
// the process holds some 35 MB (100k) to 60 MB (1M) outside the Go heap.
// At 100k the limit keeps the peak under 150 MB; at a million it leaves
// the collector half the live heap of room (with a tenth it ran back to
// back) and the peak under 1 GB.
func TestMemoryLimitFitsTheMeasuredHeap(t *testing.T) {
	live := func(n int) float64 { return 25e6 + 520*float64(n) }
	for _, tc := range []struct {
		contacts         int
		minRoom, outside float64 // room over the live heap; memory outside the heap
		peak             float64 // the target for the process
	}{
		{100_000, 1.05, 35e6, 150e6},
		{1_000_000, 1.5, 60e6, 1e9},
	} {
		limit := float64(memoryLimit(tc.contacts))
		if room := limit / live(tc.contacts); room < tc.minRoom {
			t.Errorf("%d contacts: limit %.0f MB is %.2f times the live heap, want at least %.2f", tc.contacts, limit/1e6, room, tc.minRoom)
		}
		if limit+tc.outside > tc.peak {
			t.Errorf("%d contacts: limit %.0f MB plus %.0f MB outside the heap passes the %.0f MB target", tc.contacts, limit/1e6, tc.outside/1e6, tc.peak/1e6)
		}
	}
	for n := 1_000; n < 2_000_000; n *= 3 {
		if memoryLimit(n) >= memoryLimit(n*3) {
			t.Fatalf("the limit does not grow from %d to %d contacts", n, n*3)
		}
	}
}
