package normalize

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// batchChunk is how many numbers a worker takes at a time: large enough that
// handing out work costs nothing, small enough that workers finish together.
const batchChunk = 512

// Batch normalizes raws with one region hint, using all cores; the result
// is in input order.
func Batch(raws []string, region string) []Result {
	out := make([]Result, len(raws))
	Each(len(raws), region, func(i int) string { return raws[i] }, func(i int, r Result) { out[i] = r })
	return out
}

// Each normalizes n numbers with one region hint, using all cores: raw(i)
// gives the i-th and put(i, result) takes its result, so a caller can
// normalize in place without a list of results beside its own. put is
// called from several goroutines, each i once.
func Each(n int, region string, raw func(i int) string, put func(i int, r Result)) {
	chunks := (n + batchChunk - 1) / batchChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(1)-1) * batchChunk
				if start >= n {
					return
				}
				for i := start; i < min(start+batchChunk, n); i++ {
					put(i, Number(raw(i), region))
				}
			}
		})
	}
	wg.Wait()
}
