package firstuse

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

func TestLoadRunsOnceBeforeEveryUse(t *testing.T) {
	var l Load
	l.Run() // none set: nothing to do

	var loads, seenBefore atomic.Int32
	loaded := false
	l.Set(func() { loads.Add(1); loaded = true })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			l.Run()
			if !loaded { // read after Run: the load happened before
				seenBefore.Add(1)
			}
		})
	}
	wg.Wait()
	if loads.Load() != 1 || seenBefore.Load() != 0 {
		t.Fatalf("load ran %d times; %d uses went before it ended", loads.Load(), seenBefore.Load())
	}
}

// TestWaitStartsTheLoadAndCanGiveUp: a waiter that gives up leaves the
// load running; the next use finds it done, and it ran once.
func TestWaitStartsTheLoadAndCanGiveUp(t *testing.T) {
	var l Load
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("no load set: %v", err)
	}
	release := make(chan struct{})
	var loads atomic.Int32
	l.Set(func() { loads.Add(1); <-release })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); err != context.Canceled {
		t.Fatalf("a cancelled wait returned %v before the load ended", err)
	}
	close(release)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Run()
	if n := loads.Load(); n != 1 {
		t.Fatalf("load ran %d times", n)
	}
}

// TestStartRunsTheLoadWithoutAUse: a use known to be coming starts the
// load; the use then only waits for what is left, and it ran once.
func TestStartRunsTheLoadWithoutAUse(t *testing.T) {
	var l Load
	l.Start() // none set: nothing to do
	if !l.Done() {
		t.Fatal("a load with nothing set is not done")
	}
	started, release := make(chan struct{}), make(chan struct{})
	var loads atomic.Int32
	l.Set(func() { loads.Add(1); close(started); <-release })
	if l.Done() {
		t.Fatal("done before it started")
	}
	l.Start()
	<-started // the load runs with no use at all
	l.Start() // again while it runs: no second load
	if l.Done() {
		t.Fatal("done while it still runs")
	}
	close(release)
	l.Run()
	if !l.Done() || loads.Load() != 1 {
		t.Fatalf("after the use: done %v, ran %d times", l.Done(), loads.Load())
	}
}
