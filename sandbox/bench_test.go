package sandbox

import (
	"context"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"coexsync/store"
)

// BenchmarkSandboxLoad100k loads the console's 100k sandbox (three
// address books of 100k contacts, ~85k records in each CRM, both CRMs
// used) and reports the heap the fakes hold once it is loaded (live-MB)
// and the most heap in use while it loads, garbage included (peak-MB),
// both above the heap before the start.
func BenchmarkSandboxLoad100k(b *testing.B) {
	loadOnce(b, 10) // warm up what loads once per process (phone metadata)
	var live, peak float64
	for range b.N {
		l, p := loadOnce(b, 100_000)
		live, peak = live+l, peak+p
	}
	b.ReportMetric(live/float64(b.N), "live-MB")
	b.ReportMetric(peak/float64(b.N), "peak-MB")
}

// loadOnce loads a sandbox of perNumber contacts per number on a fresh
// database and returns the heap it holds once loaded and the peak while
// loading, in MB above the heap before it started.
func loadOnce(b *testing.B, perNumber int) (live, peak float64) {
	b.StopTimer()
	db, err := store.Open(filepath.Join(b.TempDir(), "sandbox.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	before := liveHeap()
	b.StartTimer()
	stop := samplePeak()
	sb, err := StartWith(context.Background(), db, Options{Seed: 1, Contacts: perNumber})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	sb.HubSpot.Records() // each CRM loads on first use
	sb.Intercom.Records()
	highest := stop()
	b.StopTimer()
	defer b.StartTimer()
	return mb(liveHeap()) - mb(before), mb(highest) - mb(before)
}

// liveHeap is the heap in use after collecting everything collectable.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// samplePeak samples the heap in use until the returned stop, which
// returns the highest sample.
func samplePeak() (stop func() uint64) {
	done := make(chan struct{})
	var highest uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			highest = max(highest, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return highest
	}
}

func mb(n uint64) float64 { return float64(n) / 1e6 }
