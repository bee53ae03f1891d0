package sync

import (
	"context"
	gosync "sync"
	"time"
)

// forEachBatch calls fn on consecutive [lo, hi) ranges of n items, size at
// a time, with at most conc calls running at once. The first error cancels
// the ctx handed to the other calls and is returned.
func forEachBatch(ctx context.Context, n, size, conc int, fn func(ctx context.Context, lo, hi int) error) error {
	if n == 0 {
		return nil
	}
	size = max(size, 1)
	conc = max(conc, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		wg    gosync.WaitGroup
		once  gosync.Once
		first error
		slots = make(chan struct{}, conc)
	)
	for lo := 0; lo < n; lo += size {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		hi := min(lo+size, n)
		wg.Go(func() {
			defer func() { <-slots }()
			if err := fn(ctx, lo, hi); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// sleepCtx waits d or until ctx is done, reporting whether the full wait
// happened.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
