package firstuse

import (
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
